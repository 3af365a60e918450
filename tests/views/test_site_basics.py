"""Site basics: the 404 and 500 pages, breadcrumbs (HTML and JSON-LD), /about/, the footer
and the print stylesheet."""

import json
import re
from unittest import mock

import time_machine
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, TestCase, override_settings
from django.utils import translation

from portal.views.errors import server_error, suggested_search
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_milestone,
    make_organisation,
    make_sector,
)
from tests.test_settings import run_python

PRINT_STYLESHEET = '<link rel="stylesheet" href="/static/css/print.css" media="print">'


def json_ld_of(response):
    """Every JSON-LD element of the page, parsed."""
    found = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(text) for text in found]


def language_links(response, label):
    """{hreflang: href} of the links in the navigation landmark named `label`."""
    html = response.content.decode()
    nav = re.search(rf'<nav[^>]*aria-label="{re.escape(label)}"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, f"no navigation named {label!r}"
    return dict(
        (lang, href)
        for href, lang in re.findall(r'<a href="([^"]+)"[^>]*hreflang="([^"]+)"', nav.group(1))
    )


class NotFoundPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(name="Healthcare", slug="healthcare")

    def test_a_mistyped_address_gets_the_branded_page_with_status_404(self):
        # One query: whether the address moved (portal.models.Redirect), asked on 404s only.
        with self.assertNumQueries(1):
            response = self.client.get("/no-such-page/")

        self.assertEqual(response.status_code, 404)
        self.assertContains(
            response, "<title>Page not found – HKAI Portal</title>", status_code=404
        )
        self.assertContains(response, "<h1>Page not found</h1>", html=True, status_code=404)
        self.assertContains(response, 'id="site-search-q"', status_code=404)  # header search
        self.assertContains(response, '<html lang="en">', status_code=404)
        self.assertContains(response, '<meta name="robots" content="noindex">', status_code=404)

    def test_it_suggests_a_search_and_links_to_the_main_sections(self):
        response = self.client.get("/initiatives/inno-hk-typo/")

        self.assertContains(
            response,
            '<input type="search" id="not-found-q" name="q" maxlength="200" value="inno hk typo">',
            html=True,
            status_code=404,
        )
        for path in ["/", "/articles/", "/initiatives/", "/organisations/", "/sectors/"]:
            self.assertContains(response, f'<a href="{path}">', status_code=404)
        for path in ["/timeline/", "/sources/", "/data/", "/about/"]:
            self.assertContains(response, f'<a href="{path}">', status_code=404)

    def test_the_chinese_edition_is_in_chinese_and_its_switch_keeps_the_path(self):
        response = self.client.get("/zh-hant/no-such-page/")

        self.assertEqual(response.status_code, 404)
        self.assertContains(response, '<html lang="zh-Hant">', status_code=404)
        self.assertContains(response, "<h1>找不到網頁</h1>", html=True, status_code=404)
        self.assertEqual(
            language_links(response, "語言"), {"en": "http://testserver/no-such-page/"}
        )

    def test_the_language_switch_gives_the_same_path_in_the_other_language(self):
        response = self.client.get("/no-such-page/?q=x")

        expected = {"zh-Hant": "http://testserver/zh-hant/no-such-page/?q=x"}
        self.assertEqual(language_links(response, "Language"), expected)
        self.assertEqual(language_links(response, "This page in another language"), expected)

    def test_a_missing_item_gets_the_same_page_in_its_language(self):
        for url, heading in [
            ("/articles/no-such-article/", "Page not found"),
            ("/zh-hant/sectors/no-such-sector/", "找不到網頁"),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, f"<h1>{heading}</h1>", html=True, status_code=404)

        response = self.client.get("/sectors/no-such-sector/")
        self.assertEqual(
            language_links(response, "Language"),
            {"zh-Hant": "http://testserver/zh-hant/sectors/no-such-sector/"},
        )

    def test_it_is_never_cached(self):
        for url in ["/no-such-page/", "/sectors/no-such-sector/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn("no-store", response["Cache-Control"])
                self.assertNotIn("public", response["Cache-Control"])
                self.assertFalse(response.has_header("ETag"))
        # The item added next is found at once, although its address was a 404 a moment ago.
        make_sector(name="No such sector", slug="no-such-sector")
        self.assertEqual(self.client.get("/sectors/no-such-sector/").status_code, 200)

    def test_search_words_come_from_the_last_part_of_the_address(self):
        self.assertEqual(suggested_search("/initiatives/inno_hk/"), "inno hk")
        self.assertEqual(suggested_search("/"), "")
        self.assertEqual(suggested_search("/a-b-c-d-e-f-g-h"), "a b c d e f")


def broken_database():
    """Every attempt to open a cursor fails, as when the database server is gone."""
    return mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("server closed the connection")
    )


class ServerErrorPageTests(TestCase):
    def setUp(self):
        # Answer as in production: the handler's page, not the exception.
        self.client = Client(raise_request_exception=False)

    def test_the_database_failing_gets_the_branded_page_with_status_500(self):
        with broken_database():
            response = self.client.get("/sectors/")

        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Sorry, something went wrong on our side", status_code=500)
        self.assertContains(response, 'id="site-search-q"', status_code=500)
        self.assertContains(response, PRINT_STYLESHEET, status_code=500)
        self.assertEqual(
            language_links(response, "Language"), {"zh-Hant": "http://testserver/zh-hant/sectors/"}
        )
        self.assertIn("no-store", response["Cache-Control"])

    def test_the_chinese_edition_is_in_chinese(self):
        with broken_database():
            response = self.client.get("/zh-hant/sectors/")

        self.assertEqual(response.status_code, 500)
        self.assertContains(response, '<html lang="zh-Hant">', status_code=500)
        self.assertContains(response, "抱歉，我們這邊出了問題", status_code=500)
        self.assertEqual(language_links(response, "語言"), {"en": "http://testserver/sectors/"})

    def test_the_page_runs_no_query(self):
        request = RequestFactory().get("/initiatives/")
        request.resolver_match = None
        with translation.override("en"), self.assertNumQueries(0):
            response = server_error(request)
        self.assertContains(response, "Sorry, something went wrong", status_code=500)

    def test_a_page_that_cannot_be_rendered_still_answers_500(self):
        with (
            mock.patch("portal.views.errors.render_to_string", side_effect=ValueError),
            self.assertLogs("portal.views.errors", "ERROR"),
            broken_database(),
        ):
            response = self.client.get("/sectors/")

        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "<h1>Server error</h1>", status_code=500)


@time_machine.travel(NOW, tick=False)
class BreadcrumbTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(name="Healthcare", name_zh_hant="醫療", slug="healthcare")
        cls.organisation = make_organisation(name="Hospital Authority", slug="ha")
        cls.initiative = make_initiative(name="AI Lab", slug="ai-lab")
        cls.article = make_article(title="Reading scans", slug="scans")
        cls.milestone = make_milestone(title="Lab opens", slug="lab-opens")

    PAGES = [
        ("/articles/scans/", "/articles/", "Articles", "Reading scans"),
        ("/initiatives/ai-lab/", "/initiatives/", "Initiatives", "AI Lab"),
        ("/organisations/ha/", "/organisations/", "Organisations", "Hospital Authority"),
        ("/sectors/healthcare/", "/sectors/", "Sectors", "Healthcare"),
        ("/timeline/lab-opens/", "/timeline/", "Timeline", "Lab opens"),
    ]

    def test_every_detail_page_has_an_accessible_trail(self):
        for url, section_url, section, name in self.PAGES:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response,
                    f"""<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
                    <li><a href="/">Home</a></li>
                    <li><a href="{section_url}">{section}</a></li>
                    <li><a href="{url}" aria-current="page">{name}</a></li>
                    </ol></nav>""",
                    html=True,
                )

    def test_the_trail_is_in_the_json_ld_as_a_breadcrumb_list(self):
        for url, section_url, section, name in self.PAGES:
            with self.subTest(url=url):
                [data] = json_ld_of(self.client.get(url))  # still one element per page
                self.assertEqual(data["@context"], "https://schema.org")
                # Pages about a thing keep it as their JSON-LD's subject, and give the trail
                # to the web page it is the main entity of.
                if "breadcrumb" in data.get("mainEntityOfPage", {}):
                    page = data["mainEntityOfPage"]
                    self.assertEqual(page["@type"], "WebPage")
                    self.assertEqual(page["@id"], f"http://testserver{url}")
                    trail = page["breadcrumb"]
                else:
                    trail = data
                self.assertEqual(trail["@type"], "BreadcrumbList")
                self.assertEqual(
                    trail["itemListElement"],
                    [
                        {
                            "@type": "ListItem",
                            "position": position,
                            "name": crumb_name,
                            "item": f"http://testserver{crumb_url}",
                        }
                        for position, (crumb_name, crumb_url) in enumerate(
                            [("Home", "/"), (section, section_url), (name, url)], start=1
                        )
                    ],
                )

    def test_pages_about_a_thing_say_what_it_is_with_the_trail_beside_it(self):
        types = {
            "/articles/scans/": "Article",
            "/organisations/ha/": "Organization",
            "/initiatives/ai-lab/": "FundingScheme",
        }
        for url, schema_type in types.items():
            with self.subTest(url=url):
                [data] = json_ld_of(self.client.get(url))
                self.assertEqual(data["@type"], schema_type)
                self.assertEqual(data["mainEntityOfPage"]["breadcrumb"]["@type"], "BreadcrumbList")

    def test_the_chinese_trail_is_in_chinese_and_marks_english_stand_ins(self):
        response = self.client.get("/zh-hant/sectors/healthcare/")
        self.assertContains(
            response,
            """<nav class="breadcrumbs" aria-label="導覽路徑"><ol>
            <li><a href="/zh-hant/">首頁</a></li>
            <li><a href="/zh-hant/sectors/">界別</a></li>
            <li><a href="/zh-hant/sectors/healthcare/" aria-current="page">醫療</a></li>
            </ol></nav>""",
            html=True,
        )
        response = self.client.get("/zh-hant/organisations/ha/")
        self.assertContains(
            response,
            '<a href="/zh-hant/organisations/ha/" aria-current="page" lang="en">'
            "Hospital Authority</a>",
            html=True,
        )
        [data] = json_ld_of(response)
        items = data["mainEntityOfPage"]["breadcrumb"]["itemListElement"]
        self.assertEqual(items[1]["item"], "http://testserver/zh-hant/organisations/")

    def test_lists_have_no_trail(self):
        for url in ["/", "/initiatives/", "/sectors/", "/about/"]:
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), 'aria-label="Breadcrumb"')

    def test_the_milestone_page_runs_a_fixed_number_of_queries(self):
        # Content state; the milestone; its initiatives, organisations, sectors and sources;
        # its newest version and its corrections.
        # (The other detail pages' counts are pinned in test_pages.QueryCountTests.)
        with self.assertNumQueries(1 + 1 + 4 + 2):
            self.assertEqual(self.client.get("/timeline/lab-opens/").status_code, 200)


class AboutPageTests(TestCase):
    def test_it_says_how_facts_are_sourced_and_checked_and_where_to_write(self):
        response = self.client.get("/about/")

        self.assertContains(response, "<h1>About the portal</h1>", html=True)
        self.assertContains(response, "How facts are sourced")
        self.assertContains(response, "How facts are checked")
        self.assertContains(response, "180 days")
        self.assertContains(response, '<a href="/sources/">sources page</a>', html=True)
        self.assertContains(response, '<a href="/changes/">change log</a>', html=True)
        self.assertContains(
            response,
            '<a href="mailto:corrections@hkai-portal.example">corrections@hkai-portal.example</a>',
            html=True,
        )
        self.assertIn("public", response["Cache-Control"])  # served through the page cache

    def test_the_chinese_edition_is_in_chinese(self):
        response = self.client.get("/zh-hant/about/")

        self.assertContains(response, '<html lang="zh-Hant">')
        self.assertContains(response, "<h1>關於本網站</h1>", html=True)
        self.assertContains(response, "報告更正")
        self.assertContains(response, '<a href="/zh-hant/changes/">更改紀錄</a>', html=True)
        self.assertContains(response, 'href="mailto:corrections@hkai-portal.example"')

    @override_settings(CORRECTIONS_EMAIL="fixes@example.org")
    def test_the_corrections_address_is_a_setting(self):
        response = self.client.get("/about/")

        self.assertContains(
            response, '<a href="mailto:fixes@example.org">fixes@example.org</a>', html=True
        )
        self.assertNotContains(response, "hkai-portal.example")

    def test_the_setting_comes_from_the_environment(self):
        code = "import hkai.settings as s; print(s.CORRECTIONS_EMAIL)"
        key = {"DJANGO_SECRET_KEY": "not-a-secret"}
        chosen = run_python("-c", code, DJANGO_CORRECTIONS_EMAIL="desk@example.org", **key)
        self.assertEqual(chosen.stdout.strip(), "desk@example.org", chosen.stderr)
        default = run_python("-c", code, **key)
        self.assertEqual(default.stdout.strip(), "corrections@hkai-portal.example", default.stderr)


class FooterTests(TestCase):
    def test_every_page_links_to_about_changes_data_and_the_licence(self):
        for url in ["/", "/about/", "/no-such-page/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                html = response.content.decode()
                footer = html[html.index('<footer class="site-footer">') :]
                for link in [
                    '<a href="/about/">About the portal</a>',
                    '<a href="/changes/">Change log</a>',
                    '<a href="/data/">Open data downloads</a>',
                    '<a href="/data/#licence">Licence</a>',
                    'href="https://creativecommons.org/licenses/by/4.0/" rel="license"',
                ]:
                    self.assertIn(link, footer)

    def test_the_footer_has_a_language_switch_named_unlike_the_headers(self):
        response = self.client.get("/zh-hant/initiatives/?sector=healthcare")

        header = language_links(response, "語言")
        footer = language_links(response, "以其他語言閱讀本頁")
        self.assertEqual(header, {"en": "http://testserver/initiatives/?sector=healthcare"})
        self.assertEqual(footer, header)
        self.assertContains(response, '<a href="/zh-hant/about/">關於本網站</a>', html=True)

    def test_pages_link_the_print_stylesheet(self):
        for url, status in {"/": 200, "/about/": 200, "/no-such-page/": 404}.items():
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), PRINT_STYLESHEET, status_code=status)
