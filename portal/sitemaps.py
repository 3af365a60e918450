"""/sitemap.xml: every page a reader can reach, and only those (published articles only),
in English and Traditional Chinese."""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from portal.models import Article, Initiative, Organisation, Sector


class Sitemap(DjangoSitemap):
    """Every page in each language, with hreflang alternates and an English x-default."""

    i18n = True
    alternates = True
    x_default = True


class ArticleSitemap(Sitemap):
    def items(self):
        return Article.objects.published()

    def lastmod(self, article):
        return article.updated_at


class InitiativeSitemap(Sitemap):
    def items(self):
        return Initiative.objects.all()


class OrganisationSitemap(Sitemap):
    def items(self):
        return Organisation.objects.all()


class SectorSitemap(Sitemap):
    def items(self):
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
