"""Bounded page depth, on every list and in every format."""

from unittest import mock

from django.test import TestCase

from tests.factories import make_article


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
