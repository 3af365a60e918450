"""/sitemap.xml: an index of sections (/sitemap-<section>.xml?p=N) listing every page a
reader can reach, and only those (published articles only), in English and Traditional
Chinese, with `lastmod` from the content.

Django's i18n sitemaps build a list of every (item, language) pair in memory before paging
it (200,000 model instances at 100,000 articles), and reverse four URLs per entry under a
translation override. `LanguagePairs` pages the pairs lazily, reading only the rows of the
requested page, and `ContentSitemap.get_urls` fills in addresses from one reversed pattern
per language. Pages hold SECTION_SIZE addresses, well under the protocol's 50,000, so each
is quick to make (crawlers follow the index to all of them).

Every address starts with settings.SITE_URL: Django's sitemaps take scheme and host from the
request, which a client can forge and the page cache would keep.
"""

from dataclasses import replace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from portal.models import Sector
from portal.records.addresses import PLACEHOLDER, absolute_url
from portal.records.description import SITEMAP
from portal.records.registry import public_records


class LanguagePairs:
    """The (item, language) pairs of an ordered queryset, countable and sliceable without
    reading more rows than a slice needs."""

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = languages

    def count(self):
        return self.queryset.count() * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        n = len(self.languages)
        start, stop = key.start or 0, key.stop
        rows = self.queryset[start // n : -(-stop // n)]
        pairs = [(item, language) for item in rows for language in self.languages]
        offset = start - (start // n) * n
        return pairs[offset : offset + (stop - start)]


class Sitemap(DjangoSitemap):
    """Every page in each language, with hreflang alternates and an English x-default."""

    i18n = True
    alternates = True
    x_default = True

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


# Addresses per sitemap page.
SECTION_SIZE = 2000


class ContentSitemap(Sitemap):
    """The pages of one model's rows, paged in the database; lastmod is when a row last
    changed. Subclasses set `url_name` (the detail page's) and implement `queryset()`."""

    limit = SECTION_SIZE
    url_name = ""

    def queryset(self):
        raise NotImplementedError

    def get_urls(self, page=1, site=None, protocol=None):
        """The entries of `page`, as Django's sitemap template reads them."""
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        patterns = {}
        for code in self._languages():
            with translation.override(code):
                patterns[code] = base + reverse(self.url_name, kwargs={"slug": PLACEHOLDER})
        alternates = [(code, code) for code in patterns]
        if self.x_default:
            alternates.append(("x-default", settings.LANGUAGE_CODE))
        urls, latest = [], None
        for item, code in self.paginator.page(page).object_list:
            lastmod = item.updated_at
            latest = lastmod if latest is None else max(latest, lastmod)
            urls.append(
                {
                    "item": item,
                    "location": patterns[code].replace(PLACEHOLDER, item.slug),
                    "lastmod": lastmod,
                    "changefreq": None,
                    "priority": "",
                    "alternates": [
                        {
                            "location": patterns[lang].replace(PLACEHOLDER, item.slug),
                            "lang_code": label,
                        }
                        for label, lang in alternates
                    ],
                }
            )
        self.latest_lastmod = latest
        return urls

    def items(self):
        return self.queryset().order_by("pk").only("slug", "updated_at")

    def _items(self):
        return LanguagePairs(self.items(), self._languages())

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return self.queryset().aggregate(latest=Max("updated_at"))["latest"]


def record_sitemap(record):
    """The ContentSitemap of the record type `record` (a PublicRecord): its visible rows."""
    return type(
        f"{record.model.__name__}Sitemap",
        (ContentSitemap,),
        {"url_name": record.detail_url_name, "queryset": lambda self: record.visible()},
    )


# The lists that have a page per sector (portal.views.finders.LANDING_FILTERS).
SECTOR_LISTS = ("portal:article_list", "portal:initiative_list", "portal:organisation_list")


class ListPageSitemap(Sitemap):
    """The home page, the unfiltered lists, each sector's lists and the site's own pages
    (sources, change log, open data, about); other filters and searches are not listed."""

    def items(self):
        return [
            *self.unfiltered(),
            *(
                (name, sector.slug)
                for sector in Sector.objects.order_by("pk").only("slug")
                for name in SECTOR_LISTS
            ),
        ]

    def unfiltered(self):
        return [
            "portal:home",
            "portal:article_list",
            "portal:initiative_list",
            "portal:organisation_list",
            "portal:sector_list",
            "portal:milestone_list",
            "portal:source_list",
            "portal:changes",
            "portal:data",
            "portal:about",
            "portal:network",
        ]

    def location(self, item):
        if isinstance(item, tuple):
            name, sector = item
            return f"{reverse(name)}?sector={sector}"
        return reverse(item)


# A section per record type that declares SITEMAP, named by its English plural.
sitemaps = {
    "pages": ListPageSitemap,
    **{record.collection: record_sitemap(record) for record in public_records(SITEMAP)},
}


def index(request, **kwargs):
    """Django's sitemap index, its sections' addresses under SITE_URL (Django's own view puts
    the request's host in them)."""
    response = sitemap_views.index(request, **kwargs)
    items = response.context_data["sitemaps"]
    response.context_data["sitemaps"] = [
        replace(item, location=absolute_url(_on_site(item.location))) for item in items
    ]
    return response


def _on_site(url):
    """`url`'s path and query."""
    return urlsplit(url)._replace(scheme="", netloc="").geturl()
