"""The article change list built for 100,000 rows (portal.admin.scale): pages read by id, the
search box on the full-text index, the sector filter without DISTINCT, sorting only by
indexed columns, the date hierarchy's years; each with its query count pinned, the same
however many articles there are. The sectors' counts from the facet indexes and the sources'
citations from the relation tables, each sortable."""

import datetime
import re
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Article, Sector, Source
from tests.admin.test_admin import AdminTestCase, changelist
from tests.factories import make_article, make_initiative, make_sector, make_source

URL = changelist(Article)


def at(year, day):
    return datetime.datetime(year, 3, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day)


class ArticleChangeListAtScaleTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.health = make_sector(name="Health", slug="health")
        cls.finance = make_sector(name="Finance", slug="finance")

    def add_articles(self, count, start=0):
        for n in range(start, start + count):
            article = make_article(
                title=f"Story {n:03d}",
                slug=f"story-{n:03d}",
                body="Hospitals trial triage." if n % 3 == 0 else "Banks trial chatbots.",
                publish_at=at(2019 if n % 2 else 2024, n),
            )
            article.sectors.add(self.health if n % 3 == 0 else self.finance)
            if n % 6 == 0:
                article.sectors.add(self.finance)  # in both sectors: listed once

    def queries(self, query):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL + query)
        self.assertEqual(response.status_code, 200)
        return response, [q["sql"] for q in captured.captured_queries]

    def assert_same_queries_when_the_list_grows(self, query):
        """The page runs as many queries at 120 articles as at 360; returns the response."""
        self.add_articles(120)
        _response, few = self.queries(query)
        self.add_articles(240, start=120)
        response, many = self.queries(query)
        self.assertEqual(len(few), len(many), query)
        return response, many

    def titles(self, response):
        return [article.title_en for article in response.context["cl"].result_list]

    def test_a_deep_page_reads_its_own_rows_only(self):
        response, sql = self.assert_same_queries_when_the_list_grows("?p=3")
        expected = list(
            Article.objects.order_by("-publish_at", "-pk").values_list("title_en", flat=True)[
                100:150
            ]
        )
        self.assertEqual(self.titles(response), expected)
        wide = [s for s in sql if '"portal_article"."body_en"' in s]
        self.assertEqual(len(wide), 1)
        self.assertRegex(wide[0], r'"portal_article"\."id" IN \(\d+(, \d+){49}\)')
        self.assertEqual(len(sql), 10)

    def test_the_search_box_uses_the_full_text_index(self):
        response, sql = self.assert_same_queries_when_the_list_grows("?q=trial")
        self.assertEqual(response.context["cl"].result_count, 360)
        self.assertTrue(any("portal_article_fts" in s or "@@" in s for s in sql))
        self.assertFalse(any("LIKE" in s for s in sql))
        self.assertEqual(len(sql), 10)

    def test_search_finds_words_not_fragments(self):
        self.add_articles(6)
        found = self.client.get(URL, {"q": "hospital"}).context["cl"].result_count
        self.assertEqual(found, 2)  # "Hospitals": the same word
        self.assertEqual(self.client.get(URL, {"q": "ospit"}).context["cl"].result_count, 0)
        self.assertEqual(self.titles(self.client.get(URL, {"q": "story 004"})), ["Story 004"])

    def test_the_sector_filter_lists_each_article_once_without_distinct(self):
        response, sql = self.assert_same_queries_when_the_list_grows(
            f"?sectors__id__exact={self.finance.pk}"
        )
        self.assertEqual(response.context["cl"].result_count, 300)  # 240 + 60 in both
        self.assertFalse(any("DISTINCT" in s and "portal_article" in s for s in sql[:6]))
        for bad in ("abc", "-1", "1.5"):
            with self.subTest(bad=bad):
                response = self.client.get(URL, {"sectors__id__exact": bad})
                self.assertRedirects(response, f"{URL}?e=1")

    def test_sorting_only_by_columns_with_an_index(self):
        self.add_articles(4)
        by_title = self.client.get(URL, {"o": "1"})
        self.assertEqual(
            self.titles(by_title), ["Story 000", "Story 001", "Story 002", "Story 003"]
        )
        default = self.titles(self.client.get(URL))
        self.assertEqual(self.titles(self.client.get(URL, {"o": "5"})), default)  # byline
        html = by_title.content.decode()
        self.assertNotIn("?o=5", html)
        self.assertIn("?o=4", html)  # publish date (the fourth column) is sortable

    def test_the_date_hierarchy_offers_the_years_that_have_articles(self):
        _response, _sql = self.assert_same_queries_when_the_list_grows("")
        html = self.client.get(URL).content.decode()
        years = re.findall(r"publish_at__year=(\d{4})", html)
        self.assertEqual(sorted(set(years)), ["2019", "2020", "2024", "2025"])
        searched = self.client.get(URL, {"q": "hospitals"}).content.decode()
        self.assertEqual(
            sorted(set(re.findall(r"publish_at__year=(\d{4})", searched))),
            ["2019", "2020", "2024", "2025"],
        )


class OtherChangeListsAtScaleTests(AdminTestCase):
    def test_the_sectors_show_and_sort_by_what_readers_see_without_counting_queries(self):
        busy, quiet = make_sector(name="Busy", slug="busy"), make_sector(name="Quiet", slug="q")
        for n in range(3):
            make_article(slug=f"busy-{n}").sectors.add(busy)
        make_article(slug="unfinished", status=Article.Status.DRAFT).sectors.add(quiet)
        make_article(slug="coming", publish_at=at(2099, 0)).sectors.add(quiet)
        make_article(slug="live").sectors.add(quiet)
        make_initiative(slug="one").sectors.add(quiet)
        cl = self.client.get(changelist(Sector)).context["cl"]
        column = cl.list_display.index("article_total")
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(changelist(Sector), {"o": f"-{column}"})
        rows = response.context["cl"].result_list
        self.assertEqual([(s.slug, s.article_count) for s in rows], [("busy", 3), ("q", 1)])
        self.assertEqual([s.initiative_count for s in rows], [0, 1])
        # Neither counted nor sorted through the relation (only the content state's look-up
        # of the newest publish date reads the articles).
        sql = [q["sql"] for q in captured.captured_queries]
        self.assertFalse(any("portal_article_sectors" in s or "COUNT(DISTINCT" in s for s in sql))
        self.assertIn("Busy", response.content.decode())

    def test_sources_sort_by_citations(self):
        cited, uncited = make_source(url="https://example.org/a"), make_source()
        for n in range(2):
            make_article(slug=f"citing-{n}").sources.add(cited)
        make_initiative(slug="citing").sources.add(cited)
        cl = self.client.get(changelist(Source)).context["cl"]
        column = cl.list_display.index("citation_count")
        response = self.client.get(changelist(Source), {"o": f"-{column}"})
        rows = response.context["cl"].result_list
        self.assertEqual([(s.pk, s.citations) for s in rows], [(cited.pk, 3), (uncited.pk, 0)])


class EstimatedCountTests(AdminTestCase):
    """Past ESTIMATE_FROM rows, the unfiltered article list on PostgreSQL takes its count from
    the planner's statistics and says "about"; filtered lists, and SQLite, count."""

    def test_an_unfiltered_list_on_postgresql_says_about_the_estimate(self):
        if connection.vendor != "postgresql":
            self.skipTest("the planner's estimate is PostgreSQL's")
        for n in range(3):
            make_article(slug=f"story-{n}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE portal_article")  # A small table's estimate is exact.
        with mock.patch("portal.admin.scale.ESTIMATE_FROM", 2):
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(URL)
            filtered = self.client.get(URL, {"visibility": "live"})
            deep = self.client.get(URL, {"p": "9"})
        self.assertTrue(response.context["cl"].paginator.estimated)
        self.assertEqual(response.context["cl"].result_count, 3)
        self.assertContains(response, "about 3 articles")
        self.assertContains(response, "Select all articles")
        self.assertFalse(any('COUNT(*) AS "__count"' in q["sql"] for q in captured))
        self.assertFalse(filtered.context["cl"].paginator.estimated)
        self.assertContains(filtered, "3 articles")
        self.assertEqual(deep.status_code, 200)  # past the estimate: an empty page

    def test_small_lists_and_sqlite_count_their_rows(self):
        make_article()
        response = self.client.get(URL)
        self.assertFalse(response.context["cl"].paginator.estimated)
        self.assertContains(response, "1 article")
        self.assertNotContains(response, "about")
