"""PostgreSQL: a search that finds many articles is remembered, and what is read back is what
a fresh search finds, whatever was written since (portal.search.memo).

TransactionTestCase: each write commits in a transaction of its own, as in production. In one
test transaction every row would have been written by a transaction still running when the
memo was made, and so tested again on every read, whatever the memo held."""

import sys
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from pyroaring import BitMap

from portal.models import Article
from portal.search import memo, warming
from portal.search.query import (
    SEARCH_STATEMENTS,
    ParsedQuery,
    SearchSQL,
    Vectors,
    index_scans,
    matches,
)
from tests.factories import make_article
from tests.test_fixtures import FIXTURE_FILES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import search_relevance  # noqa: E402 (the benchmarks folder is not a package on the path)


def remembered():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT query FROM {memo.MEMO_TABLE} ORDER BY query")
        return [query for (query,) in cursor.fetchall()]


def stored_ids():
    """The ids of the one remembered result, as stored."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ids FROM {memo.MEMO_TABLE}")
        (ids,) = cursor.fetchone()
    return sorted(BitMap.deserialize(bytes(ids)))


def fresh(text):
    """What the search's statements find, without the memo: (sorted ids, ranks)."""
    search_sql = SearchSQL.of(Vectors.for_matches(Article), ParsedQuery(text))
    with connection.cursor() as cursor, index_scans(cursor):
        ids, scores = search_sql.read(cursor)
    return sorted(ids), scores


def remember_from_three_matches(case):
    """In `case` (a test's setUp): PostgreSQL only, and results of three matches or more are
    remembered (the tests' few rows; MIN_MATCHES is for an archive)."""
    if connection.vendor != "postgresql":
        case.skipTest("PostgreSQL only: SQLite reads its FTS5 table each time")
    patcher = mock.patch.object(memo, "MIN_MATCHES", 3)
    patcher.start()
    case.addCleanup(patcher.stop)


class SearchMemoTests(TransactionTestCase):
    def setUp(self):
        remember_from_three_matches(self)
        self.articles = [
            make_article(title="Banks test chatbots", slug="a"),
            make_article(title="Chatbots in clinics", slug="b", summary="Banks watch."),
            make_article(title="A report", slug="c", body="Banks and their chatbots."),
            make_article(title="Robots", slug="d"),
        ]

    def search(self, text="bank"):
        found = matches(Article, text)
        return sorted(found.ids), found.scores

    def test_a_search_that_finds_many_is_remembered_and_read_back_the_same(self):
        expected = fresh("bank")
        self.assertEqual(self.search(), expected)  # Read afresh, then remembered.
        self.assertEqual(remembered(), ["bank"])
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.search(), expected)
        self.assertEqual(len(queries), SEARCH_STATEMENTS["postgresql"])
        self.assertIn(memo.MEMO_TABLE, queries[1]["sql"])  # After "SET enable_seqscan".
        # The matches are not read again, nor their ranks.
        self.assertNotIn("WHERE rank > 0", " ".join(q["sql"] for q in queries))

    def test_one_that_finds_few_is_not(self):
        self.search("robots")
        self.assertEqual(remembered(), [])

    def test_case_is_folded(self):
        self.search("bank")
        self.search("BANK")
        self.assertEqual(remembered(), ["bank"])

    def test_edits_inserts_and_deletes_since_are_taken_into_account(self):
        self.search()
        a, b, c, d = self.articles
        a.title = "Tests of chatbots"  # Leaves the heading: no rank; still in the body? No.
        a.save()
        b.title = "Banks and clinics"  # A stronger heading match.
        b.save()
        d.body = "Banks too."  # Now a match, in the body only.
        d.save()
        make_article(title="Bank news", slug="e")
        deleted = c.pk
        c.delete()
        found, scores = self.search()
        expected, expected_scores = fresh("bank")
        self.assertEqual(scores, expected_scores)
        # The deleted article is still among the remembered ids: readers never see it, as
        # every caller intersects the ids with the visible rows.
        self.assertEqual(sorted(set(found) - {deleted}), expected)
        self.assertEqual(remembered(), ["bank"])  # Corrected, not made again.

    def test_past_max_corrections_the_result_is_made_again(self):
        for n in range(3):
            make_article(title=f"Bank {n}", slug=f"x{n}")
        self.search()
        with mock.patch.object(memo, "MAX_CORRECTIONS", 1):
            for article in self.articles[:2]:
                article.title, article.summary, article.body = "Firms", "", "Nothing."
                article.save()
            expected = fresh("bank")
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.search(), expected)
            # The memo and too many rows written since; the ids and ranks afresh; the memo
            # replaced.
            self.assertEqual(len(queries), SEARCH_STATEMENTS["postgresql"] + 3)
            self.assertEqual(stored_ids(), expected[0])

    def test_a_result_brought_up_to_date_from_many_rows_is_stored_again(self):
        # How many rows a read tests again also depends on the transactions running
        # elsewhere in the database, which hold the horizon back: hence the extremes.
        self.search()
        made = stored_ids()
        self.articles[0].title = "Firms"
        self.articles[0].save()
        with mock.patch.object(memo, "REMEMBER_AGAIN", 10**6):
            self.search()
        self.assertEqual(stored_ids(), made)
        with mock.patch.object(memo, "REMEMBER_AGAIN", 0):
            self.assertEqual(self.search(), fresh("bank"))
        self.assertEqual(stored_ids(), fresh("bank")[0])
        self.assertNotEqual(stored_ids(), made)

    def test_a_long_transaction_holding_the_horizon_back_stops_storing_again(self):
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:  # An import, say, writing for minutes.
                cursor.execute("BEGIN")
                cursor.execute("SELECT pg_current_xact_id()")
            self.search()
            made = stored_ids()
            self.articles[0].title = "Firms"
            self.articles[0].save()
            with mock.patch.object(memo, "REMEMBER_AGAIN", 0):
                self.assertEqual(self.search(), fresh("bank"))
            # Stored again, it would still test the same rows: not stored.
            self.assertEqual(stored_ids(), made)
        finally:
            other.close()  # Its transaction rolls back.

    def test_at_most_max_rows_are_kept_the_newest(self):
        for n in range(3):
            make_article(title=f"Banks and chatbots {n}", slug=f"x{n}")
        with mock.patch.object(memo, "MAX_ROWS", 2):
            for text in ("bank", "chatbots", "banks chatbots"):
                self.search(text)
        self.assertEqual(remembered(), ["banks chatbots", "chatbots"])

    def test_a_result_that_cannot_be_stored_is_still_returned(self):
        expected = fresh("bank")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL transaction_read_only = on")  # A replica, say.
            with self.assertLogs("portal.search.memo", "WARNING"):
                self.assertEqual(self.search(), expected)
        self.assertEqual(remembered(), [])

    def test_finders_and_the_site_search_read_the_memo(self):
        for url in ("/articles/?q=bank", "/search/?q=bank"):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), "Banks test chatbots")
        self.assertEqual(remembered(), ["bank"])
        Article.objects.filter(slug="a").update(status=Article.Status.DRAFT)
        response = self.client.get("/articles/?q=bank")
        self.assertNotContains(response, "Banks test chatbots")
        self.assertContains(response, "Chatbots in clinics")


class WarmingTests(TestCase):
    def setUp(self):
        remember_from_three_matches(self)

    def test_the_common_words_are_those_in_the_most_articles(self):
        for n in range(4):
            make_article(title=f"Hospital {n}", body="The hospital's chatbots.")
        make_article(title="Chatbots", body="Nothing else.")
        self.assertEqual(warming.common_words(2), ["chatbots", "hospital"])

    def test_an_import_remembers_the_common_words(self):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=StringIO())
        self.assertIn("hong", remembered())

    def test_warm_caches_remembers_the_common_words_and_brings_back_the_remembered(self):
        for n in range(4):
            make_article(title=f"Hospital pilots {n}")
        matches(Article, "hospital pilots")
        call_command("warm_caches", stdout=StringIO())
        self.assertIn("hospital", remembered())
        self.assertIn("hospital pilots", remembered())


class JudgedQueriesTests(TransactionTestCase):
    """Every judged query (English, Chinese, mixed, with synonyms) reads back from the memo
    exactly what its statements find: ids and ranks."""

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only: the memo is PostgreSQL's")
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=StringIO())

    def test_each_reads_back_what_its_statements_find(self):
        thesaurus = search_relevance.make_thesaurus()
        queries = [
            judged.query for judged in search_relevance.load_judgments(search_relevance.JUDGMENTS)
        ]
        with mock.patch.object(memo, "MIN_MATCHES", 1):
            for text in queries:
                with self.subTest(query=text):
                    query = ParsedQuery(text, thesaurus)
                    search_sql = SearchSQL.of(Vectors.for_matches(Article), query)
                    with connection.cursor() as cursor, index_scans(cursor):
                        expected = search_sql.read(cursor)
                    for _read in ("afresh", "from the memo"):
                        found = matches(Article, text, thesaurus)
                        self.assertEqual((found.ids, found.scores), expected)
        self.assertGreater(len(remembered()), len(queries) / 2)
