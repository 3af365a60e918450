"""A sitemap in sections, each within the protocol's bounds."""

from unittest import mock

from django.test import TestCase

from portal.views.sitemaps import ContentSitemap
from tests.factories import make_article
from tests.sitemaps import section_urls, sitemap_locations


class SitemapSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(4):
            make_article(slug=f"story-{n}")

    @mock.patch.object(ContentSitemap, "limit", 3)
    def test_sections_are_paged_and_together_list_every_page(self):
        sections = section_urls(self.client)
        # 4 articles in 2 languages: 8 addresses, 3 to a page.
        self.assertIn("/sitemap-articles.xml", sections)
        self.assertIn("/sitemap-articles.xml?p=2", sections)
        self.assertIn("/sitemap-articles.xml?p=3", sections)
        self.assertNotIn("/sitemap-articles.xml?p=4", sections)
        articles = {loc for loc in sitemap_locations(self.client) if "/articles/story-" in loc}
        expected = {
            f"http://testserver{prefix}/articles/story-{n}/"
            for n in range(4)
            for prefix in ("", "/zh-hant")
        }
        self.assertEqual(articles, expected)

    def test_sections_carry_lastmod_from_the_content(self):
        xml = self.client.get("/sitemap.xml").content.decode()
        self.assertIn("<loc>http://testserver/sitemap-articles.xml</loc><lastmod>", xml)
        self.assertIn("<lastmod>", self.client.get("/sitemap-articles.xml").content.decode())
