"""/sitemap.xml: an index of sections (/sitemap-<section>.xml, each paged at 50,000 addresses,
the sitemap protocol's limit) listing every page a reader can reach, and only those
(published articles only), in English and Traditional Chinese, with `lastmod` from the
content.

Django's i18n sitemaps build a list of every (item, language) pair in memory before paging
it; at 100,000 articles that is 200,000 model instances per request. `LanguagePairs` pages
the same sequence lazily instead, reading only the rows of the requested page.
"""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Max
from django.urls import reverse

from portal.models import Article, Initiative, Organisation, Sector


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


class ContentSitemap(Sitemap):
    """The pages of one model's rows, paged in the database; lastmod is when a row last
    changed. Subclasses implement `queryset()`."""

    def queryset(self):
        raise NotImplementedError

    def items(self):
        return self.queryset().order_by("pk").only("slug", "updated_at")

    def _items(self):
        return LanguagePairs(self.items(), self._languages())

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return self.queryset().aggregate(latest=Max("updated_at"))["latest"]


class ArticleSitemap(ContentSitemap):
    def queryset(self):
        return Article.objects.published()


class InitiativeSitemap(ContentSitemap):
    def queryset(self):
        return Initiative.objects.all()


class OrganisationSitemap(ContentSitemap):
    def queryset(self):
        return Organisation.objects.all()


class SectorSitemap(ContentSitemap):
    def queryset(self):
        return Sector.objects.all()


class ListPageSitemap(Sitemap):
    """The home page and the unfiltered lists; filtered and search URLs are left to links."""

    def items(self):
        return [
            "portal:home",
            "portal:article_list",
            "portal:initiative_list",
            "portal:organisation_list",
            "portal:sector_list",
        ]

    def location(self, name):
        return reverse(name)


sitemaps = {
    "pages": ListPageSitemap,
    "articles": ArticleSitemap,
    "initiatives": InitiativeSitemap,
    "organisations": OrganisationSitemap,
    "sectors": SectorSitemap,
}
