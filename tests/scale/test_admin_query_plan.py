"""The admin's change lists at 100,000 articles (issue #20) read indexes, not every row: the
sector filter's page walks the date index, the date hierarchy seeks its ends and years, and
the sources' citations are counted on the relation tables' source indexes. SQLite is given
the statistics ANALYZE left at that size (the planner weighs them, not a test's few rows);
on PostgreSQL sequential scans and sorts are switched off for the plan, so only a usable
index avoids them."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article, make_sector, make_source

STATISTICS_AT_SCALE = {
    "portal_article_admin_date_idx": ("portal_article", "100000 1 1"),
    "portal_article_lastmod_idx": ("portal_article", "100000 50000 1 1"),
    "portal_article_visible_idx": ("portal_article", "100000 50000 1"),
    "portal_article_footnotes_idx": ("portal_article", "100000 100000"),
    "portal_article_sectors_facet_idx": ("portal_article_sectors", "199840 16654 1"),
}


def explain(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(row[-1] for row in cursor.fetchall())


class AdminPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")
        cls.sector = make_sector(slug="busy")
        for n in range(60):  # more than a page
            published = datetime.datetime(2019 + n % 6, 3, 1 + n % 28, tzinfo=datetime.UTC)
            make_article(slug=f"story-{n}", publish_at=published).sectors.add(cls.sector)
        for n in range(3):
            make_source(url=f"https://example.org/{n}")

    def setUp(self):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # Makes sqlite_stat1.
                cursor.execute("DELETE FROM sqlite_stat1")
                for index, (table, stat) in STATISTICS_AT_SCALE.items():
                    cursor.execute(
                        "INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", [table, index, stat]
                    )
                cursor.execute("ANALYZE sqlite_schema")  # Reads them again.
            self.addCleanup(self.forget_statistics)
        self.client.force_login(self.user)

    @staticmethod
    def forget_statistics():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")

    def queries(self, path):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return [q["sql"] for q in captured.captured_queries]

    def change_list_queries(self, query):
        return self.queries("/admin/portal/article/" + query)

    def assert_no_scan_nor_sort(self, plan):
        self.assertNotIn("Seq Scan", plan)  # PostgreSQL
        self.assertNotIn("Sort Key", plan)
        self.assertNotIn("TEMP B-TREE", plan)  # SQLite's sort
        # SQLite: every read of the table through an index (a walk in its order stops at
        # the first row that qualifies).
        self.assertFalse(re.search(r"SCAN \w+$", plan, re.M), plan)

    def test_the_sector_filter_reads_its_page_from_the_date_index(self):
        sql = self.change_list_queries(f"?sectors__id__exact={self.sector.pk}")
        (page,) = [s for s in sql if s.startswith('SELECT "portal_article"."id" AS "pk"')]
        plan = explain(page)
        self.assertIn("portal_article_admin_date_idx", plan)
        self.assertNotIn("TEMP B-TREE FOR ORDER BY", plan)  # SQLite's sort
        self.assertNotIn("Sort Key", plan)  # PostgreSQL's sort

    def test_the_date_hierarchy_seeks_its_ends_and_years(self):
        for query in ("", "?visibility=live", f"?sectors__id__exact={self.sector.pk}"):
            sql = self.change_list_queries(query)
            ends = [s for s in sql if 'AS "first"' in s and 'AS "last"' in s]
            years = [s for s in sql if 'AS "y20' in s]
            self.assertEqual((len(ends), len(years)), (1, 1), query)
            for statement in ends + years:
                self.assertNotIn("MIN(", statement)
                self.assertNotIn("COUNT(", statement)
                self.assert_no_scan_nor_sort(explain(statement))

    def test_citations_are_counted_on_the_relation_tables_source_index(self):
        sql = self.queries("/admin/portal/source/?o=-5")  # sorted by citations
        # The page's rows (the "cited" filter's count also reads the relation tables).
        (rows,) = [s for s in sql if "portal_article_sources" in s and "COUNT(*)" in s]
        plan = explain(rows)
        for model in ("article", "initiative", "milestone", "organisation", "sector"):
            self.assertRegex(plan, rf"portal_{model}_sources_source_id_\w+")
        self.assertNotIn("portal_article_pkey", plan)
        self.assertNotIn("INTEGER PRIMARY KEY", plan)  # no citing row looked up
