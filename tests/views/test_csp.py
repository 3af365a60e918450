"""Every response carries the Content-Security-Policy; tests/browser/test_csp.py shows that
nothing the site needs breaks under it."""

import re

from django.contrib.auth import get_user_model
from django.test import TestCase

from portal.models import Article
from tests.admin_pages import admin_url
from tests.factories import make_article

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class ContentSecurityPolicyTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title="Banks and AI", slug="banks")
        cls.admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    def test_every_kind_of_response_carries_the_policy(self):
        for url in [
            "/",
            "/zh-hant/articles/",
            self.article.get_absolute_url(),
            "/articles.json",
            "/healthz",
            "/no-such-page/",  # 404
            "/static/css/portal.css",  # served by whitenoise
            "/admin/login/",
            "/admin/",  # a redirect to the login page
        ]:
            with self.subTest(url=url):
                policy = self.client.get(url)["Content-Security-Policy"]
                # Admin pages add their nonce to style-src (see below).
                self.assertEqual(re.sub(r" 'nonce-[^']+'", "", policy), POLICY)

    def test_sitemaps_allow_inline_styles_for_the_browsers_xml_viewer_and_nothing_more(self):
        for url in ["/sitemap.xml", "/sitemap-articles.xml"]:
            with self.subTest(url=url):
                policy = self.client.get(url)["Content-Security-Policy"]
                expected = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
                self.assertEqual(policy, expected)
                self.assertIn("script-src 'self'", policy)

    def test_admin_pages_allow_their_own_inline_styles_by_nonce(self):
        self.client.force_login(self.admin)

        response = self.client.get("/admin/")

        # The dashboard's stylesheet carries the page's nonce, as an inline style would.
        nonce = re.search(r"\snonce=\"([^\"]+)\"", response.content.decode()).group(1)
        self.assertIn(f"style-src 'self' 'nonce-{nonce}'", response["Content-Security-Policy"])
        self.assertNotIn("style=", response.content.decode())

    def test_the_history_page_allows_exactly_one_style_attribute(self):
        self.client.force_login(self.admin)

        response = self.client.get(admin_url(Article, "history", self.article.pk))

        self.assertIn(
            "style-src-attr 'unsafe-hashes' 'sha256-",  # the hash of "visibility:hidden"
            response["Content-Security-Policy"],
        )
        self.assertNotIn("unsafe-inline", response["Content-Security-Policy"])
