"""Top-level URL configuration: the admin, the site's plumbing and the public portal."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from portal.sitemaps import sitemaps
from portal.views import healthz_view, robots_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", robots_view, name="robots_txt"),
    path("healthz", healthz_view, name="healthz"),
    path("", include("portal.urls")),
]
