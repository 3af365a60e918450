"""A large filtered list, the change log and the corrections are read through an index,
not a scan."""

from django.db import connection
from django.test import TestCase

from portal.changelog.display import visible_changes, with_records
from portal.finders.filters import ArticleFilter
from portal.models import Article, Correction
from portal.views.corrections import with_records as corrections_with_records
from tests.factories import make_article, make_initiative

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


class ChangeLogPlanTests(TestCase):
    """/changes/ (all types or one), one record's updates, an import's items and
    /corrections/ read a page in the order of an index, never sorting the history
    (issue #20: fast at 100,000 articles). On PostgreSQL sequential scans and sorts are
    switched off for the plan: only a usable index that matches the filter and order then
    avoids them, whatever the few test rows would make the planner prefer."""

    def plan(self, rows):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
        return rows.explain()

    def assert_reads_index(self, rows, index):
        plan = self.plan(rows)
        self.assertIn(index, plan)
        self.assertNotIn("TEMP B-TREE FOR ORDER BY", plan)  # SQLite's sort
        self.assertNotIn("Sort Key", plan)  # PostgreSQL's sort

    def test_the_log_and_corrections_read_their_indexes(self):
        with_records_page = with_records(visible_changes())[:21]
        self.assert_reads_index(with_records_page, "portal_change_listed_idx")
        by_type = with_records(visible_changes("initiative"))[:21]
        self.assert_reads_index(by_type, "portal_change_type_listed_idx")
        items = with_records(visible_changes("sector", listed=False).filter(summary_id=1))
        self.assert_reads_index(items.order_by("-id")[:21], "portal_change_import_idx")
        corrections = corrections_with_records(Correction.objects.visible())
        self.assert_reads_index(
            corrections.order_by("-corrected_on", "-id")[:21], "portal_correction_date_idx"
        )


class ContentStatePlanTests(TestCase):
    """The content state is read on every request, cached pages included, so each of its
    look-ups (the nearest publish dates and scheme window dates) is a search of an index,
    never a scan of a table (at 1,500 initiatives the scans cost 9 ms a request)."""

    def test_every_look_up_searches_an_index(self):
        from django.test.utils import CaptureQueriesContext

        from portal.caching.generation import content_state

        with CaptureQueriesContext(connection) as queries:
            content_state()
        (query,) = queries.captured_queries
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                self.assertNotIn("Seq Scan", plan)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plan = "\n".join(row[-1] for row in cursor.fetchall())
                self.assertNotIn("SCAN ", plan)
        for index in ("portal_init_window_opens_idx", "portal_init_window_closes_idx"):
            self.assertIn(index, plan)
