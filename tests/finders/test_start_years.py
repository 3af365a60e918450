"""The initiatives finder's range of start years, in the page and in every format."""

import json

from django.test import TestCase

from tests.factories import make_initiative, make_sector


class StartYearRangeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for slug, year in [("y2017", 2017), ("y2020", 2020), ("y2022", 2022), ("y2025", 2025)]:
            make_initiative(slug=slug, name=f"Scheme of {year}", start_year=year)
        make_initiative(slug="undated", name="Scheme without a date", start_year=None)

    def slugs(self, query):
        response = self.client.get(f"/initiatives/?{query}")
        self.assertEqual(response.status_code, 200)
        return sorted(obj.slug for obj in response.context["object_list"])

    def test_both_ends_are_included_and_undated_initiatives_left_out(self):
        self.assertEqual(self.slugs("started_from=2020&started_to=2022"), ["y2020", "y2022"])
        self.assertEqual(self.slugs("started_from=2021"), ["y2022", "y2025"])
        self.assertEqual(self.slugs("started_to=2020"), ["y2017", "y2020"])

    def test_the_form_shows_the_range_and_chips_remove_each_end(self):
        response = self.client.get("/initiatives/?started_from=2020&started_to=2022")
        self.assertContains(response, 'name="started_from" id="id_started_from"')
        self.assertContains(response, 'value="2020"')
        self.assertContains(response, "Started in or after: 2020")
        self.assertContains(response, 'href="?started_to=2022"')

    def test_combines_with_other_filters_and_search(self):
        sector = make_sector(slug="finance")
        make_initiative(slug="bank", name="Bank scheme", start_year=2021).sectors.add(sector)
        self.assertEqual(self.slugs("started_from=2020&sector=finance"), ["bank"])
        self.assertEqual(self.slugs("started_to=2019&q=scheme"), ["y2017"])

    def test_every_format_reads_the_same_range(self):
        query = "started_from=2020&started_to=2022"
        data = json.loads(self.client.get(f"/initiatives.json?{query}").content)
        self.assertEqual(sorted(row["slug"] for row in data["results"]), ["y2020", "y2022"])
        csv = b"".join(self.client.get(f"/initiatives.csv?{query}").streaming_content).decode()
        self.assertIn("Scheme of 2020", csv)
        self.assertNotIn("Scheme of 2025", csv)
        feed = self.client.get(f"/initiatives.atom?{query}").content.decode()
        self.assertIn("Scheme of 2022", feed)
        self.assertNotIn("Scheme of 2017", feed)

    def test_a_range_that_ends_before_it_starts_is_explained(self):
        response = self.client.get("/initiatives/?started_from=2024&started_to=2020")
        self.assertContains(response, "The last year (2020) is before the first year (2024).")
        response = self.client.get("/initiatives.json?started_from=2024&started_to=2020")
        self.assertEqual(response.status_code, 400)
        self.assertIn("started_to", json.loads(response.content)["errors"])

    def test_bad_years_are_explained_not_errors(self):
        for value in ("abc", "1066", "99999", "2020.5", "-1"):
            with self.subTest(value=value):
                response = self.client.get("/initiatives/", {"started_from": value})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Started in or after:")
                self.assertEqual(response.context["object_list"], [])

    def test_a_fixed_number_of_queries(self):
        url = "/initiatives/?started_from=2018&started_to=2030"
        self.client.get(url)  # Builds the facet index and the cards.
        # State, the rows in the range (one query per end), the page's rows (their cards,
        # sectors and all, are remembered).
        with self.assertNumQueries(4):
            self.client.get(url + "&page=1")
        for n in range(40):
            make_initiative(start_year=2020 + n % 5)
        self.client.get(url)
        with self.assertNumQueries(4):
            self.client.get(url + "&page=1")
