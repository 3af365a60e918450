from django.urls import path

from portal import views
from portal.feeds import article_feed, initiative_feed

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("articles/", views.article_list_view, name="article_list"),
    path("articles.atom", article_feed, name="article_feed"),
    path("articles.csv", views.article_csv_view, name="article_csv"),
    path("articles.json", views.article_json_view, name="article_json"),
    path("articles/<slug:slug>/", views.article_detail_view, name="article_detail"),
    path("initiatives/", views.initiative_list_view, name="initiative_list"),
    path("initiatives.atom", initiative_feed, name="initiative_feed"),
    path("initiatives.csv", views.initiative_csv_view, name="initiative_csv"),
    path("initiatives.json", views.initiative_json_view, name="initiative_json"),
    path("initiatives/<slug:slug>/", views.initiative_detail_view, name="initiative_detail"),
    path("organisations/", views.organisation_list_view, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail_view, name="organisation_detail"),
    path("search/", views.search_view, name="search"),
    path("sectors/", views.sector_list_view, name="sector_list"),
    path("sectors/<slug:slug>/", views.sector_detail_view, name="sector_detail"),
]
