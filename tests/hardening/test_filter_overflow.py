"""A source number past what a 64-bit column holds is an invalid filter, not a server error
(portal.finders.filters.SourceNumbersField)."""

import time_machine
from django.test import TestCase

from tests.factories import NOW, make_article

NUMBERS = ["99999999999999999999", "-99999999999999999999", str(2**63), str(-(2**63) - 1)]
LISTS = [
    "/articles/",
    "/articles.csv",
    "/articles.json",
    "/articles.atom",
    "/initiatives/",
    "/organisations/",
    "/zh-hant/articles/",
]


@time_machine.travel(NOW, tick=False)
class SourceOverflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(title="Harbour AI story")

    def test_numbers_past_64_bits_are_refused_as_filters(self):
        for path in LISTS:
            for number in NUMBERS:
                with self.subTest(path=path, number=number):
                    response = self.client.get(path, {"source": number})
                    self.assertLess(response.status_code, 500)
                    self.assertIn(response.status_code, {200, 400})

    def test_the_finder_says_the_source_is_not_one(self):
        response = self.client.get("/articles/", {"source": NUMBERS[0]})
        self.assertContains(response, NUMBERS[0], status_code=response.status_code)
        self.assertNotContains(response, "Harbour AI story", status_code=response.status_code)

    def test_the_largest_64_bit_number_is_merely_unknown(self):
        response = self.client.get("/articles/", {"source": str(2**63 - 1)})
        self.assertLess(response.status_code, 500)
