"""ETags belong to one address in one language, and a missing page is never "not modified"."""

import time_machine
from django.test import TestCase

from tests.factories import NOW, make_article


@time_machine.travel(NOW, tick=False)
class EtagTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title="Harbour AI story", slug="harbour")

    def etag(self, path):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        return response["ETag"]

    def test_each_address_and_language_has_its_own_etag(self):
        paths = [
            "/articles/",
            "/articles/harbour/",
            "/zh-hant/articles/harbour/",
            "/articles/?q=harbour",
            "/about/",
        ]
        etags = [self.etag(path) for path in paths]
        self.assertEqual(len(set(etags)), len(paths), etags)
        # Reordered parameters are the same page, with the same ETag.
        self.assertEqual(self.etag("/articles/?q=a&page=1"), self.etag("/articles/?page=1&q=a"))

    def test_a_missing_page_answers_404_whatever_etag_is_sent(self):
        etag = self.etag("/articles/harbour/")
        response = self.client.get("/articles/no-such-story/", headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(response.has_header("ETag"))
        # Even the ETag of a page that was there cannot make its 404 a 304 once it is gone.
        self.article.delete()
        response = self.client.get("/articles/harbour/", headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 404)

    def test_a_page_own_etag_still_answers_304(self):
        etag = self.etag("/articles/harbour/")
        response = self.client.get("/articles/harbour/", headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["ETag"], etag)
