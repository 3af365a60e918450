"""What keeps pages cheap at any content size: bounded filters, bounded page depth, long
facets cut to their top options, bounded related lists, and a sitemap in sections."""

from io import StringIO
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from portal.finders.facets import forget_indexes
from portal.finders.filters import ArticleFilter
from portal.models import Article
from portal.search.query import SEARCH_STATEMENTS
from portal.views.sitemaps import ContentSitemap
from tests.factories import make_article, make_initiative, make_organisation, make_sector
from tests.sitemaps import section_urls, sitemap_locations


class BoundsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sectors = [make_sector(slug=f"s{n}") for n in range(25)]
        make_article()

    def query(self, count, name="sector"):
        return "&".join(f"{name}=s{n}" for n in range(count))

    def test_twenty_values_of_one_filter_are_answered(self):
        self.assertEqual(self.client.get(f"/articles/?{self.query(20)}").status_code, 200)

    def test_twenty_one_values_are_a_400_in_every_format(self):
        message = "Sector: choose at most 20 values (this address has 21)."
        query = self.query(21)
        response = self.client.get(f"/articles/?{query}")
        self.assertContains(response, message, status_code=400)
        response = self.client.get(f"/articles.json?{query}")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"]["sector"], [message])
        for url in (f"/articles.csv?{query}", f"/articles.atom?{query}"):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), message, status_code=400)

    def test_too_many_values_in_all_are_a_400(self):
        initiatives = "&".join(f"initiative=i{n}" for n in range(20))
        organisations = "&".join(f"organisation=o{n}" for n in range(5))
        response = self.client.get(f"/articles/?{self.query(20)}&{initiatives}&{organisations}")
        self.assertContains(
            response, "Use at most 40 filter values in all (this address has 45).", status_code=400
        )

    def test_suggestions_cost_the_same_whatever_is_asked(self):
        # Nothing matches; each of the 20 chosen sectors is a suggestion to weigh.
        url = f"/articles/?{self.query(20)}&q=nothingmatchesthis"
        search = SEARCH_STATEMENTS[connection.vendor]
        # State, slugs, the records' names (synonyms), search; the index; no rows.
        with self.assertNumQueries(3 + search + 8):
            self.assertEqual(self.client.get(url).status_code, 200)
        fewer = f"/articles/?{self.query(2)}&q=nothingmatchesthis&page=1"
        # The index and names are kept: state, slugs, search.
        with self.assertNumQueries(2 + search):
            self.client.get(fewer)


class DepthTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(45):
            make_article(title=f"Story {n}")

    @mock.patch("portal.finders.query.MAX_DEPTH", 40)
    def test_pages_past_the_depth_limit_explain_how_to_narrow_the_list(self):
        self.assertEqual(self.client.get("/articles/?page=2").status_code, 200)
        response = self.client.get("/articles/?page=3")  # Results 41 to 45.
        self.assertContains(response, "Only the first 40 results can be paged", status_code=400)
        self.assertContains(response, "Choose filters or search", status_code=400)
        self.assertEqual(self.client.get("/articles/?page=4").status_code, 404)  # No such page.
        response = self.client.get("/articles.json?page=5&page_size=10")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Only the first 40 results", response.json()["errors"]["page"][0])


class LongFacetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.initiatives = [make_initiative(name=f"Scheme {n:02}") for n in range(24)]
        cls.unused = make_initiative(name="Unused scheme", slug="unused")
        for n, initiative in enumerate(cls.initiatives):
            for _ in range(1 + n // 4):
                make_article().initiatives.add(initiative)

    def options(self, response):
        facet = next(f for f in response.context["facets"] if f.name == "initiative")
        return facet, [o.value for o in facet.options]

    def test_a_long_facet_shows_its_top_ten_and_links_to_the_rest(self):
        response = self.client.get("/articles/")
        facet, values = self.options(response)
        self.assertEqual(len(values), 10)
        # The most mentioned first (four are mentioned six times: by name among those).
        self.assertEqual(values[:4], [i.slug for i in self.initiatives[20:]])
        self.assertNotIn("unused", values)  # No results: not worth a place.
        self.assertEqual(facet.hidden, 14)
        self.assertContains(response, "Show 14 more options of “Initiative”")
        self.assertContains(response, 'href="?more=initiative#facet-initiative"')

    def test_chosen_options_are_always_shown(self):
        _facet, values = self.options(self.client.get("/articles/?initiative=unused"))
        self.assertIn("unused", values)

    def test_more_shows_every_option_with_results(self):
        response = self.client.get("/articles/?more=initiative")
        facet, values = self.options(response)
        self.assertEqual(len(values), 24)
        self.assertTrue(facet.expanded)
        self.assertContains(response, '<input type="hidden" name="more" value="initiative">')
        self.assertContains(response, "Show only the top options")

    def test_html_stays_small_with_hundreds_of_options(self):
        for n in range(500):
            make_article().organisations.add(make_organisation(name=f"Organisation {n:03}"))
        response = self.client.get("/articles/")
        self.assertLess(len(response.content), 100_000)


class RelatedListTests(TestCase):
    def test_detail_pages_show_the_newest_mentions_and_link_to_the_rest(self):
        initiative = make_initiative(slug="busy")
        sector = make_sector(slug="health")
        for n in range(12):
            article = make_article(title=f"Mention {n}")
            article.initiatives.add(initiative)
            article.sectors.add(sector)
        response = self.client.get("/initiatives/busy/")
        self.assertEqual(len(response.context["mentions"].rows), 10)
        self.assertContains(response, '<a href="/articles/?initiative=busy">See all 12</a>')
        response = self.client.get("/sectors/health/")
        self.assertContains(response, '<a href="/articles/?sector=health">See all 12</a>')


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


class ImportWarmsTheIndexesTests(TestCase):
    def test_the_first_reader_after_an_import_finds_the_facet_indexes_built(self):
        files = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
        call_command("import_content", *files, stdout=StringIO())
        forget_indexes()  # Not in this process's memory: from the shared cache.
        with self.assertNumQueries(3):  # The content state, the rows, their sectors.
            self.assertEqual(self.client.get("/articles/").status_code, 200)


class WarmCachesTests(TestCase):
    def test_warm_caches_leaves_the_facet_indexes_built_for_the_first_reader(self):
        make_article().sectors.add(make_sector(slug="health"))
        out = StringIO()
        call_command("warm_caches", stdout=out)
        self.assertIn("Facet indexes are built and cached.", out.getvalue())
        forget_indexes()  # Not in this process's memory: from the shared cache.
        with self.assertNumQueries(3):  # The content state, the rows, their sectors.
            self.assertEqual(self.client.get("/articles/").status_code, 200)


# SQLite's statistics (sqlite_stat1) as ANALYZE left them at 100,000 articles (page_bench),
# where the plan below was seen: the planner weighs them, not the rows a test has.
STATISTICS_AT_SCALE = {
    "portal_article_lastmod_idx": ("portal_article", "119070 1001 1 1"),
    "portal_article_visible_idx": ("portal_article", "111550 1001 1"),
    "portal_article_title_idx": ("portal_article", "117300 1001 1"),
    "portal_article_initiatives_facet_idx": ("portal_article_initiatives", "131236 27 1"),
}


class LargeFilteredListPlanTests(TestCase):
    """A list filtered by a relation is read in its own order, each row tested against the
    related ids; SQLite otherwise looked up every related article, bodies and all, and
    sorted them (test_finders checks the rows and their order)."""

    def use_statistics_at_scale(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # Makes sqlite_stat1.
            cursor.execute("DELETE FROM sqlite_stat1")
            for index, (table, stat) in STATISTICS_AT_SCALE.items():
                cursor.execute("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", [table, index, stat])
            cursor.execute("ANALYZE sqlite_schema")  # Reads them again.
        self.addCleanup(self.forget_statistics)

    @staticmethod
    def forget_statistics():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")

    def test_sqlite_reads_the_newest_through_the_date_index(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's choice; PostgreSQL reads the date index either way")
        initiative = make_initiative(slug="busy")
        for n in range(30):
            make_article(slug=f"story-{n}").initiatives.add(initiative)
        self.use_statistics_at_scale()
        published = Article.objects.published()
        initiative_filter = ArticleFilter(data={}, queryset=published).filters["initiative"]
        rows = initiative_filter.filter(published, [initiative])
        plan = rows.order_by("-publish_at", "title_en")[:20].explain()
        self.assertIn("USING INDEX portal_article_lastmod_idx", plan)
        self.assertIn("TEMP B-TREE FOR RIGHT PART OF ORDER BY", plan)
