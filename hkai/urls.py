"""Top-level URL configuration: the admin, the site's plumbing and the public portal."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from portal.admin.transfer import import_content_view
from portal.sitemaps import sitemaps
from portal.views import healthz_view, robots_view

# A busy database reached outside a view (e.g. saving the session) is a 503, like in one.
handler500 = "portal.middleware.server_error"

urlpatterns = [
    # Before the admin's own URLs, whose catch-all would otherwise answer. The page is for all
    # five content models, so it belongs to no one ModelAdmin's URLs.
    path("admin/import/", import_content_view, name="admin_import_content"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", robots_view, name="robots_txt"),
    path("healthz", healthz_view, name="healthz"),
]
# English keeps its unprefixed URLs (links from outside depend on them); Chinese pages live
# under /zh-hant/, e.g. /zh-hant/initiatives/?sector=banking-finance.
urlpatterns += i18n_patterns(path("", include("portal.urls")), prefix_default_language=False)
