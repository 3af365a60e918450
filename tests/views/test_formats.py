"""The finders' other formats: Atom, CSV and JSON give the items the HTML page gives."""

import csv
import datetime
import io
import json
from unittest import mock
from xml.etree import ElementTree

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext

from portal.finders import exports
from portal.finders.facets import forget_indexes
from portal.finders.listings import ARTICLES, INITIATIVES
from portal.models import Article, Correction, Initiative
from portal.views.finders import format_links
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)

ATOM = "{http://www.w3.org/2005/Atom}"
DAY = datetime.timedelta(days=1)


def slug_of(url):
    return url.rstrip("/").rsplit("/", 1)[-1]


class FormatReader:
    """Reads the items of a finder page and of its three other formats, as lists of slugs."""

    def html_slugs(self, path, query):
        response = self.client.get(f"/{path}/{query}")
        self.assertEqual(response.status_code, 200)
        return [obj.slug for obj in response.context["object_list"]]

    def feed(self, path, query=""):
        response = self.client.get(f"/{path}.atom{query}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        return ElementTree.fromstring(response.content)

    def feed_slugs(self, path, query):
        entries = self.feed(path, query).iter(f"{ATOM}entry")
        return [slug_of(entry.find(f"{ATOM}link").get("href")) for entry in entries]

    def csv_rows(self, path, query=""):
        """The CSV's rows as dicts keyed by the header row; checks that it streams."""
        response = self.client.get(f"/{path}.csv{query}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        text = b"".join(response.streaming_content).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"), "Excel needs the byte order mark")
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))

    def csv_slugs(self, path, query):
        return [slug_of(row["URL"]) for row in self.csv_rows(path, query)]

    def json(self, path, query="", status=200):
        response = self.client.get(f"/{path}.json{query}")
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        return json.loads(response.content)

    def json_slugs(self, path, query):
        data = self.json(path, query)
        self.assertEqual(data["count"], len(data["results"]))
        return [result["slug"] for result in data["results"]]


@time_machine.travel(NOW, tick=False)
class SameQueryEveryFormatTests(FormatReader, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.banking = make_sector(name="Banking and financial services", slug="banking")
        cls.health = make_sector(name="Healthcare", slug="health")
        cls.education = make_sector(name="Education", slug="education")
        hkma = make_organisation(name="HKMA", slug="hkma")
        ha = make_organisation(name="Hospital Authority", slug="ha")
        hku = make_organisation(name="HKU", slug="hku")

        def initiative(
            slug,
            name,
            sectors,
            kind,
            start,
            end=None,
            lead=None,
            partners=(),
            status=Initiative.Status.ACTIVE,
            **fields,
        ):
            obj = make_initiative(
                slug=slug,
                name=name,
                kind=kind,
                status=status,
                start_year=start,
                end_year=end,
                lead_organisation=lead,
                **fields,
            )
            obj.sectors.set(sectors)
            obj.partners.set(partners)
            return obj

        K = Initiative.Kind
        sandbox = initiative(
            "genai-sandbox",
            "GenAI Sandbox",
            [cls.banking],
            K.SANDBOX,
            2024,
            lead=hkma,
            partners=[hku],
            summary="A sandbox for banks.",
        )
        initiative(
            "fintech-sandbox",
            "Fintech Supervisory Sandbox",
            [cls.banking],
            K.SANDBOX,
            2016,
            lead=hkma,
        )
        initiative(
            "principles", "High-level principles", [cls.banking], K.REGULATION, 2019, lead=hkma
        )
        initiative(
            "fintech-2025",
            "Fintech 2025",
            [cls.banking],
            K.STRATEGY,
            2021,
            2025,
            status=Initiative.Status.COMPLETED,
        )
        initiative("ai-lab", "AI Lab", [cls.health], K.RESEARCH, 2018, lead=ha, partners=[hku])
        initiative(
            "both",
            "Both worlds",
            [cls.banking, cls.health],
            K.FUNDING,
            2026,
            lead=ha,
            status=Initiative.Status.PLANNED,
        )
        initiative("schools", "AI in schools", [cls.education], K.TALENT, 2023, 2024)
        # Spreadsheets would run this name as a formula.
        initiative(
            "formula",
            "@SUM(1+1)",
            [cls.education],
            K.TALENT,
            2022,
            summary='=HYPERLINK("http://evil.example")',
        )

        def article(slug, title, days_ago, sectors=(), initiatives=(), organisations=(), **fields):
            obj = make_article(slug=slug, title=title, publish_at=NOW - days_ago * DAY, **fields)
            obj.sectors.set(sectors)
            obj.initiatives.set(initiatives)
            obj.organisations.set(organisations)
            return obj

        article(
            "sandbox-opens",
            "Banks try generative AI in a sandbox",
            3,
            [cls.banking],
            [sandbox],
            [hkma],
            summary="The HKMA opens its sandbox.",
        )
        article("scans", "Reading scans with AI", 10, [cls.health], organisations=[ha])
        article(
            "both-sides",
            "Banks and hospitals share models",
            40,
            [cls.banking, cls.health],
            organisations=[hkma, ha],
        )
        article("old-rules", "Principles for banks", 400, [cls.banking], organisations=[hkma])
        article("classrooms", "Chatbots in classrooms", 700, [cls.education])
        article("minus", "-1 is a number", 800, [cls.education], summary="+ and - are formulas")
        # Readers never see these, in any format.
        article("draft-banks", "Banks draft", 2, [cls.banking], status=Article.Status.DRAFT)
        article("scheduled-banks", "Banks scheduled", -5, [cls.banking])

    def assert_same_items(self, path, query, feed_query=None):
        """HTML, CSV and JSON list the same items in the same order; so does the feed when the
        query sorts (otherwise the feed's default order is `feed_query`'s)."""
        html = self.html_slugs(path, query)
        self.assertEqual(self.csv_slugs(path, query), html)
        self.assertEqual(self.json_slugs(path, query), html)
        if feed_query is None:
            self.assertEqual(self.feed_slugs(path, query), html)
        else:
            self.assertEqual(self.feed_slugs(path, query), self.html_slugs(path, feed_query))
        return html

    def test_articles_match_in_every_format(self):
        cases = {
            "": ["sandbox-opens", "scans", "both-sides", "old-rules", "classrooms", "minus"],
            "?sector=banking": ["sandbox-opens", "both-sides", "old-rules"],
            "?sector=banking&sector=health": ["sandbox-opens", "scans", "both-sides", "old-rules"],
            "?organisation=hkma&sort=oldest": ["old-rules", "both-sides", "sandbox-opens"],
            "?sort=title": [
                "minus",
                "both-sides",
                "sandbox-opens",
                "classrooms",
                "old-rules",
                "scans",
            ],
            "?year=2026": ["sandbox-opens", "scans", "both-sides"],
            "?initiative=genai-sandbox": ["sandbox-opens"],
            "?sector=education&year=2025": [],
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.assert_same_items("articles", query), expected)

    def test_article_search_in_every_format(self):
        html = self.html_slugs("articles", "?q=banks")
        self.assertCountEqual(html, ["sandbox-opens", "both-sides", "old-rules"])
        self.assertEqual(self.csv_slugs("articles", "?q=banks"), html)
        self.assertEqual(self.json_slugs("articles", "?q=banks"), html)
        # The feed lists the newest matches, not the most relevant.
        self.assertEqual(
            self.feed_slugs("articles", "?q=banks"), ["sandbox-opens", "both-sides", "old-rules"]
        )
        self.assert_same_items("articles", "?q=banks&sort=relevance")

    def test_initiatives_match_in_every_format(self):
        cases = {
            "": [
                "ai-lab",
                "both",
                "fintech-sandbox",
                "fintech-2025",
                "genai-sandbox",
                "principles",
                "schools",
                "formula",
            ],
            "?sector=banking&kind=sandbox": ["fintech-sandbox", "genai-sandbox"],
            "?active_in=2025&sector=banking": [
                "fintech-sandbox",
                "fintech-2025",
                "genai-sandbox",
                "principles",
            ],
            "?organisation=hku": ["ai-lab", "genai-sandbox"],
            "?status=planned": ["both"],
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                # Without a sort the feed lists the newest first; with one it follows it.
                feed_query = f"{query or '?'}&sort=newest"
                # Names sort by the database's collation, so only the set is fixed here.
                self.assertCountEqual(
                    self.assert_same_items("initiatives", query, feed_query), expected
                )
        for query in [
            "?sector=banking&sector=health&sort=newest",
            "?sort=oldest&kind=talent",
            "?q=sandbox&sort=name",
            "?active_in=2024&sort=newest",
        ]:
            with self.subTest(query=query):
                self.assert_same_items("initiatives", query)

    def test_drafts_and_scheduled_articles_appear_in_no_format(self):
        for query in ["", "?sector=banking", "?q=banks", "?year=2026&sort=title"]:
            with self.subTest(query=query):
                for slugs in (
                    self.feed_slugs("articles", query),
                    self.csv_slugs("articles", query),
                    self.json_slugs("articles", query),
                ):
                    self.assertNotIn("draft-banks", slugs)
                    self.assertNotIn("scheduled-banks", slugs)
        facet = self.json("articles")["facets"]["sector"]
        self.assertEqual(next(o for o in facet if o["value"] == "banking")["count"], 3)

    def test_feed_title_names_the_filters(self):
        feed = self.feed("initiatives", "?sector=banking&kind=sandbox")
        self.assertEqual(
            feed.findtext(f"{ATOM}title"),
            "HKAI Portal: initiatives \u2014 Sector: Banking and financial services, Kind: Sandbox",
        )
        self.assertEqual(self.feed("articles").findtext(f"{ATOM}title"), "HKAI Portal: articles")

    def test_feed_entries_link_to_the_items_with_dates(self):
        feed = self.feed("articles", "?sector=health")
        alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
        self.assertEqual(alternate, "http://testserver/articles/?sector=health")
        self.assertEqual(
            feed.find(f"{ATOM}link[@rel='self']").get("href"),
            "http://testserver/articles.atom?sector=health",
        )
        entry = feed.find(f"{ATOM}entry")
        self.assertEqual(entry.findtext(f"{ATOM}title"), "Reading scans with AI")
        self.assertEqual(entry.find(f"{ATOM}link").get("href"), "http://testserver/articles/scans/")
        published = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
        self.assertEqual(published, NOW - 10 * DAY)
        self.assertEqual([c.get("term") for c in entry.iter(f"{ATOM}category")], ["Healthcare"])

    def test_feed_lists_at_most_fifty_items(self):
        for n in range(55):
            make_article(slug=f"bulk-{n}", publish_at=NOW - (1000 + n) * DAY)
        self.assertEqual(len(self.feed_slugs("articles", "")), 50)

    def test_csv_has_a_header_for_people_and_every_row(self):
        rows = self.csv_rows("initiatives", "?kind=sandbox&sort=newest")
        self.assertEqual(
            rows[0],
            {
                "Name": "GenAI Sandbox",
                "Short name": "",
                "Kind": "Sandbox",
                "Status": "Active",
                "Status as of": "",
                "Status confirmed by": "",
                "Start year": "2024",
                "End year": "",
                "Lead organisation": "HKMA",
                "Partners": "HKU",
                "Sectors": "Banking and financial services",
                "Website": "",
                "Summary": "A sandbox for banks.",
                # A funding scheme's terms: none stated for a sandbox.
                "Amount": "",
                "Currency": "",
                "Amount is": "",
                "Over years": "",
                "Amount stated by": "",
                "Who may apply": "",
                "Who may apply stated by": "",
                "How to apply": "",
                "Applications open": "",
                "Applications close": "",
                "Rolling applications": "False",
                "Applications": "",
                "Applications as of": "",
                "Applications confirmed by": "",
                "Open now": "",
                "URL": "http://testserver/initiatives/genai-sandbox/",
                "Corrections": "",
            },
        )
        self.assertEqual(len(rows), 2)
        article = self.csv_rows("articles", "?sector=banking&sector=health")[2]
        self.assertEqual(article["Title"], "Banks and hospitals share models")
        self.assertEqual(article["Sectors"], "Banking and financial services; Healthcare")
        self.assertEqual(article["Organisations"], "HKMA; Hospital Authority")
        self.assertEqual(datetime.datetime.fromisoformat(article["Published"]), NOW - 40 * DAY)

    def test_csv_and_json_give_the_date_and_source_that_confirmed_a_status(self):
        source = make_source(url="https://www.hkma.gov.hk/sandbox-status")
        initiative = Initiative.objects.get(slug="genai-sandbox")
        initiative.status_as_of = datetime.date(2026, 3, 31)
        initiative.status_source = source
        initiative.save()
        initiative.sources.add(source)
        header = list(self.csv_rows("initiatives")[0])
        self.assertEqual(
            header[header.index("Status") + 1 :][:2], ["Status as of", "Status confirmed by"]
        )
        row = next(r for r in self.csv_rows("initiatives") if r["Name"] == "GenAI Sandbox")
        self.assertEqual(row["Status as of"], "2026-03-31")
        self.assertEqual(row["Status confirmed by"], "https://www.hkma.gov.hk/sandbox-status")
        result = next(
            r for r in self.json("initiatives")["results"] if r["slug"] == "genai-sandbox"
        )
        self.assertEqual(result["status_as_of"], "2026-03-31")
        self.assertEqual(result["status_source"], "https://www.hkma.gov.hk/sandbox-status")

    def test_csv_is_a_download_named_for_its_content(self):
        for path in ("articles", "initiatives"):
            response = self.client.get(f"/{path}.csv")
            self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
            self.assertEqual(
                response["Content-Disposition"], f'attachment; filename="hkai-{path}.csv"'
            )

    def test_csv_streams_every_row_across_several_chunks(self):
        # The whole list, streamed as it is before its file is first built.
        with mock.patch.object(exports, "CHUNK_SIZE", 2):
            with CaptureQueriesContext(connection) as queries:
                rows = self.csv_rows("articles")
        self.assertEqual(
            [slug_of(row["URL"]) for row in rows],
            ["sandbox-opens", "scans", "both-sides", "old-rules", "classrooms", "minus"],
        )
        # The content state, one query for the rows, then each chunk of two fetches its
        # sectors, initiatives, organisations and corrections: three chunks.
        self.assertEqual(len(queries), 2 + 3 * 4)

    def test_csv_cells_that_spreadsheets_would_run_are_made_text(self):
        row = next(r for r in self.csv_rows("initiatives") if r["URL"].endswith("/formula/"))
        self.assertEqual(row["Name"], "'@SUM(1+1)")
        self.assertEqual(row["Summary"], '\'=HYPERLINK("http://evil.example")')
        row = next(r for r in self.csv_rows("articles") if r["URL"].endswith("/minus/"))
        self.assertEqual(row["Title"], "'-1 is a number")
        self.assertEqual(row["Summary"], "'+ and - are formulas")
        # Only the spreadsheet gets the apostrophe; JSON keeps the data as it is.
        results = self.json("initiatives", "?kind=talent")["results"]
        self.assertIn("@SUM(1+1)", [result["name"] for result in results])

    def test_json_pages_keep_the_other_parameters(self):
        query = "?sector=banking&sector=health&page_size=2"
        first = self.json("articles", query)
        self.assertEqual(first["count"], 4)
        self.assertEqual([r["slug"] for r in first["results"]], ["sandbox-opens", "scans"])
        self.assertIsNone(first["previous"])
        self.assertEqual(
            first["next"],
            "http://testserver/articles.json?sector=banking&sector=health&page_size=2&page=2",
        )
        second = self.json(
            "articles", first["next"].removeprefix("http://testserver/articles.json")
        )
        self.assertEqual([r["slug"] for r in second["results"]], ["both-sides", "old-rules"])
        self.assertIsNone(second["next"])
        self.assertEqual(
            second["previous"],
            "http://testserver/articles.json?sector=banking&sector=health&page_size=2&page=1",
        )

    def test_json_results_describe_each_item(self):
        result = self.json("initiatives", "?organisation=hku")["results"][1]
        self.assertEqual(
            result,
            {
                "slug": "genai-sandbox",
                "url": "http://testserver/initiatives/genai-sandbox/",
                "name": "GenAI Sandbox",
                "short_name": "",
                "summary": "A sandbox for banks.",
                "kind": "sandbox",
                "status": "active",
                "status_as_of": None,
                "status_source": None,
                "start_year": 2024,
                "end_year": None,
                "lead_organisation": "hkma",
                "partners": ["hku"],
                "sectors": ["banking"],
                "website": "",
                "amount": None,
                "amount_currency": "",
                "amount_basis": "",
                "amount_years": None,
                "amount_source": None,
                "applicants": "",
                "applicants_source": None,
                "apply_url": "",
                "window_opens": None,
                "window_closes": None,
                "rolling": False,
                "intake": "",
                "intake_as_of": None,
                "intake_source": None,
                "open_now": None,
                "corrections": [],
            },
        )
        article = self.json("articles", "?initiative=genai-sandbox")["results"][0]
        self.assertEqual(article["url"], "http://testserver/articles/sandbox-opens/")
        self.assertEqual(article["title"], "Banks try generative AI in a sandbox")
        self.assertEqual(article["sectors"], ["banking"])
        self.assertEqual(article["initiatives"], ["genai-sandbox"])
        self.assertEqual(article["organisations"], ["hkma"])
        self.assertEqual(datetime.datetime.fromisoformat(article["published"]), NOW - 3 * DAY)

    def test_csv_and_json_state_each_record_s_corrections_newest_first(self):
        initiative = Initiative.objects.get(slug="genai-sandbox")
        Correction.objects.create(
            initiative=initiative,
            corrected_on=datetime.date(2026, 1, 5),
            field="start_year",
            text_en="An earlier version gave the start year as 2023; it was 2024.",
            text_zh_hant="本頁較早的版本把開始年份寫成2023年；應為2024年。",
        )
        Correction.objects.create(
            initiative=initiative,
            corrected_on=datetime.date(2026, 2, 1),
            text_en="The summary named the wrong regulator.",
        )
        row = next(r for r in self.csv_rows("initiatives") if r["Name"] == "GenAI Sandbox")
        self.assertEqual(
            row["Corrections"],
            "2026-02-01: The summary named the wrong regulator.; 2026-01-05: An earlier "
            "version gave the start year as 2023; it was 2024.",
        )
        result = next(
            r for r in self.json("initiatives")["results"] if r["slug"] == "genai-sandbox"
        )
        self.assertEqual(
            result["corrections"],
            [
                {
                    "date": "2026-02-01",
                    "field": "",
                    "text": "The summary named the wrong regulator.",
                },
                {
                    "date": "2026-01-05",
                    "field": "start_year",
                    "text": "An earlier version gave the start year as 2023; it was 2024.",
                },
            ],
        )
        # In Chinese, the Chinese text where there is one, else the English.
        response = self.client.get("/zh-hant/initiatives.json")
        result = next(r for r in response.json()["results"] if r["slug"] == "genai-sandbox")
        self.assertEqual(
            [c["text"] for c in result["corrections"]],
            [
                "The summary named the wrong regulator.",
                "本頁較早的版本把開始年份寫成2023年；應為2024年。",
            ],
        )
        # Other records say they have none.
        others = [r for r in self.json("initiatives")["results"] if r["slug"] != "genai-sandbox"]
        self.assertTrue(others)
        self.assertEqual({len(r["corrections"]) for r in others}, {0})

    def test_json_page_size_is_bounded(self):
        self.assertEqual(len(self.json("articles", "?page_size=100")["results"]), 6)
        self.assertEqual(len(self.json("articles", "?page_size=1")["results"]), 1)
        for value in ["0", "-1", "101", "99999999999999999999", "ten", "1.5", ""]:
            with self.subTest(page_size=value):
                if value == "":
                    self.assertEqual(self.json("articles", "?page_size=")["count"], 6)
                    continue
                data = self.json("articles", f"?page_size={value}", status=400)
                self.assertEqual(list(data["errors"]), ["page_size"])

    def test_json_page_out_of_range_is_not_found(self):
        for page in ["2", "0", "-1", "99999999999999999999"]:
            with self.subTest(page=page):
                data = self.json("initiatives", f"?page={page}", status=404)
                self.assertEqual(list(data["errors"]), ["page"])
        self.assertEqual(
            list(self.json("initiatives", "?page=two", status=400)["errors"]), ["page"]
        )
        # An empty list still has its first page.
        self.assertEqual(self.json("initiatives", "?status=planned&kind=talent&page=1")["count"], 0)

    def test_json_facets_carry_their_counts(self):
        facets = self.json("initiatives", "?sector=banking&kind=sandbox")["facets"]
        self.assertEqual(
            list(facets),
            ["sector", "kind", "status", "applications", "applicants", "organisation"],
        )
        # Disjunctive: each option counts what choosing it would give with the other filters.
        self.assertEqual(
            facets["sector"][0],
            {"value": "banking", "label": "Banking and financial services", "count": 2},
        )
        sector = {o["value"]: o["count"] for o in facets["sector"]}
        self.assertEqual(sector, {"banking": 2, "health": 0, "education": 0})
        kind = {o["value"]: (o["label"], o["count"]) for o in facets["kind"]}
        self.assertEqual(kind["sandbox"], ("Sandbox", 2))
        self.assertEqual(kind["regulation"], ("Regulation or guideline", 1))
        self.assertNotIn("", kind, "the 'Any' choice is a form control, not data")
        years = self.json("articles")["facets"]["year"]
        self.assertEqual({o["value"]: o["count"] for o in years}, {"2026": 3, "2025": 1, "2024": 2})

    def test_invalid_filters_are_a_bad_request_that_says_why(self):
        for path in ("articles", "initiatives"):
            with self.subTest(path=path):
                data = self.json(path, "?sector=no-such-sector&page_size=500", status=400)
                self.assertEqual(sorted(data["errors"]), ["page_size", "sector"])
                self.assertIn("no-such-sector", data["errors"]["sector"][0])
                for suffix in ("csv", "atom"):
                    response = self.client.get(f"/{path}.{suffix}?sector=no-such-sector")
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
                    self.assertContains(response, "sector: ", status_code=400)
                    self.assertContains(response, "no-such-sector", status_code=400)
        response = self.client.get("/initiatives.atom?active_in=1066&sort=upside-down")
        self.assertContains(response, "active_in: ", status_code=400)
        self.assertContains(response, "sort: ", status_code=400)

    def test_format_links_keep_the_query_but_not_the_page(self):
        request = RequestFactory().get(
            "/initiatives/", {"sector": ["banking", "health"], "page": "3"}
        )
        self.assertEqual(
            format_links(request, INITIATIVES),
            [
                {
                    "title": "Atom feed",
                    "url": "/initiatives.atom?sector=banking&sector=health",
                    "feed": True,
                },
                {
                    "title": "CSV",
                    "url": "/initiatives.csv?sector=banking&sector=health",
                    "feed": False,
                },
                {
                    "title": "JSON",
                    "url": "/initiatives.json?sector=banking&sector=health",
                    "feed": False,
                },
            ],
        )
        links = format_links(RequestFactory().get("/articles/"), ARTICLES)
        self.assertEqual(
            [link["url"] for link in links], ["/articles.atom", "/articles.csv", "/articles.json"]
        )


@time_machine.travel(NOW, tick=False)
class FormatQueryCountTests(TestCase):
    """Every format runs the same number of queries for 5 matching rows as for 50."""

    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(slug="pinned")
        cls.add_rows(5)

    @classmethod
    def add_rows(cls, n):
        for _ in range(n):
            lead, partner = make_organisation(), make_organisation()
            # The source that confirmed the status is joined in, not fetched per row.
            initiative = make_initiative(
                lead_organisation=lead,
                status_source=make_source(),
                status_as_of=datetime.date(2026, 1, 31),
            )
            initiative.sectors.add(cls.sector)
            initiative.partners.add(partner)
            article = make_article()
            article.sectors.add(cls.sector)
            article.initiatives.add(initiative)
            article.organisations.add(lead, partner)

    def assert_queries(self, count, url):
        # Cold every time: no page or facet index kept from the previous URL.
        cache.clear()
        forget_indexes()
        with self.assertNumQueries(count):
            response = self.client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        self.assertEqual(response.status_code, 200)

    def test_query_counts_are_fixed(self):
        # The content state and validating the sector slug are one query each in every
        # format; the rest is per format:
        # - Atom: the items and their sectors (lead organisations joined).
        # - CSV: the rows and their sectors, initiatives/partners and organisations, and
        #   their corrections.
        # - JSON: the page, its prefetches and its corrections, then building the facet
        #   index (one grouped query per facet (two for years, which give the articles'
        #   visible rows; the initiatives read theirs), the options of each relation
        #   facet); counts and facets come from the index.
        counts = {
            "/articles.atom?sector=pinned": 2 + 2,
            "/initiatives.atom?sector=pinned": 2 + 2,
            "/articles.csv?sector=pinned": 2 + 5,
            "/initiatives.csv?sector=pinned": 2 + 4,
            "/articles.json?sector=pinned&page_size=100": 2 + 5 + 8,
            "/initiatives.json?sector=pinned&page_size=100": 2 + 4 + 10,
        }
        for url, count in counts.items():
            with self.subTest(url=url, rows=5):
                self.assert_queries(count, url)
        self.add_rows(45)
        for url, count in counts.items():
            with self.subTest(url=url, rows=50):
                self.assert_queries(count, url)
