"""The public pages, each served through the page cache (portal.caching.pages.public_page)."""

from django.urls import path

from portal import views
from portal.caching.pages import public_page
from portal.records.description import CHANGE_LOG, CITATIONS
from portal.records.registry import public_records
from portal.views.changes import changes_view
from portal.views.corrections import corrections_view
from portal.views.feeds import article_feed, changes_feed, initiative_feed, milestone_feed
from portal.views.records import changes_feed_urls, citation_urls

app_name = "portal"

urlpatterns = [
    path("", public_page(views.home_view), name="home"),
    path("articles/", public_page(views.article_list_view), name="article_list"),
    path("articles.atom", public_page(article_feed), name="article_feed"),
    path("articles.csv", public_page(views.article_csv_view), name="article_csv"),
    path("articles.json", public_page(views.article_json_view), name="article_json"),
    path("articles/<slug:slug>/", public_page(views.article_detail_view), name="article_detail"),
    path("initiatives/", public_page(views.initiative_list_view), name="initiative_list"),
    path("initiatives.atom", public_page(initiative_feed), name="initiative_feed"),
    path("initiatives.csv", public_page(views.initiative_csv_view), name="initiative_csv"),
    path("initiatives.json", public_page(views.initiative_json_view), name="initiative_json"),
    # Before the initiative pages, whose pattern "compare" would also match.
    path("initiatives/compare/", public_page(views.compare_view), name="initiative_compare"),
    path(
        "initiatives/compare.csv",
        public_page(views.compare_csv_view),
        name="initiative_compare_csv",
    ),
    path(
        "initiatives/<slug:slug>/",
        public_page(views.initiative_detail_view),
        name="initiative_detail",
    ),
    path("organisations/", public_page(views.organisation_list_view), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        public_page(views.organisation_detail_view),
        name="organisation_detail",
    ),
    path("data/", public_page(views.data_view), name="data"),
    path("data/datapackage.json", public_page(views.data_package_view), name="data_package"),
    path("data/<slug:name>.csv", public_page(views.data_csv_view), name="data_csv"),
    path("data/<slug:name>.json", public_page(views.data_json_view), name="data_json"),
    path("network/", public_page(views.network_view), name="network"),
    path("search/", public_page(views.search_view), name="search"),
    path("sectors/", public_page(views.sector_list_view), name="sector_list"),
    path("sectors/<slug:slug>/", public_page(views.sector_detail_view), name="sector_detail"),
    path("sources/", public_page(views.source_list_view), name="source_list"),
    path("timeline/", public_page(views.timeline_view), name="milestone_list"),
    path("timeline.atom", public_page(milestone_feed), name="milestone_feed"),
    path("timeline.csv", public_page(views.milestone_csv_view), name="milestone_csv"),
    path("timeline.json", public_page(views.milestone_json_view), name="milestone_json"),
    path(
        "timeline/<slug:slug>/", public_page(views.milestone_detail_view), name="milestone_detail"
    ),
    path("changes/", public_page(changes_view), name="changes"),
    path("about/", public_page(views.about_view), name="about"),
    path("changes.atom", public_page(changes_feed), name="changes_feed"),
    path("corrections/", public_page(corrections_view), name="corrections"),
]
# Under each item's page: cite.bib, cite.ris and cite.json, v/<version>/, changes/ and
# changes.atom.
for record in public_records(CITATIONS):
    urlpatterns += citation_urls(record)
for record in public_records(CHANGE_LOG):
    urlpatterns += changes_feed_urls(record)
