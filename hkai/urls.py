"""Top-level URL configuration: the admin, the site's plumbing and the public portal."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from portal.admin.transfer import import_content_view
from portal.caching.pages import public_page
from portal.views import healthz_view, robots_view
from portal.views.sitemaps import index as sitemap_index
from portal.views.sitemaps import sitemaps

# The site's own error pages, with its header, search and language switch. The 500 handler
# also answers 503 for a busy database reached outside a view (e.g. saving the session).
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"

# Sitemaps are data, shown by a browser through its own XML viewer, whose styles are
# inline: allow those, and nothing else, on these responses (no script can run in them).
xml_view = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})

urlpatterns = [
    # Before the admin's own URLs, whose catch-all would otherwise answer. The page is for all
    # five content models, so it belongs to no one ModelAdmin's URLs.
    path("admin/import/", import_content_view, name="admin_import_content"),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        xml_view(public_page(sitemap_index)),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        xml_view(public_page(sitemap_views.sitemap)),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("robots.txt", robots_view, name="robots_txt"),
    path("healthz", healthz_view, name="healthz"),
]
# English keeps its unprefixed URLs (links from outside depend on them); Chinese pages live
# under /zh-hant/, e.g. /zh-hant/initiatives/?sector=banking-finance.
urlpatterns += i18n_patterns(path("", include("portal.urls")), prefix_default_language=False)
