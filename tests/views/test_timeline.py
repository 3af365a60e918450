"""The timeline: milestones dated only as precisely as their sources, the page that groups
them by year, its other formats, and the importer's checks on milestone records."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from portal.content import rules
from portal.content.schema import SPECS_BY_MODEL, convert_fields
from portal.finders.facets import forget_indexes
from portal.models import Milestone
from tests.content_exchange.test_import_content import run_failing_import, run_import
from tests.content_files import SOURCE, record, snapshot, valid_records, write_json
from tests.factories import (
    NOW,
    make_initiative,
    make_milestone,
    make_organisation,
    make_sector,
    make_source,
)
from tests.sitemaps import sitemap_locations
from tests.views.test_formats import FormatReader

Precision, Kind = Milestone.Precision, Milestone.Kind
date = datetime.date


class MilestoneModelTests(TestCase):
    def test_dates_read_only_as_precisely_as_they_are_known_in_both_languages(self):
        cases = [
            (date(2023, 10, 25), Precision.DAY, "25 October 2023", "2023年10月25日", "2023-10-25"),
            (date(2023, 10, 1), Precision.MONTH, "October 2023", "2023年10月", "2023-10"),
            (date(2023, 1, 1), Precision.YEAR, "2023", "2023年", "2023"),
        ]
        for day, precision, english, chinese, machine in cases:
            milestone = Milestone(date=day, date_precision=precision)
            with self.subTest(precision=precision):
                with translation.override("en"):
                    self.assertEqual(milestone.date_label, english)
                with translation.override("zh-hant"):
                    self.assertEqual(milestone.date_label, chinese)
                self.assertEqual(milestone.machine_date, machine)

    def test_the_database_refuses_a_date_more_precise_than_its_precision(self):
        for precision, day in [
            (Precision.MONTH, date(2023, 10, 25)),
            (Precision.YEAR, date(2023, 10, 1)),
            (Precision.YEAR, date(2023, 2, 1)),
        ]:
            with self.subTest(precision=precision, day=day):
                with self.assertRaisesMessage(IntegrityError, "date_matches_precision"):
                    with transaction.atomic():
                        make_milestone(date=day, date_precision=precision)
        make_milestone(date=date(2023, 1, 1), date_precision=Precision.YEAR)  # Allowed.

    def test_the_database_refuses_unknown_kinds_precisions_and_implausible_dates(self):
        for fields, constraint in [
            ({"kind": "rumoured"}, "kind_valid"),
            # Two rules break; which one the database names first is its business.
            ({"date_precision": "week"}, "precision"),
            ({"date": date(1799, 12, 31)}, "date_plausible"),
            ({"date": date(2101, 1, 1)}, "date_plausible"),
        ]:
            with self.subTest(fields=fields):
                with self.assertRaisesMessage(IntegrityError, constraint):
                    with transaction.atomic():
                        make_milestone(**fields)

    def test_the_constraints_allow_exactly_the_choices(self):
        # The constraints spell the choices out (Meta cannot see the nested classes).
        checks = {c.name: c.condition for c in Milestone._meta.constraints}
        self.assertEqual(
            dict(checks["portal_milestone_kind_valid"].children)["kind__in"], Kind.values
        )
        self.assertEqual(
            dict(checks["portal_milestone_precision_valid"].children)["date_precision__in"],
            Precision.values,
        )

    def test_clean_names_the_date_the_editor_should_enter(self):
        milestone = Milestone(date=date(2023, 10, 25), date_precision=Precision.YEAR)
        with self.assertRaises(ValidationError) as caught:
            milestone.clean()
        self.assertEqual(
            caught.exception.message_dict["date"],
            ["With year precision the date must be 2023-01-01 (not 2023-10-25)."],
        )
        Milestone(date=date(2023, 10, 1), date_precision=Precision.MONTH).clean()

    def test_order_text_and_address(self):
        later = make_milestone(title="B later", slug="later", date=date(2024, 1, 5))
        earlier = make_milestone(title="A earlier", slug="earlier", date=date(2020, 3, 1))
        self.assertEqual(list(Milestone.objects.all()), [earlier, later])
        self.assertEqual(str(later), "B later")
        self.assertEqual(later.get_absolute_url(), "/timeline/later/")
        self.assertEqual(Milestone.objects.get_by_natural_key("later"), later)
        self.assertEqual(later.natural_key(), ("later",))


class MilestoneImportTests(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path

    def write(self, **changes):
        milestone = record(
            "milestone",
            title_en="GenA.I. Sandbox launched",
            title_zh_hant="生成式人工智能沙盒推出",
            slug="sandbox-launched",
            date="2024-08-13",
            date_precision="day",
            kind="launched",
            summary_en="Banks can try generative AI in it.",
            initiatives=[["genai-sandbox"]],
            organisations=[["hkma"]],
            sectors=[["banking-finance"]],
            sources=[[SOURCE]],
        )
        milestone["fields"].update(changes)
        return write_json(self.tmp, "input.json", [*valid_records(), milestone])

    def assert_refused(self, path, problem):
        before = snapshot(self.tmp / "before")
        message, err = run_failing_import(path)
        self.assertEqual(message, "1 problem(s) found; nothing was imported.")
        self.assertIn(f"{path}, record 6, portal.milestone 'sandbox-launched', {problem}", err)
        self.assertEqual(snapshot(self.tmp / "after"), before)

    def test_a_valid_milestone_is_imported_with_its_relations(self):
        run_import(self.write())
        milestone = Milestone.objects.get(slug="sandbox-launched")
        self.assertEqual(milestone.date, date(2024, 8, 13))
        self.assertEqual(milestone.title_zh_hant, "生成式人工智能沙盒推出")
        self.assertEqual([i.slug for i in milestone.initiatives.all()], ["genai-sandbox"])
        self.assertEqual([s.url for s in milestone.sources.all()], [SOURCE])

    def test_a_date_more_precise_than_its_month_precision_is_refused(self):
        self.assert_refused(
            self.write(date_precision="month"),
            "field 'date': With month precision the date must be 2024-08-01 (not 2024-08-13).",
        )

    def test_a_year_precision_date_must_be_1_january(self):
        self.assert_refused(
            self.write(date="2024-03-01", date_precision="year"),
            "field 'date': With year precision the date must be 2024-01-01 (not 2024-03-01).",
        )

    def test_a_milestone_without_a_source_is_refused(self):
        self.assert_refused(
            self.write(sources=[]), "field 'sources': at least one reference is required"
        )

    def test_an_unknown_precision_or_kind_is_refused(self):
        self.assert_refused(
            self.write(date_precision="week"),
            "field 'date_precision', value \"week\": Value 'week' is not a valid choice.",
        )
        self.assert_refused(
            self.write(kind="rumoured"),
            "field 'kind', value \"rumoured\": Value 'rumoured' is not a valid choice.",
        )

    def test_a_date_out_of_range_is_refused_by_the_checking_stage(self):
        self.assert_refused(
            self.write(date="2101-01-01"),
            "field 'date', value \"2101-01-01\": Enter a date between 1800 and 2100.",
        )

    def test_checking_a_milestone_asks_the_database_nothing(self):
        spec = SPECS_BY_MODEL[Milestone]
        fields = {
            "title_en": "T",
            "slug": "t",
            "date": "2024-08-01",
            "date_precision": "month",
            "kind": "funded",
            "summary_en": "S",
            "sources": [[SOURCE]],
        }
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            converted = convert_fields(spec, fields)
            broken = list(rules.broken_constraints(Milestone, converted.values))
        self.assertEqual((converted.problems, broken, len(queries)), ([], [], 0))


def milestone_slugs(response):
    return [obj.slug for obj in response.context["object_list"]]


class TimelinePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = make_sector(name="Finance", name_zh_hant="金融", slug="finance")
        cls.health = make_sector(name="Health", slug="health")
        cls.hkma = make_organisation(name="HKMA", slug="hkma")
        cls.lab = make_initiative(name="AI Lab", slug="ai-lab")
        circular = make_source(
            url="https://example.org/circular", title="The circular", publisher="HKMA"
        )
        principles = make_milestone(
            title="Principles issued",
            title_zh_hant="原則發出",
            summary="Twelve principles for banks.",
            summary_zh_hant="給銀行的十二項原則。",
            slug="principles",
            date=date(2019, 11, 1),
            kind=Kind.REGULATION,
            sources=[circular],
        )
        principles.sectors.add(cls.finance)
        principles.organisations.add(cls.hkma)
        centre = make_milestone(
            title="Centre set up",
            slug="centre",
            date=date(2023, 1, 1),
            date_precision=Precision.YEAR,
            kind=Kind.LAUNCHED,
        )
        centre.sectors.add(cls.health)
        centre.initiatives.add(cls.lab)
        make_milestone(
            title="Lessons start",
            slug="lessons",
            date=date(2023, 9, 1),
            date_precision=Precision.MONTH,
            kind=Kind.LAUNCHED,
        )
        make_milestone(
            title="Sandbox launched", slug="sandbox", date=date(2024, 8, 13), kind=Kind.LAUNCHED
        ).sectors.add(cls.finance)

    def get(self, query="", prefix=""):
        return self.client.get(f"{prefix}/timeline/{query}")

    def problems(self, response):
        return response.context["problems"]

    def test_groups_milestones_under_their_years_oldest_first(self):
        response = self.get()
        self.assertEqual(milestone_slugs(response), ["principles", "centre", "lessons", "sandbox"])
        headings = re.findall(r'<h2 id="year-(\d+)">(\d+)</h2>', response.content.decode())
        self.assertEqual(headings, [("2019", "2019"), ("2023", "2023"), ("2024", "2024")])

    def test_newest_first_on_request(self):
        response = self.get("?sort=newest")
        self.assertEqual(milestone_slugs(response), ["sandbox", "lessons", "centre", "principles"])

    def test_each_milestone_shows_its_date_kind_text_relations_and_sources(self):
        response = self.get()
        self.assertContains(
            response,
            '<p class="meta"><time datetime="2019-11-01">1 November 2019</time>'
            " · Regulation or guideline</p>",
            html=True,
        )
        self.assertContains(response, '<time datetime="2023">2023</time>')
        self.assertContains(response, '<time datetime="2023-09">September 2023</time>')
        self.assertContains(response, '<a href="/timeline/principles/">Principles issued</a>')
        self.assertContains(response, "Twelve principles for banks.")
        self.assertContains(response, '<a href="/organisations/hkma/">HKMA</a>')
        self.assertContains(response, '<a href="/initiatives/ai-lab/">AI Lab</a>')
        self.assertContains(response, '<a href="/sectors/finance/">Finance</a>', count=2)
        self.assertContains(
            response, '<a href="https://example.org/circular">The circular</a> (HKMA)'
        )

    def test_filters_by_year_range_sector_and_kind(self):
        for query, expected in [
            ("?from=2023&to=2023", ["centre", "lessons"]),
            ("?from=2023", ["centre", "lessons", "sandbox"]),
            ("?to=2019", ["principles"]),
            ("?sector=finance", ["principles", "sandbox"]),
            ("?sector=finance&kind=launched", ["sandbox"]),
            ("?kind=launched&from=2020&to=2023", ["centre", "lessons"]),
        ]:
            with self.subTest(query=query):
                self.assertEqual(milestone_slugs(self.get(query)), expected)

    def test_facet_counts_and_chips(self):
        response = self.get("?sector=finance&from=2024")
        kinds = next(f for f in response.context["facets"] if f.name == "kind")
        self.assertEqual({o.value: o.count for o in kinds.options if o.value}["launched"], 1)
        self.assertContains(response, "From year: 2024")

    def test_bad_values_are_explained_not_errors(self):
        for query, problem in [
            ("?from=abc", "From year: Enter a whole number."),
            ("?to=1700", "To year: Ensure this value is greater than or equal to 1800."),
            (
                "?from=2025&to=2020",
                "To year: The last year (2020) is before the first year (2025).",
            ),
            ("?kind=rumoured", "Kind: Select a valid choice. rumoured is not one of the"),
            ("?sector=nowhere", "Sector: Select a valid choice. nowhere is not one of the"),
        ]:
            with self.subTest(query=query):
                response = self.get(query)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(any(p.startswith(problem) for p in self.problems(response)))
                self.assertEqual(response.context["object_list"], [])
        self.assertEqual(self.get("?" + "&".join(["kind=launched"] * 21)).status_code, 400)
        self.assertEqual(self.get("?page=9").status_code, 404)

    def test_the_chinese_page(self):
        response = self.get(prefix="/zh-hant")
        self.assertContains(response, "<h1>時間線</h1>", html=True)
        self.assertContains(response, '<time datetime="2019-11-01">2019年11月1日</time>')
        self.assertContains(response, '<time datetime="2023-09">2023年9月</time>')
        self.assertContains(response, '<time datetime="2023">2023年</time>')
        self.assertContains(response, "規管或指引")
        self.assertContains(response, '<a href="/zh-hant/timeline/principles/">原則發出</a>')
        self.assertContains(response, "給銀行的十二項原則。")
        self.assertContains(response, '<a href="/zh-hant/sectors/finance/">金融</a>')
        # Untranslated text is shown in English, marked as such.
        self.assertContains(response, '<span lang="en">Centre set up</span>')
        response = self.get("?from=2025&to=2020", prefix="/zh-hant")
        self.assertContains(response, "最後年份（2020）早於首個年份（2025）。")

    def test_the_navigation_links_to_the_timeline(self):
        self.assertContains(self.client.get("/"), '<a href="/timeline/">Timeline</a>', html=True)
        self.assertContains(
            self.get(), '<a href="/timeline/" aria-current="page">Timeline</a>', html=True
        )

    def test_a_milestone_has_a_page_of_its_own(self):
        response = self.client.get("/timeline/principles/")
        self.assertContains(response, "<h1>Principles issued</h1>", html=True)
        self.assertContains(
            response,
            '<a href="/timeline/?from=2019&amp;to=2019#principles">'
            "Everything on the timeline in 2019</a>",
            html=True,
        )
        self.assertContains(response, '<a href="https://example.org/circular">The circular</a>')
        self.assertEqual(self.client.get("/timeline/nowhere/").status_code, 404)

    def test_initiative_organisation_and_sector_pages_show_their_first_milestones(self):
        response = self.client.get("/initiatives/ai-lab/")
        self.assertContains(
            response,
            '<li><time datetime="2023">2023</time>: '
            '<a href="/timeline/centre/">Centre set up</a></li>',
            html=True,
        )
        self.assertContains(self.client.get("/organisations/hkma/"), "Principles issued")
        response = self.client.get("/sectors/finance/")
        self.assertContains(response, "Principles issued")
        self.assertContains(response, "Sandbox launched")
        self.assertNotContains(response, '/timeline/?sector=finance">See all')
        for n in range(10):
            make_milestone(date=date(2025, 1, 1 + n)).sectors.add(self.finance)
        response = self.client.get("/sectors/finance/")
        self.assertEqual(len(response.context["milestones"].rows), 10)
        self.assertContains(
            response, '<a href="/timeline/?sector=finance">See all 12</a>', html=True
        )
        self.assertEqual(len(milestone_slugs(self.get("?sector=finance"))), 12)
        self.assertEqual(milestone_slugs(self.get("?initiative=ai-lab")), ["centre"])
        self.assertEqual(milestone_slugs(self.get("?organisation=hkma")), ["principles"])

    def test_the_sitemap_lists_the_timeline_and_every_milestone_in_both_languages(self):
        locations = sitemap_locations(self.client)
        for path in ("/timeline/", "/timeline/principles/", "/timeline/sandbox/"):
            for prefix in ("", "/zh-hant"):
                self.assertIn(f"http://testserver{prefix}{path}", locations)


class TimelineQueryCountTests(TestCase):
    def test_the_page_runs_the_same_queries_at_5_and_50_milestones(self):
        sector = make_sector(slug="finance")
        initiative, organisation, source = make_initiative(), make_organisation(), make_source()

        def add(n):
            for i in range(n):
                milestone = make_milestone(date=date(2000 + i % 20, 5, 1), sources=[source])
                milestone.sectors.add(sector)
                milestone.initiatives.add(initiative)
                milestone.organisations.add(organisation)

        # Content state, sector slug check, the page of rows, their sectors, initiatives,
        # organisations and sources; building the facet index: visible rows, the groups of
        # sector, kind, both year bounds, actor kind (two: through organisations and through
        # initiatives' leads), initiative and organisation, and the options of the three
        # relation facets.
        url = "/timeline/?sector=finance&from=2000&to=2030"
        for n in (5, 45):
            add(n)
            cache.clear()
            forget_indexes()
            with self.assertNumQueries(7 + 12):
                self.assertEqual(self.client.get(url).status_code, 200)
        # With the index built, only the state, the slug check, the rows and their relations.
        with self.assertNumQueries(7):
            self.client.get(url + "&kind=announced")


@time_machine.travel(NOW, tick=False)
class TimelineFormatTests(FormatReader, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = make_sector(name="Finance", slug="finance")
        cls.source = make_source(url="https://example.org/budget")
        for slug, day, precision, kind in [
            ("budget", date(2024, 2, 28), Precision.DAY, Kind.FUNDED),
            ("scheme-opens", date(2024, 10, 1), Precision.MONTH, Kind.LAUNCHED),
            ("rules", date(2019, 1, 1), Precision.YEAR, Kind.REGULATION),
        ]:
            make_milestone(
                slug=slug, date=day, date_precision=precision, kind=kind, sources=[cls.source]
            ).sectors.add(cls.finance)
        make_milestone(slug="elsewhere", date=date(2024, 5, 5))

    def test_every_format_lists_what_the_page_lists(self):
        for query in ("?sector=finance&sort=newest", "?from=2024&sort=newest", "?sort=newest"):
            with self.subTest(query=query):
                expected = self.html_slugs("timeline", query)
                self.assertEqual(self.feed_slugs("timeline", query), expected)
                self.assertEqual(self.csv_slugs("timeline", query), expected)
                self.assertEqual(self.json_slugs("timeline", query), expected)

    def test_the_feed_is_newest_first_by_default_and_titled_with_dates(self):
        feed = self.feed("timeline", "?sector=finance")
        titles = [
            e.find("{http://www.w3.org/2005/Atom}title").text
            for e in feed.iter("{http://www.w3.org/2005/Atom}entry")
        ]
        self.assertEqual(
            titles[0], "October 2024: " + Milestone.objects.get(slug="scheme-opens").title
        )
        self.assertEqual(len(titles), 3)

    def test_csv_rows_carry_dates_kinds_and_sources(self):
        rows = {row["URL"].rsplit("/", 2)[-2]: row for row in self.csv_rows("timeline")}
        self.assertEqual(rows["scheme-opens"]["Date"], "2024-10")
        self.assertEqual(rows["scheme-opens"]["Date precision"], "Month")
        self.assertEqual(rows["rules"]["Date"], "2019")
        self.assertEqual(rows["budget"]["Kind"], "Funded")
        self.assertEqual(rows["budget"]["Sectors"], "Finance")
        self.assertEqual(rows["budget"]["Sources"], "https://example.org/budget")

    def test_json_results_describe_each_milestone(self):
        result = self.json("timeline", "?kind=funded")["results"][0]
        self.assertEqual(
            {k: result[k] for k in ("slug", "date", "date_precision", "date_label", "kind")},
            {
                "slug": "budget",
                "date": "2024-02-28",
                "date_precision": "day",
                "date_label": "28 February 2024",
                "kind": "funded",
            },
        )
        self.assertEqual(result["sectors"], ["finance"])
        self.assertEqual(result["sources"], ["https://example.org/budget"])
        self.assertEqual(result["url"], "http://testserver/timeline/budget/")

    def test_bad_values_are_a_bad_request_in_every_format(self):
        for fmt in ("atom", "csv", "json"):
            with self.subTest(fmt=fmt):
                response = self.client.get(f"/timeline.{fmt}?from=2025&to=2020")
                self.assertEqual(response.status_code, 400)
                self.assertIn(
                    "The last year (2020) is before the first year (2025).",
                    response.content.decode(),
                )

    def test_the_page_links_its_formats_with_its_query(self):
        response = self.client.get("/timeline/?kind=funded&page=1")
        self.assertEqual(
            [link["url"] for link in response.context["format_links"]],
            [
                "/timeline.atom?kind=funded",
                "/timeline.csv?kind=funded",
                "/timeline.json?kind=funded",
            ],
        )

    def test_format_query_counts_are_fixed(self):
        # The content state and the sector slug check, then per format: Atom and JSON the
        # items with their four relations (sectors, initiatives, organisations, sources), and
        # JSON the facet index (rows, eight groups, three facets' options); CSV the rows and one
        # query per relation (names or addresses). CSV and JSON also read the corrections.
        counts = {
            "/timeline.atom?sector=finance": 2 + 5,
            "/timeline.csv?sector=finance": 2 + 5 + 1,
            "/timeline.json?sector=finance&page_size=100": 2 + 5 + 12 + 1,
        }
        for extra in (0, 45):
            for i in range(extra):
                make_milestone(
                    date=date(2010 + i % 10, 1, 1),
                    date_precision=Precision.YEAR,
                    sources=[self.source],
                ).sectors.add(self.finance)
            for url, count in counts.items():
                with self.subTest(url=url, extra=extra):
                    cache.clear()
                    forget_indexes()
                    with self.assertNumQueries(count):
                        response = self.client.get(url)
                        if response.streaming:
                            b"".join(response.streaming_content)
                    self.assertEqual(response.status_code, 200)


class MilestoneAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = get_user_model().objects.create_superuser("chief", "c@example.org", "x")
        cls.source = make_source()

    def setUp(self):
        self.client.force_login(self.chief)

    def post(self, sources=(), **changes):
        data = {
            "title_en": "Sandbox launched",
            "title_zh_hant": "",
            "slug": "sandbox-launched",
            "summary_en": "Banks can try generative AI.",
            "summary_zh_hant": "",
            "date": "2024-08-13",
            "date_precision": "day",
            "kind": "launched",
            "Milestone_sources-TOTAL_FORMS": str(len(sources)),
            "Milestone_sources-INITIAL_FORMS": "0",
            "Milestone_sources-MIN_NUM_FORMS": "1",
            **{f"Milestone_sources-{n}-source": s.pk for n, s in enumerate(sources)},
            **changes,
        }
        return self.client.post(reverse("admin:portal_milestone_add"), data)

    def test_a_milestone_needs_a_source(self):
        response = self.post()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please submit at least 1 form.")
        self.assertFalse(Milestone.objects.exists())

    def test_a_date_more_precise_than_its_precision_is_refused_with_the_date_to_enter(self):
        response = self.post(sources=[self.source], date_precision="month")
        self.assertEqual(
            response.context["adminform"].form.errors["date"],
            ["With month precision the date must be 2024-08-01 (not 2024-08-13)."],
        )
        self.assertFalse(Milestone.objects.exists())

    def test_a_saved_milestone_has_its_source_and_its_history(self):
        response = self.post(sources=[self.source])
        self.assertEqual(response.status_code, 302)
        milestone = Milestone.objects.get(slug="sandbox-launched")
        self.assertEqual(list(milestone.sources.all()), [self.source])
        self.assertEqual(Version.objects.get_for_object(milestone).count(), 1)
        history = self.client.get(reverse("admin:portal_milestone_history", args=[milestone.pk]))
        self.assertEqual(history.status_code, 200)
