"""Odd input answered without a server error, on both databases."""

from django.test import TestCase


class NulInAddressTests(TestCase):
    def test_a_nul_in_a_missing_address_is_a_404(self):
        # A 404 looks for a moved address (portal.middleware); PostgreSQL refuses a NUL.
        for path in ["/articles/a%00b/", "/zh-hant/articles/%00/", "/no-such-page/%00"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)
