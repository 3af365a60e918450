"""Bad input gets a clear answer, never a 500: every list URL, every parameter, any value.

The test client re-raises a view's exception, so a server error fails these tests loudly.
An answer is a 200 page that explains the problem, a 400 or a 404. Injected markup never
comes back unescaped in a page or a feed.
"""

import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from portal.models import Initiative
from tests.factories import make_article, make_initiative, make_organisation, make_sector

LIST_URLS = [
    "/articles/",
    "/initiatives/",
    "/organisations/",
    "/search/",
    "/articles.atom",
    "/articles.csv",
    "/articles.json",
    "/initiatives.atom",
    "/initiatives.csv",
    "/initiatives.json",
    "/network/",
]
PARAMETERS = [
    "q",
    "sector",
    "initiative",
    "organisation",
    "year",
    "kind",
    "status",
    "active_in",
    "started_from",
    "started_to",
    "sort",
    "page",
    "page_size",
]
# Values that must be parts of a real answer, so that bad values meet real data too.
REAL_VALUES = ["finance", "hkma", "lab", "2025", "sandbox", "active", "newest", "relevance", "1"]
SCRIPTS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
# Tried on every URL with every parameter; the fuzzing below draws from these and more.
NASTY_VALUES = [
    *SCRIPTS,
    "' OR 1=1 --",
    "1; DROP TABLE portal_article",
    "%",
    "\x00",
    "fin\x00ance",
    "\x01\x1f",
    "\ufffe",
    "\u202egnp.exe",
    "香港 金融 🤖",
    "١٢٣",
    "-1",
    "1e309",
    str(2**63),
    "9" * 5000,
    "x" * 5000,
]
MORE_NASTY_VALUES = [
    '" OR ""="',
    "_",
    "\\",
    "\u0301",
    "²",
    "0",
    "00",
    "1.5",
    "NaN",
    "inf",
    str(-(2**63) - 1),
    "AND " * 300,
    " ",
    "",
    "\t\n",
    "finance\n",
    "a:b",
    '"unclosed',
    "NEAR(a b)",
    "* OR title:*",
    "-x",
    "!@#$%^&*()",
]

values = st.one_of(
    st.sampled_from(NASTY_VALUES + MORE_NASTY_VALUES),
    st.sampled_from(REAL_VALUES),
    st.text(max_size=40),
    st.text(min_size=190, max_size=400),
    st.integers().map(str),
    st.builds(
        lambda a, script, b: a + script + b,
        st.text(max_size=5),
        st.sampled_from(SCRIPTS),
        st.text(max_size=5),
    ),
)
names = st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=12))
queries = st.lists(st.tuples(names, values), min_size=1, max_size=4)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        finance = make_sector(name="Finance", slug="finance")
        hkma = make_organisation(name="HKMA", slug="hkma")
        lab = make_initiative(
            name="AI Lab",
            slug="lab",
            kind=Initiative.Kind.SANDBOX,
            start_year=2024,
            lead_organisation=hkma,
        )
        lab.sectors.add(finance)
        article = make_article(title="Banks and AI", slug="banks", summary="Sandbox news")
        article.sectors.add(finance)
        article.initiatives.add(lab)
        article.organisations.add(hkma)

    def assert_clear_answer(self, url, query):
        """Request `url` with `query` (pairs, or an encoded string); check the answer."""
        response = (
            self.client.get(url, query)
            if isinstance(query, list)
            else (self.client.get(f"{url}?{query}"))
        )
        self.assertIn(response.status_code, {200, 400, 404}, f"{url} {query!r}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"].startswith(("text/html", "application/atom+xml")):
            text = body.decode()
            self.assertNotIn("<script>alert(", text)
            self.assertNotIn("<img src=x", text)
        return response

    def test_every_url_and_parameter_with_each_nasty_value(self):
        for url in LIST_URLS:
            for value in NASTY_VALUES:
                with self.subTest(url=url, value=value[:20]):
                    self.assert_clear_answer(url, [(name, value) for name in PARAMETERS])

    def test_nasty_values_next_to_valid_filters(self):
        for value in NASTY_VALUES:
            with self.subTest(value=value[:20]):
                for url, valid in [
                    ("/articles.json", ("sector", "finance")),
                    ("/initiatives/", ("kind", "sandbox")),
                    ("/articles.csv", ("year", "2026")),
                    ("/initiatives.atom", ("active_in", "2025")),
                ]:
                    self.assert_clear_answer(url, [valid, ("q", value)])

    def test_search_text_without_words_finds_nothing_whatever_the_sort(self):
        for url in ["/search/", "/articles/", "/articles.json", "/initiatives.csv"]:
            for query in ["?q=%25", "?q=%25&sort=relevance", "?q=!?"]:
                with self.subTest(url=url, query=query):
                    response = self.client.get(url + query)
                    self.assertEqual(response.status_code, 200)
                    self.assertNotContains(response, "Banks and AI")

    @FUZZ
    @given(url=st.sampled_from(LIST_URLS), query=queries)
    def test_any_parameters_on_any_list_url(self, url, query):
        self.assert_clear_answer(url, query)

    @FUZZ
    @given(url=st.sampled_from(LIST_URLS), raw=st.binary(max_size=60))
    def test_any_bytes_in_the_query_string(self, url, raw):
        # Percent-encoded bytes that need not be UTF-8, with & and = left as separators.
        self.assert_clear_answer(url, urllib.parse.quote_from_bytes(raw, safe="&="))
