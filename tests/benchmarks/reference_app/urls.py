from django.urls import path

from tests.benchmarks.reference_app.views import newest_articles_view

urlpatterns = [path("", newest_articles_view)]
