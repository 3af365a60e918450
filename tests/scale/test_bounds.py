"""Bounded filters: how many values one address may ask for."""

from django.db import connection
from django.test import TestCase

from portal.search.query import SEARCH_STATEMENTS
from tests.factories import make_article, make_sector


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
