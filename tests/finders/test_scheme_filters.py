"""The initiatives finder's scheme filters (issue #21): "open now" and "who may apply", their
facet counts from the index, chips, formats, and what a cached page says when a window shuts.
"""

import csv
import datetime
import io
import json

import time_machine
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from portal.caching.generation import content_state
from portal.finders.facets import forget_indexes
from tests.factories import NOW, make_initiative, make_source

TODAY = timezone.localdate(NOW)  # 25 November 2026 in Hong Kong
DAY = datetime.timedelta(days=1)


def local_midnight(day):
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


@time_machine.travel(NOW, tick=False)
class SchemeFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        source = make_source(url="https://example.org/aiss", title="AISS opens")
        # Open: confirmed last month, no closing date.
        cls.subsidy = make_initiative(
            name="AI Subsidy Scheme",
            slug="subsidy",
            applicants="universities research-institutes companies",
            intake="open",
            intake_as_of=TODAY - 30 * DAY,
            intake_source=source,
            amount=3_000_000_000,
            amount_currency="HKD",
            amount_basis="total",
        )
        cls.subsidy.sources.set([source])
        # Open until today, inclusive: a window that closes tonight.
        cls.closing = make_initiative(
            name="Closing Tonight Scheme",
            slug="closing",
            applicants="universities",
            window_opens=TODAY - 40 * DAY,
            window_closes=TODAY,
        )
        # Closed.
        cls.closed = make_initiative(
            name="Closed Scheme",
            slug="closed",
            applicants="schools",
            intake="closed",
            intake_as_of=TODAY - 5 * DAY,
        )
        # Nothing stated.
        cls.strategy = make_initiative(name="A Strategy", slug="strategy", kind="strategy")

    def setUp(self):
        cache.clear()
        forget_indexes()

    def finder_json(self, query):
        response = self.client.get(f"/initiatives.json{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return json.loads(response.content)

    def slugs(self, query):
        return sorted(item["slug"] for item in self.finder_json(query)["results"])

    def test_open_now_lists_the_schemes_taking_applications_today(self):
        self.assertEqual(self.slugs("?applications=open"), ["closing", "subsidy"])
        data = self.finder_json("?applications=open")
        facet = {o["value"]: o["count"] for o in data["facets"]["applications"]}
        self.assertEqual(facet, {"open": 2})
        self.assertEqual(
            {item["slug"]: item["open_now"] for item in self.finder_json("")["results"]},
            {"subsidy": True, "closing": True, "closed": False, "strategy": None},
        )

    def test_who_may_apply_matches_any_chosen_group_and_counts_each(self):
        self.assertEqual(self.slugs("?applicants=universities"), ["closing", "subsidy"])
        self.assertEqual(
            self.slugs("?applicants=schools&applicants=companies"), ["closed", "subsidy"]
        )
        # "research-institutes" is one code, not "research" in another.
        self.assertEqual(self.slugs("?applicants=research-institutes"), ["subsidy"])
        counts = {
            o["value"]: o["count"]
            for o in self.finder_json("?applications=open")["facets"]["applicants"]
        }
        self.assertEqual(counts["universities"], 2)
        self.assertEqual(counts["companies"], 1)
        self.assertEqual(counts["schools"], 0)
        self.assertEqual(
            self.slugs("?applications=open&applicants=schools&applicants=universities"),
            ["closing", "subsidy"],
        )

    def test_the_finder_page_shows_the_filters_and_their_chips(self):
        response = self.client.get("/initiatives/?applications=open&applicants=companies")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="applications" value="open"')
        self.assertContains(response, 'name="applicants" value="universities"')
        self.assertContains(response, "Applications: Open now")
        self.assertContains(response, "Who may apply: Companies")
        self.assertContains(response, "AI Subsidy Scheme")
        self.assertNotContains(response, "Closing Tonight Scheme")

    def test_unknown_values_are_explained_not_a_server_error(self):
        for query in ("?applicants=aliens", "?applications=maybe", "?applicants=%00"):
            with self.subTest(query=query):
                response = self.client.get(f"/initiatives/{query}")
                self.assertIn(response.status_code, (200, 400))
                self.assertNotEqual(response.status_code, 500)

    def test_the_csv_carries_the_terms(self):
        response = self.client.get("/initiatives.csv?applicants=companies")
        text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
        (row,) = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(row["Amount"], "3000000000")
        self.assertEqual(row["Currency"], "Hong Kong dollars")
        self.assertEqual(row["Who may apply"], "companies universities research-institutes")
        self.assertEqual(row["Applications confirmed by"], "https://example.org/aiss")
        self.assertEqual(row["Open now"], "True")

    def test_a_window_that_closes_tonight_is_closed_tomorrow_on_every_cached_page(self):
        # Today: listed as open, and every cache entry made now expires at midnight.
        self.assertIn("closing", self.slugs("?applications=open"))
        page = self.client.get("/initiatives/closing/")
        self.assertContains(page, "Open (within the dates the source gives)")
        self.assertEqual(content_state().expires_at, local_midnight(TODAY + DAY))
        before = content_state().key
        # Tomorrow, with no write in between: a new key, and the page and the finder agree.
        with time_machine.travel(local_midnight(TODAY + DAY) + datetime.timedelta(minutes=1)):
            self.assertNotEqual(content_state().key, before)
            self.assertEqual(self.slugs("?applications=open"), ["subsidy"])
            page = self.client.get("/initiatives/closing/")
            self.assertContains(
                page, "Closed: the window the sources give ended on 25 November 2026"
            )

    def test_an_open_confirmation_stops_counting_when_it_goes_stale(self):
        stale_day = self.subsidy.intake_as_of + datetime.timedelta(days=181)
        self.assertEqual(content_state().expires_at.date(), TODAY + DAY)  # the closing first
        with time_machine.travel(local_midnight(stale_day - DAY) + datetime.timedelta(hours=1)):
            self.assertEqual(self.slugs("?applications=open"), ["subsidy"])
            self.assertEqual(content_state().expires_at, local_midnight(stale_day))
        with time_machine.travel(local_midnight(stale_day) + datetime.timedelta(hours=1)):
            self.assertEqual(self.slugs("?applications=open"), [])
            self.assertContains(self.client.get("/initiatives/subsidy/"), "not confirmed since")
