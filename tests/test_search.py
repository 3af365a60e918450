"""Full-text search: real matches, ranked, served by an index, safe with any input."""

import datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pyroaring import BitMap

from portal.models import Article, Initiative
from portal.search.query import ensure_sqlite_index, matches, search
from tests.factories import make_article, make_initiative


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(
            title="Banks test generative AI",
            slug="banks",
            body="Lenders in Hong Kong are trying chatbots.",
        )
        make_article(
            title="Hospitals",
            slug="hospitals",
            body="Radiologists read scans; a bank of models helps them.",
        )
        make_article(title="Weather", slug="weather", body="The Observatory forecasts rain.")
        make_initiative(
            name="GenA.I. Sandbox",
            slug="sandbox",
            short_name="GenAI",
            summary="A sandbox where banks try generative AI safely.",
        )

    def slugs(self, queryset):
        return [obj.slug for obj in queryset]

    def test_finds_words_in_any_field_with_stemming(self):
        # "bank" finds "Banks" (title) and "bank" (body) but not the weather.
        found = search(Article.objects.all(), "bank")
        self.assertEqual(sorted(self.slugs(found)), ["banks", "hospitals"])

    def test_title_matches_rank_above_body_matches(self):
        found = matches(Article, "bank")
        articles = Article.objects.in_bulk(list(found.ids))
        self.assertEqual([articles[pk].slug for pk in found.ranked()], ["banks", "hospitals"])

    def test_every_word_must_match(self):
        self.assertEqual(self.slugs(search(Article.objects.all(), "observatory rain")), ["weather"])
        self.assertEqual(self.slugs(search(Article.objects.all(), "observatory banks")), [])

    def test_searches_initiatives_by_acronym_and_summary(self):
        self.assertEqual(self.slugs(search(Initiative.objects.all(), "genai")), ["sandbox"])
        self.assertEqual(self.slugs(search(Initiative.objects.all(), "safely")), ["sandbox"])

    def test_the_index_follows_edits_and_deletions(self):
        article = Article.objects.get(slug="weather")
        article.body = "Typhoon warnings"
        article.save()
        self.assertEqual(self.slugs(search(Article.objects.all(), "typhoon")), ["weather"])
        self.assertEqual(self.slugs(search(Article.objects.all(), "rain")), [])
        article.delete()
        self.assertEqual(self.slugs(search(Article.objects.all(), "typhoon")), [])

    def test_hostile_or_empty_input_is_harmless(self):
        for text in [
            '" OR 1=1 --',
            "'; DROP TABLE portal_article; --",
            "NEAR(a b)",
            "*",
            "^",
            "title:banks",
            "",
            "   ",
            "\x00",
            "😀",
            "a" * 5000,
            'bank"',
        ]:
            with self.subTest(text=text):
                list(search(Article.objects.all(), text))
        self.assertEqual(Article.objects.count(), 3)


class RankingTests(TestCase):
    """Heading matches (title, summary) rank first, by relevance; matches in the body alone
    follow, newest first. The same on both databases."""

    @classmethod
    def setUpTestData(cls):
        cls.summary = make_article(slug="summary", title="Port news", summary="Drones at the port")
        cls.title = make_article(slug="title", title="Drones over the harbour")
        cls.old_body = make_article(slug="old-body", title="Ferries", body="Drones were seen.")
        cls.new_body = make_article(slug="new-body", title="Trams", body="drones again")
        make_article(slug="other", title="Buses", body="Nothing to see.")

    def slugs(self, ids):
        articles = Article.objects.in_bulk(ids)
        return [articles[pk].slug for pk in ids]

    def test_headings_first_then_the_newest_body_matches(self):
        found = matches(Article, "drones")
        self.assertEqual(len(found), 4)
        self.assertEqual(self.slugs(found.ranked()), ["title", "summary", "new-body", "old-body"])

    def test_a_limit_and_a_subset(self):
        found = matches(Article, "drones")
        self.assertEqual(self.slugs(found.ranked(limit=3)), ["title", "summary", "new-body"])
        within = BitMap([self.summary.pk, self.old_body.pk, self.new_body.pk])
        self.assertEqual(self.slugs(found.ranked(within, 2)), ["summary", "new-body"])
        self.assertEqual(found.ranked(BitMap([self.title.pk]), 10), [self.title.pk])
        self.assertEqual(found.ranked(BitMap(), 10), [])

    def test_a_heading_with_some_of_the_words_ranks_above_the_body_alone(self):
        # Both words must match somewhere; one of them in the heading is enough to rank.
        found = matches(Article, "drones seen")
        self.assertEqual(self.slugs(found.ranked()), ["old-body"])
        found = matches(Article, "drones port")
        self.assertEqual(self.slugs(found.ranked()), ["summary"])
        make_article(slug="body-both", title="Cranes", body="Drones at the port.")
        found = matches(Article, "drones port")
        self.assertEqual(self.slugs(found.ranked()), ["summary", "body-both"])

    def test_nothing_found(self):
        found = matches(Article, "submarines")
        self.assertEqual((len(found), found.ranked(limit=5)), (0, []))


class SearchIndexTests(TestCase):
    def test_the_database_has_a_full_text_index(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                    ["portal_article_document_idx"],
                )
                (definition,) = cursor.fetchone()
                self.assertIn("USING gin (search_document)", definition)
            else:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'portal_article_fts'")
                (definition,) = cursor.fetchone()
                self.assertIn("USING fts5", definition)

    def test_sqlite_index_comes_back_after_a_migration_rebuilds_a_table(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only: its migrations rebuild tables and drop their triggers")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER portal_initiative_fts_insert")
        make_initiative(name="Missed while the trigger was gone", slug="missed")
        ensure_sqlite_index(connection)
        self.assertEqual([i.slug for i in search(Initiative.objects.all(), "missed")], ["missed"])
        make_initiative(name="Indexed by the restored trigger", slug="restored")
        self.assertEqual(
            [i.slug for i in search(Initiative.objects.all(), "restored")], ["restored"]
        )

    def test_postgresql_uses_the_index(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: SQLite's FTS5 table is the index itself")
        # Unordered: the question is whether the condition can be served by the index. An
        # ordered search of a table this small may walk a date index instead (the admin's
        # publish_at index, migration 0027) and sort, which says nothing at scale.
        queryset = search(Article.objects.order_by(), "bank")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
        self.assertIn("portal_article_document_idx", plan)


class PostgreSQLPlanTests(TestCase):
    """The indexes that keep a common word cheap are the ones PostgreSQL reads."""

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: SQLite ranks through its FTS5 table")
        make_article(title="Banks test chatbots", slug="banks")

    def plan(self, sql):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())

    def test_ranks_come_from_the_heading_index(self):
        with CaptureQueriesContext(connection) as queries:
            matches(Initiative, "bank")
        ranks = [q["sql"] for q in queries.captured_queries if "ts_rank" in q["sql"]]
        self.assertEqual(len(ranks), 1)
        self.assertIn("portal_initiative_heading_idx", self.plan(ranks[0]))

    def test_article_matches_and_ranks_come_from_the_narrow_table(self):
        with CaptureQueriesContext(connection) as queries:
            found = matches(Article, "bank")
        self.assertEqual(len(found), 1)
        reads = [q["sql"] for q in queries.captured_queries if "array_agg" in q["sql"]]
        self.assertEqual(len(reads), 2)
        self.assertIn("portal_article_search_document_idx", self.plan(reads[0]))
        self.assertIn("portal_article_search_heading_idx", self.plan(reads[1]))

    def test_the_visible_ids_come_from_an_index_alone(self):
        # Enough rows, of which the condition picks a few, and fresh statistics: on a
        # handful of rows every index costs the same, and the planner's pick depended on
        # the statistics the tests before left behind.
        now = timezone.now()
        Article.objects.bulk_create(
            Article(
                title_en=f"Article {n}",
                slug=f"bulk-{n}",
                status=Article.Status.PUBLISHED if n % 4 == 0 else Article.Status.DRAFT,
                publish_at=now + datetime.timedelta(days=1 if n % 8 == 0 else -1),
            )
            for n in range(2000)
        )
        visible_ids = (
            Article.objects.published().order_by().values_list("pk")
        )  # As facets read them.
        sql, params = visible_ids.query.sql_with_params()
        with connection.cursor() as cursor:
            sql = cursor.mogrify(sql, params)
            cursor.execute("ANALYZE portal_article")
            # A bitmap scan is as good a plan on these few pages; the question is which
            # index serves the condition.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = self.plan(sql)
        # Read from an index on (status, publish_at), never by scanning the table: either
        # of the two (the covering one, migration 0017, wins at scale:
        # tests/benchmarks/page_bench.py).
        self.assertRegex(plan, r"Index (Only )?Scan using portal_article_(lastmod|visible)_idx")


class PostgreSQLSearchTableTests(TestCase):
    """The articles' narrow search table (migration 0019) follows every write to them."""

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: SQLite searches its FTS5 table")

    def found(self, text):
        return sorted(
            Article.objects.filter(pk__in=matches(Article, text).ids).values_list("slug", flat=True)
        )

    def test_it_follows_inserts_edits_and_deletes(self):
        article = make_article(title="Banks test chatbots", slug="banks")
        self.assertEqual(self.found("chatbots"), ["banks"])
        article.title = "Banks test robots"
        article.save()
        self.assertEqual(self.found("chatbots"), [])
        self.assertEqual(self.found("robots"), ["banks"])
        article.delete()
        self.assertEqual(self.found("robots"), [])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_article_search")
            self.assertEqual(cursor.fetchone()[0], 0)

    def test_chinese_text_is_found_there_too(self):
        make_article(title="Harbour", title_zh_hant="海港無人機", slug="drones")
        self.assertEqual(self.found("無人機"), ["drones"])

    def test_an_edit_that_changes_no_words_leaves_it_alone(self):
        article = make_article(title="Banks test chatbots", slug="banks")
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM portal_article_search")
            before = cursor.fetchone()[0]
            article.status = Article.Status.DRAFT
            article.save()
            cursor.execute("SELECT ctid::text FROM portal_article_search")
            self.assertEqual(cursor.fetchone()[0], before)
