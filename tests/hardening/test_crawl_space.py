"""Crawlers are kept to the lists, not the space of filter combinations: filtered lists name
the unfiltered list (or one sector's list) as canonical, facet and chip links carry
rel="nofollow", robots.txt disallows combinations and format variants, and the sitemap
lists each sector's lists."""

import re

import time_machine
from django.test import TestCase

from tests.factories import NOW, make_article, make_sector

SITE = "http://testserver"


def canonical(response):
    return re.search(r'<link rel="canonical" href="([^"]+)">', response.content.decode())[1]


def robots_rules(text):
    return [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")
    ]


def blocked(path, rules):
    """Whether Google's matching (`*` any characters, longest rule wins, no Allow here)
    disallows `path`."""
    return any(re.match(".*".join(map(re.escape, rule.split("*"))), path) for rule in rules)


@time_machine.travel(NOW, tick=False)
class CrawlSpaceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        finance = make_sector(name="Finance", slug="finance")
        health = make_sector(name="Health", slug="health")
        for n in range(3):
            article = make_article(title=f"Story {n}")
            article.sectors.add(finance, health)

    def test_filtered_lists_name_the_unfiltered_list_as_canonical(self):
        for query in [
            "sector=finance&sector=health",
            "sector=finance&year=2026",
            "q=story",
            "sort=oldest",
            "sector=finance&sort=oldest",
            "year=2026&page=2",
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"/articles/?{query}")
                self.assertEqual(canonical(response), f"{SITE}/articles/")

    def test_one_sector_and_paging_are_pages_of_their_own(self):
        self.assertEqual(
            canonical(self.client.get("/articles/?sector=finance")),
            f"{SITE}/articles/?sector=finance",
        )
        self.assertEqual(
            canonical(self.client.get("/initiatives/?utm_source=x&sector=health")),
            f"{SITE}/initiatives/?sector=health",
        )
        self.assertEqual(canonical(self.client.get("/articles/")), f"{SITE}/articles/")

    def test_filter_links_are_nofollow(self):
        text = self.client.get("/articles/?sector=finance&year=1999").content.decode()
        links = re.findall(r"<a [^>]*>", text)
        chips = [a for a in links if 'class="chip"' in a or "sector=" in a or "year=" in a]
        self.assertTrue(chips)
        for link in chips:
            with self.subTest(link=link):
                if 'rel="prev"' in link or 'rel="next"' in link:
                    continue
                self.assertIn('rel="nofollow"', link)

    def test_robots_txt_disallows_combinations_and_format_variants(self):
        rules = robots_rules(self.client.get("/robots.txt").content.decode())
        for path in [
            "/articles/?sector=a&sector=b",
            "/zh-hant/articles/?sector=a&page=2",
            "/articles/?more=sector",
            "/articles/?sort=oldest",
            "/articles/?q=ai",
            "/articles.csv?sector=a",
            "/articles.json?year=2024",
            "/articles.atom?q=x",
        ]:
            self.assertTrue(blocked(path, rules), path)
        for path in [
            "/",
            "/articles/",
            "/articles/?sector=finance",
            "/zh-hant/initiatives/",
            "/articles/?page=2",
            "/articles.csv",
            "/data/articles.json",
            "/sitemap.xml",
            "/sitemap-articles.xml?p=2",
            "/initiatives/compare/?items=a,b",
        ]:
            self.assertFalse(blocked(path, rules), path)

    def test_the_sitemap_lists_each_sectors_lists(self):
        text = self.client.get("/sitemap-pages.xml").content.decode()
        for path in [
            "/articles/?sector=finance",
            "/initiatives/?sector=health",
            "/organisations/?sector=finance",
            "/zh-hant/articles/?sector=health",
        ]:
            self.assertIn(f"<loc>{SITE}{path}</loc>", text)
        self.assertNotIn("sector=finance&", text)
