"""Comparing initiatives: /initiatives/compare/?items=a,b,c, its CSV, and the finder's boxes.

What a reader gets: one linkable address per comparison, the table (initiatives as columns,
attributes as rows), a page that explains every request it can't show, the same table as a
CSV, and a query count that doesn't grow with what is compared.
"""

import csv
import datetime
import io
from html.parser import HTMLParser

import time_machine
from django.test import TestCase

from portal.models import Initiative
from tests.factories import (
    NOW,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)

COMPARE = "/initiatives/compare/"


class TableReader(HTMLParser):
    """The compare table as rows of [(tag, scope, text)], and each cell's links and langs."""

    def __init__(self):
        super().__init__()
        self.rows, self.links, self.langs = [], [], []
        self._cell = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "compare-table" in attrs.get("class", ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = [tag, attrs.get("scope"), ""]
        elif tag == "a" and self._cell is not None:
            self.links.append(attrs["href"])
        elif tag == "span" and attrs.get("lang") and self._cell is not None:
            self.langs.append(attrs["lang"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            tag_, scope, text = self._cell
            self.rows[-1].append((tag_, scope, " ".join(text.split())))
            self._cell = None


def read_table(response):
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader


def texts(reader):
    """The table as a list of rows of cell texts."""
    return [[text for _tag, _scope, text in row] for row in reader.rows]


@time_machine.travel(NOW, tick=False)
class CompareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.health = make_sector(name="Healthcare", slug="healthcare", name_zh_hant="醫療")
        cls.finance = make_sector(name="Finance", slug="finance")
        cls.itc = make_organisation(
            name="Innovation and Technology Commission", slug="itc", name_zh_hant="創新科技署"
        )
        cls.hkust = make_organisation(name="HKUST", slug="hkust")
        cls.cuhk = make_organisation(name="CUHK", slug="cuhk")
        cls.report = make_source(
            url="https://example.org/report", title="Annual report", publisher="ITC"
        )
        cls.press = make_source(
            url="https://example.org/press", title="Press release", publisher="Government"
        )
        cls.innohk = make_initiative(
            name="InnoHK",
            slug="innohk",
            name_zh_hant="InnoHK創新香港研發平台",
            kind=Initiative.Kind.RESEARCH,
            start_year=2018,
            end_year=2028,
            lead_organisation=cls.itc,
        )
        cls.innohk.sectors.set([cls.health, cls.finance])
        cls.innohk.partners.set([cls.hkust, cls.cuhk])
        cls.innohk.sources.set([cls.report, cls.press])
        cls.sandbox = make_initiative(
            name="GenAI Sandbox",
            slug="sandbox",
            short_name="Sandbox",
            kind=Initiative.Kind.SANDBOX,
            status=Initiative.Status.PLANNED,
            start_year=None,
        )
        cls.fund = make_initiative(name="AI Fund", slug="fund", lead_organisation=cls.hkust)
        cls.fund.sources.set([cls.press])
        cls.fourth = make_initiative(name="Fourth", slug="fourth", lead_organisation=cls.cuhk)
        cls.fifth = make_initiative(name="Fifth", slug="fifth")

    def test_the_table_puts_initiatives_in_columns_and_attributes_in_rows(self):
        response = self.client.get(f"{COMPARE}?items=innohk,sandbox")

        self.assertEqual(response.status_code, 200)
        rows = read_table(response).rows
        header = rows[0]
        self.assertEqual(
            [(tag, scope, text) for tag, scope, text in header[1:]],
            [("th", "col", "InnoHK"), ("th", "col", "GenAI Sandbox (Sandbox)")],
        )
        body = {row[0][2]: [text for _tag, _scope, text in row[1:]] for row in rows[1:]}
        self.assertTrue(all(row[0][:2] == ("th", "row") for row in rows[1:]))
        self.assertEqual(
            list(body),
            [
                "Summary",
                "Lead organisation",
                "Kind",
                "Status",
                "Years",
                "Sectors",
                "Partner organisations",
                "Sources",
            ],
        )
        self.assertEqual(
            body["Lead organisation"], ["Innovation and Technology Commission", "None recorded"]
        )
        self.assertEqual(body["Kind"], ["Research centre or cluster", "Sandbox"])
        self.assertEqual(body["Status"], ["Active", "Planned"])
        self.assertEqual(body["Years"], ["2018 to 2028", "None recorded"])
        self.assertEqual(body["Sectors"], ["Finance Healthcare", "None recorded"])
        self.assertEqual(body["Partner organisations"], ["CUHK HKUST", "None recorded"])
        self.assertEqual(
            body["Sources"], ["Press release, Government Annual report, ITC", "None recorded"]
        )

    def test_names_link_to_their_pages_and_sources_to_the_original(self):
        links = read_table(self.client.get(f"{COMPARE}?items=innohk,fund")).links
        for url in [
            "/initiatives/innohk/",
            "/initiatives/fund/",
            "/organisations/itc/",
            "/organisations/hkust/",
            "/sectors/healthcare/",
            "https://example.org/report",
        ]:
            self.assertIn(url, links)

    def test_columns_keep_the_order_of_the_address(self):
        rows = texts(read_table(self.client.get(f"{COMPARE}?items=fund,innohk,sandbox")))
        self.assertEqual(rows[0][1:], ["AI Fund", "InnoHK", "GenAI Sandbox (Sandbox)"])

    def test_the_address_is_the_canonical_one(self):
        response = self.client.get(f"{COMPARE}?items=innohk,sandbox")
        self.assertContains(
            response,
            '<link rel="canonical" href="http://testserver/initiatives/compare/?items=innohk,sandbox">',
            html=False,
        )
        self.assertContains(response, 'href="/initiatives/compare.csv?items=innohk,sandbox"')

    def test_repeated_parameters_redirect_to_the_comma_separated_address(self):
        # What the finder's form sends when two boxes are ticked.
        response = self.client.get(f"{COMPARE}?items=innohk&items=sandbox")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], f"{COMPARE}?items=innohk,sandbox")
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_other_spellings_of_the_address_redirect_to_it_too(self):
        for query, canonical in [
            ("items=innohk,+sandbox,", "items=innohk,sandbox"),
            ("items=innohk,sandbox&utm_source=mail", "items=innohk,sandbox"),
            ("items=fund&items=innohk,sandbox", "items=fund,innohk,sandbox"),
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"{COMPARE}?{query}")
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], f"{COMPARE}?{canonical}")

    def test_an_encoded_comma_is_the_same_address(self):
        # Some clients encode every comma; the page is the same, its canonical link the short one.
        response = self.client.get(f"{COMPARE}?items=innohk%2Csandbox")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "/compare/?items=innohk,sandbox")

    def test_fewer_than_two_is_explained(self):
        for query, count in [("", 0), ("?items=innohk", 1)]:
            with self.subTest(query=query):
                response = self.client.get(f"{COMPARE}{query}")
                self.assertEqual(response.status_code, 400)
                self.assertContains(
                    response,
                    f"Choose at least 2 initiatives to compare; this address names {count}.",
                    status_code=400,
                )
                # ... and how to choose them.
                self.assertContains(response, 'href="/initiatives/"', status_code=400)
                self.assertNotContains(response, "compare-table", status_code=400)

    def test_four_can_be_compared_but_not_five(self):
        four = "innohk,sandbox,fund,fourth"
        self.assertEqual(self.client.get(f"{COMPARE}?items={four}").status_code, 200)
        response = self.client.get(f"{COMPARE}?items={four},fifth")
        self.assertContains(
            response,
            "This address names 5 initiatives; at most 4 can be compared at once.",
            status_code=400,
        )

    def test_unknown_slugs_are_named(self):
        response = self.client.get(f"{COMPARE}?items=innohk,nothing-here,sandbox")

        self.assertContains(
            response, "No published initiative has the address “nothing-here”.", status_code=404
        )
        # The two that exist can still be compared.
        self.assertContains(response, f'href="{COMPARE}?items=innohk,sandbox"', status_code=404)

    def test_an_unknown_slug_leaving_one_initiative_offers_no_comparison(self):
        response = self.client.get(f"{COMPARE}?items=innohk,nothing-here")
        self.assertContains(response, "“nothing-here”", status_code=404)
        self.assertNotContains(response, "Compare the initiatives that were found", status_code=404)

    def test_every_problem_is_listed(self):
        response = self.client.get(f"{COMPARE}?items=nothing-here,nothing-here")
        self.assertEqual(response.status_code, 400)
        for message in [
            "“nothing-here” is named more than once.",
            "Choose at least 2 initiatives to compare; this address names 1.",
            "No published initiative has the address “nothing-here”.",
        ]:
            self.assertContains(response, message, status_code=400)

    def test_markup_in_a_slug_is_shown_as_text(self):
        response = self.client.get(f"{COMPARE}?items=innohk,%3Cb%3Ex%3C/b%3E", follow=True)
        self.assertContains(response, "&lt;b&gt;x&lt;/b&gt;", status_code=404)
        self.assertNotContains(response, "<b>x</b>", status_code=404)

    def test_duplicates_are_explained(self):
        response = self.client.get(f"{COMPARE}?items=innohk,sandbox,innohk")
        self.assertContains(response, "“innohk” is named more than once.", status_code=400)

    def test_a_column_can_be_taken_out_while_two_remain(self):
        three = self.client.get(f"{COMPARE}?items=innohk,sandbox,fund")
        self.assertContains(three, f'href="{COMPARE}?items=sandbox,fund"')
        self.assertContains(three, f'href="{COMPARE}?items=innohk,fund"')
        two = self.client.get(f"{COMPARE}?items=innohk,sandbox")
        self.assertNotContains(two, f'href="{COMPARE}?items=sandbox"')

    def test_query_count_does_not_grow_with_what_is_compared(self):
        # The content state; the initiatives with their leads; sectors; partners; sources.
        for items in ["innohk,sandbox", "innohk,sandbox,fund,fourth"]:
            with self.subTest(items=items):
                with self.assertNumQueries(5):
                    response = self.client.get(f"{COMPARE}?items={items}")
                self.assertEqual(response.status_code, 200)

    def test_the_page_is_cached_like_other_public_pages(self):
        url = f"{COMPARE}?items=innohk,sandbox"
        first = self.client.get(url)
        self.assertIn("public", first["Cache-Control"])
        with self.assertNumQueries(1):  # The content state, nothing else.
            second = self.client.get(url)
        self.assertEqual(second.content, first.content)

    def test_an_edit_shows_on_the_next_request(self):
        url = f"{COMPARE}?items=innohk,sandbox"
        self.client.get(url)
        Initiative.objects.filter(slug="sandbox").update(name_en="Renamed sandbox")
        Initiative.objects.get(slug="sandbox").save()  # Saving moves the content generation.
        self.assertContains(self.client.get(url), "Renamed sandbox")


@time_machine.travel(NOW, tick=False)
@time_machine.travel(NOW, tick=False)
class CompareCsvTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        lead = make_organisation(name="Cyberport", slug="cyberport")
        partner = make_organisation(name="=HYPERLINK(1)", slug="odd")
        sector = make_sector(name="Finance", slug="finance")
        source = make_source(
            url="https://example.org/scheme", title="The scheme", publisher="Cyberport"
        )
        cls.scheme = make_initiative(
            name="AI Subsidy Scheme",
            slug="scheme",
            lead_organisation=lead,
            start_year=2024,
            summary="Subsidises computing power.",
            amount=3_000_000_000,
            amount_currency="HKD",
            amount_basis="total",
            amount_years=3,
            amount_source=source,
            applicants="universities companies",
            applicants_source=source,
            apply_url="https://example.org/apply",
            window_opens=datetime.date(2026, 10, 7),
            intake="open",
            intake_as_of=datetime.date(2026, 10, 7),
            intake_source=source,
        )
        cls.scheme.sectors.set([sector])
        cls.scheme.partners.set([partner, make_organisation(name="ASTRI", slug="astri")])
        cls.scheme.sources.set([source])
        cls.centre = make_initiative(
            name="Supercomputing Centre",
            slug="centre",
            short_name="AISC",
            kind=Initiative.Kind.INFRASTRUCTURE,
            start_year=2024,
            end_year=2025,
        )

    def rows(self, query):
        response = self.client.get(f"/initiatives/compare.csv?{query}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        text = b"".join(response.streaming_content).decode("utf-8")
        return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))

    def test_the_csv_is_the_table_of_the_page(self):
        rows = self.rows("items=scheme,centre")
        self.assertEqual(
            rows,
            [
                ["Initiative", "AI Subsidy Scheme", "Supercomputing Centre (AISC)"],
                ["Summary", "Subsidises computing power.", ""],
                ["Lead organisation", "Cyberport", ""],
                ["Kind", "Funding scheme", "Infrastructure"],
                ["Status", "Active", "Active"],
                # A funding scheme's terms, each with the source that states it.
                [
                    "Amount",
                    "HK$3,000,000,000 (the scheme's budget, over 3 years) "
                    "<https://example.org/scheme>",
                    "not stated",
                ],
                [
                    "Who may apply",
                    "Companies, Universities <https://example.org/scheme>",
                    "not stated",
                ],
                ["How to apply", "https://example.org/apply", "not stated"],
                ["Application window", "From 7 October 2026", "not stated"],
                [
                    "Applications",
                    "Open (confirmed open on 7 October 2026) <https://example.org/scheme>",
                    "not stated",
                ],
                ["Years", "From 2024", "2024 to 2025"],
                ["Sectors", "Finance", ""],
                # Formula-safe: the odd name is text, not a formula.
                ["Partner organisations", "'=HYPERLINK(1); ASTRI", ""],
                ["Sources", "The scheme (Cyberport) <https://example.org/scheme>", ""],
                [
                    "Address",
                    "http://testserver/initiatives/scheme/",
                    "http://testserver/initiatives/centre/",
                ],
            ],
        )

    def test_repeated_parameters_redirect_here_too(self):
        response = self.client.get("/initiatives/compare.csv?items=scheme&items=centre")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/initiatives/compare.csv?items=scheme,centre")

    def test_problems_are_plain_text(self):
        response = self.client.get("/initiatives/compare.csv?items=scheme")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("Choose at least 2", response.content.decode())
        missing = self.client.get("/initiatives/compare.csv?items=scheme,centre,missing")
        self.assertEqual(missing.status_code, 404)
        self.assertIn("“missing”", missing.content.decode())

    def test_the_csv_speaks_the_language_of_its_address(self):
        rows = self.rows("items=scheme,centre").__len__()
        chinese = self.client.get("/zh-hant/initiatives/compare.csv?items=scheme,centre")
        text = b"".join(chinese.streaming_content).decode("utf-8")
        table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        self.assertEqual(len(table), rows)
        self.assertIn("主導機構", [row[0] for row in table])


@time_machine.travel(NOW, tick=False)
class ChineseCompareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        lead = make_organisation(name="Cyberport", slug="cyberport", name_zh_hant="數碼港")
        cls.translated = make_initiative(
            name="AI Subsidy Scheme",
            slug="scheme",
            name_zh_hant="人工智能資助計劃",
            lead_organisation=lead,
        )
        cls.english_only = make_initiative(
            name="Supercomputing Centre",
            slug="centre",
            lead_organisation=make_organisation(name="SenseTime", slug="sensetime"),
        )

    def test_chinese_page_shows_chinese_and_marks_english_fallbacks(self):
        response = self.client.get("/zh-hant/initiatives/compare/?items=scheme,centre")

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('<html lang="zh-Hant">', html)
        self.assertIn("比較", html)
        table = read_table(response)
        self.assertEqual(texts(table)[0][1:], ["人工智能資助計劃", "Supercomputing Centre"])
        self.assertIn('<span lang="en">Supercomputing Centre</span>', html)
        self.assertIn('<span lang="en">SenseTime</span>', html)
        self.assertIn(">數碼港</a>", html)
        self.assertIn("/zh-hant/initiatives/scheme/", table.links)
        self.assertIn('href="/zh-hant/initiatives/compare.csv?items=scheme,centre"', html)

    def test_chinese_problems_are_explained_in_chinese(self):
        response = self.client.get("/zh-hant/initiatives/compare/?items=scheme")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'href="/zh-hant/initiatives/"', status_code=400)
        self.assertNotContains(response, "Choose at least", status_code=400)

    def test_chinese_repeated_parameters_redirect_within_chinese(self):
        response = self.client.get("/zh-hant/initiatives/compare/?items=scheme&items=centre")
        self.assertEqual(response["Location"], "/zh-hant/initiatives/compare/?items=scheme,centre")


@time_machine.travel(NOW, tick=False)
class FinderCompareBoxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_initiative(name="InnoHK", slug="innohk", status=Initiative.Status.ACTIVE)
        make_initiative(name="Sandbox", slug="sandbox", status=Initiative.Status.ACTIVE)

    def test_each_initiative_card_has_a_box_for_the_compare_form(self):
        html = self.client.get("/initiatives/").content.decode()
        self.assertIn(
            '<form id="compare-form" class="compare-bar" method="get" '
            'action="/initiatives/compare/"',
            html,
        )
        for slug in ["innohk", "sandbox"]:
            self.assertIn(
                f'<input type="checkbox" form="compare-form" name="items" value="{slug}" '
                f'id="compare-{slug}">',
                html,
            )
        # The box is not part of the filters form: ticking it changes no filter.
        self.assertNotIn('form="filters"', html)

    def test_the_chinese_finder_submits_to_the_chinese_compare_page(self):
        html = self.client.get("/zh-hant/initiatives/").content.decode()
        self.assertIn('action="/zh-hant/initiatives/compare/"', html)
        self.assertIn('<label for="compare-innohk">比較<span class="visually-hidden">', html)
        # compare.js fills in the count of ticked boxes.
        self.assertIn('data-template="已選 {count} 項"', html)

    def test_cards_elsewhere_have_no_box(self):
        for url in ["/", "/search/?q=InnoHK", "/organisations/", "/articles/"]:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertNotIn('form="compare-form"', html)
                self.assertNotIn('id="compare-form"', html)
