"""The list of sources: what each shows and what cites it, its filters, bad input and queries."""

import datetime
import re

from django.test import TestCase

from portal.models import Article, Source
from portal.reference.cited_by import CITERS_SHOWN
from tests.factories import (
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)

T = Source.PublisherType


def result_count(response):
    match = re.search(r'id="result-count"[^>]*>\s*([\d,]+) result', response.content.decode())
    return int(match.group(1).replace(",", ""))


def titles(response):
    return [source.title for source in response.context["object_list"]]


class SourceListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hkma = make_source(
            url="https://www.hkma.gov.hk/eng/news",
            title="Press releases",
            publisher="Hong Kong Monetary Authority",
            publisher_type=T.STATUTORY,
            accessed=datetime.date(2026, 11, 30),
            archive_url="https://web.archive.org/web/2026/https://www.hkma.gov.hk/eng/news",
        )
        cls.budget = make_source(
            title="Budget Speech",
            publisher="Hong Kong SAR Government",
            publisher_type=T.GOVERNMENT,
        )
        cls.blueprint = make_source(
            title="Smart City Blueprint",
            publisher="Hong Kong SAR Government",
            publisher_type=T.GOVERNMENT,
        )
        cls.scmp = make_source(
            title="Banks try AI", publisher="South China Morning Post", publisher_type=T.NEWS
        )
        finance = make_sector(name="Finance", slug="finance")
        finance.sources.add(cls.hkma)
        make_organisation(name="HKMA", slug="hkma").sources.add(cls.hkma)
        make_initiative(name="GenAI Sandbox", slug="sandbox").sources.add(cls.hkma)
        for n in range(CITERS_SHOWN + 2):
            make_article(title=f"Banking story {n}", slug=f"story-{n}").sources.add(cls.hkma)
        make_article(
            title="Unpublished draft", slug="draft", status=Article.Status.DRAFT
        ).sources.add(cls.hkma)

    def test_each_source_shows_its_details_and_what_cites_it(self):
        response = self.client.get("/sources/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, '<a href="https://www.hkma.gov.hk/eng/news">Press releases</a>'
        )
        self.assertContains(
            response, "Hong Kong Monetary Authority · Statutory body · n.d. · accessed"
        )
        self.assertContains(
            response,
            '<a href="https://web.archive.org/web/2026/https://www.hkma.gov.hk/eng/news">'
            "archived copy</a>",
        )
        self.assertContains(response, '<a href="/sectors/finance/">Finance</a>')
        self.assertContains(response, '<a href="/organisations/hkma/">HKMA</a>')
        self.assertContains(response, '<a href="/initiatives/sandbox/">GenAI Sandbox</a>')
        self.assertContains(response, "Not cited on this site yet.", count=3)
        self.assertNotContains(response, "Unpublished draft")

    def test_a_much_cited_source_shows_the_newest_articles_and_links_to_the_rest(self):
        response = self.client.get("/sources/")
        hkma = next(s for s in response.context["object_list"] if s.pk == self.hkma.pk)
        articles = next(group for group in hkma.citations if group.name_field == "title")
        self.assertEqual(articles.count, CITERS_SHOWN + 2)  # The draft is not counted.
        self.assertEqual(len(articles.rows), CITERS_SHOWN)
        link = f"/articles/?source={self.hkma.pk}"
        self.assertEqual(articles.url, link)
        self.assertContains(response, f'<a href="{link}">and 2 more</a>')
        # The link lists every published article citing the source, and only those.
        listed = self.client.get(link)
        self.assertEqual(result_count(listed), CITERS_SHOWN + 2)
        self.assertContains(listed, "Source: Press releases")

    def test_filters_by_type_of_publisher_and_by_publisher(self):
        response = self.client.get("/sources/?publisher_type=government")
        self.assertEqual(titles(response), ["Budget Speech", "Smart City Blueprint"])
        response = self.client.get(
            "/sources/",
            {"publisher": ["South China Morning Post", "Hong Kong Monetary Authority"]},
        )
        self.assertEqual(titles(response), ["Press releases", "Banks try AI"])
        response = self.client.get(
            "/sources/", {"publisher_type": "news", "publisher": "Hong Kong SAR Government"}
        )
        self.assertEqual(result_count(response), 0)
        self.assertContains(response, "Remove “Type of publisher: News” to see 2 results")

    def test_facets_count_what_each_choice_would_give(self):
        response = self.client.get("/sources/?publisher_type=government")
        facets = {f.name: {o.value: o.count for o in f.options} for f in response.context["facets"]}
        self.assertEqual(facets["publisher_type"]["government"], 2)
        self.assertEqual(facets["publisher_type"]["news"], 1)
        self.assertEqual(facets["publisher"]["Hong Kong SAR Government"], 2)
        self.assertEqual(facets["publisher"]["South China Morning Post"], 0)

    def test_sorts(self):
        response = self.client.get("/sources/?sort=title")
        self.assertEqual(titles(response)[0], "Banks try AI")

    def test_chinese_edition(self):
        response = self.client.get("/zh-hant/sources/?publisher_type=statutory")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(titles(response), ["Press releases"])
        self.assertContains(response, "法定機構")

    def test_bad_parameters_are_explained(self):
        # As on every finder: values that can't be used are explained on the page (200, no
        # results), and a query string asking for too many values is refused (400).
        for query, message, status in [
            ("publisher_type=club", "Type of publisher: Select a valid choice.", 200),
            ("sort=colour", "Sort by: Select a valid choice.", 200),
            ("publisher=%01", "Publisher: Values cannot contain control characters.", 200),
            ("publisher=" + "x" * 201, "Publisher: Each value can be at most 200 characters", 200),
            ("&".join(["publisher=a"] * 21), "choose at most 20 values", 400),
        ]:
            with self.subTest(query=query[:30]):
                response = self.client.get(f"/sources/?{query}")
                self.assertContains(response, message, status_code=status)
        self.assertEqual(self.client.get("/sources/?page=two").status_code, 404)
        self.assertEqual(self.client.get("/sources/?page=9").status_code, 404)

    def test_an_unknown_source_on_the_article_list_is_explained(self):
        response = self.client.get("/articles/?source=99999")
        self.assertContains(response, "Source: Select a valid choice.")
        response = self.client.get("/articles/?source=abc")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Source:")

    def test_the_navigation_links_to_the_list(self):
        response = self.client.get("/")
        self.assertContains(response, '<a href="/sources/">Sources</a>')


class SourceListQueryCountTests(TestCase):
    """The same number of queries at 5 sources and at 50, each cited by many rows."""

    def test_constant_queries(self):
        sector = make_sector()
        organisation = make_organisation()
        initiative = make_initiative()
        articles = [make_article() for _ in range(12)]

        def rows(n):
            for _ in range(n):
                source = make_source(publisher=f"Publisher {n}", publisher_type=T.NEWS)
                sector.sources.add(source)
                organisation.sources.add(source)
                initiative.sources.add(source)
                source.articles.add(*articles)

        # Content state, the page's rows; the facet index (visible rows, two grouped
        # queries); what cites the page's sources: one query per kind (5: sectors,
        # organisations, initiatives, articles, milestones).
        rows(5)
        with self.assertNumQueries(2 + 3 + 5):
            self.assertEqual(self.client.get("/sources/?publisher_type=news").status_code, 200)
        rows(45)
        with self.assertNumQueries(2 + 3 + 5):
            response = self.client.get("/sources/?publisher_type=news")
        self.assertEqual(result_count(response), 50)
        # With the index built, only the state, the rows and what cites them.
        with self.assertNumQueries(2 + 5):
            self.client.get("/sources/?publisher_type=news&page=2")
