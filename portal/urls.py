from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("articles/<slug:slug>/", views.article_detail_view, name="article_detail"),
    path("initiatives/<slug:slug>/", views.initiative_detail_view, name="initiative_detail"),
    path("organisations/<slug:slug>/", views.organisation_detail_view, name="organisation_detail"),
    path("sectors/<slug:slug>/", views.sector_detail_view, name="sector_detail"),
]
