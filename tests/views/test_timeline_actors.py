"""The timeline's questions: a filter by the kind of actor (the kinds of the organisations a
milestone names, and of the lead organisations of the initiatives it names), the order of the
filter groups (the year range first), and its long facets folded to their top ten."""

import datetime

import django_filters
from django.test import TestCase

from portal.caching.keys import understood_parameters
from portal.finders.filters import FinderFilterSet, MilestoneFilter
from portal.finders.kinds import YearFilter
from portal.models import Milestone, Organisation
from tests.factories import make_initiative, make_milestone, make_organisation, make_sector
from tests.views.test_formats import FormatReader

Kind = Organisation.Kind


def slugs(response):
    return [obj.slug for obj in response.context["object_list"]]


def counts(response, name):
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options}


class ActorKindFilterTests(FormatReader, TestCase):
    @classmethod
    def setUpTestData(cls):
        hku = make_organisation(name="HKU", slug="hku", kind=Kind.UNIVERSITY)
        cuhk = make_organisation(name="CUHK", slug="cuhk", kind=Kind.UNIVERSITY)
        itb = make_organisation(name="ITB", slug="itb", kind=Kind.GOVERNMENT_BODY)
        sensetime = make_organisation(name="SenseTime", slug="sensetime", kind=Kind.COMPANY)
        finance = make_sector(name="Finance", slug="finance")
        # Two universities: listed once.
        both = make_milestone(slug="both-unis", date=datetime.date(2020, 5, 1))
        both.organisations.add(hku, cuhk)
        both.sectors.add(finance)
        # A government milestone, launched.
        make_milestone(
            slug="government", date=datetime.date(2022, 5, 1), kind=Milestone.Kind.LAUNCHED
        ).organisations.add(itb)
        # A university's scheme: the actor is its lead organisation.
        scheme = make_initiative(slug="scheme", lead_organisation=hku)
        make_milestone(
            slug="scheme-launched", date=datetime.date(2023, 5, 1), kind=Milestone.Kind.LAUNCHED
        ).initiatives.add(scheme)
        # A company and a government body together.
        joint = make_milestone(slug="joint", date=datetime.date(2024, 5, 1))
        joint.organisations.add(sensetime, itb)
        joint.sectors.add(finance)
        make_milestone(slug="nobody", date=datetime.date(2024, 6, 1))

    def get(self, query="", prefix=""):
        return self.client.get(f"{prefix}/timeline/{query}")

    def test_a_milestone_matches_any_chosen_kind_of_its_organisations_or_initiatives_leads(self):
        for query, expected in [
            ("?actor_kind=university", ["both-unis", "scheme-launched"]),
            ("?actor_kind=government_body", ["government", "joint"]),
            ("?actor_kind=company", ["joint"]),
            (
                "?actor_kind=university&actor_kind=company",
                ["both-unis", "scheme-launched", "joint"],
            ),
            ("?actor_kind=research_centre", []),
        ]:
            with self.subTest(query=query):
                self.assertEqual(slugs(self.get(query)), expected)

    def test_combined_with_the_year_range_kind_sector_and_search(self):
        for query, expected in [
            ("?actor_kind=government_body&from=2023", ["joint"]),
            ("?actor_kind=university&kind=launched", ["scheme-launched"]),
            ("?actor_kind=government_body&sector=finance", ["joint"]),
            ("?actor_kind=university&to=2022&sort=newest", ["both-unis"]),
        ]:
            with self.subTest(query=query):
                self.assertEqual(slugs(self.get(query)), expected)

    def test_facet_counts_are_disjunctive_and_follow_the_other_filters(self):
        response = self.get()
        self.assertEqual(
            counts(response, "actor_kind"),
            {
                "government_body": 2,
                "statutory_body": 0,
                "university": 2,
                "research_centre": 0,
                "company": 1,
                "industry_body": 0,
            },
        )
        # Choosing one kind leaves the others' counts as they were (any of them matches) ...
        self.assertEqual(counts(self.get("?actor_kind=company"), "actor_kind")["university"], 2)
        # ... while the other filters narrow them.
        narrowed = counts(self.get("?actor_kind=company&from=2023"), "actor_kind")
        self.assertEqual((narrowed["university"], narrowed["government_body"]), (1, 1))
        # And the actor kind narrows the other facets.
        kinds = counts(self.get("?actor_kind=university"), "kind")
        self.assertEqual(kinds["launched"], 1)

    def test_chips_and_the_links_that_remove_them(self):
        response = self.get("?actor_kind=university&actor_kind=company&kind=launched")
        chips = dict(response.context["chips"])
        self.assertEqual(chips["Kind of actor: University"], "?actor_kind=company&kind=launched")
        self.assertEqual(chips["Kind of actor: Company"], "?actor_kind=university&kind=launched")
        self.assertContains(response, 'value="university" id="f-actor_kind-university" checked')

    def test_without_links_when_nothing_matches(self):
        response = self.get("?actor_kind=company&kind=launched")
        self.assertEqual(slugs(response), [])
        suggestions = {label: count for label, _url, count in response.context["suggestions"]}
        self.assertEqual(suggestions, {"Kind of actor: Company": 2, "Kind: Launched": 1})

    def test_the_chinese_page(self):
        response = self.get("?actor_kind=university", prefix="/zh-hant")
        self.assertEqual(slugs(response), ["both-unis", "scheme-launched"])
        self.assertContains(response, "<legend>參與者類別</legend>", html=True)
        self.assertIn("參與者類別：大學", dict(response.context["chips"]))

    def test_odd_values_are_explained_not_errors(self):
        for value in ["rumoured", "", "\x00", "University", "9" * 300]:
            with self.subTest(value=value):
                response = self.client.get("/timeline/", {"actor_kind": value})
                self.assertEqual(response.status_code, 200)
                if value:
                    self.assertTrue(
                        any(
                            p.startswith("Kind of actor: Select a valid choice.")
                            for p in response.context["problems"]
                        ),
                        response.context["problems"],
                    )
        self.assertEqual(self.get("?" + "&".join(["actor_kind=company"] * 21)).status_code, 400)
        for url in ("/timeline.json", "/timeline.csv", "/timeline.atom"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url, {"actor_kind": "x"}).status_code, 400)

    def test_every_format_answers_the_filter(self):
        # The feed and CSV read their rows through the filters in SQL, not the facet index.
        query = "?actor_kind=university&actor_kind=company"
        expected = ["both-unis", "scheme-launched", "joint"]
        self.assertEqual(self.csv_slugs("timeline", query), expected)
        self.assertEqual(self.feed_slugs("timeline", query), expected[::-1])
        self.assertEqual(self.json_slugs("timeline", query), expected)

    def test_the_fuzz_tests_walk_the_new_parameter(self):
        self.assertIn("actor_kind", understood_parameters())


class FilterOrderTests(TestCase):
    def test_the_year_range_comes_first_then_kind_actor_kind_sector_and_the_long_ones(self):
        make_milestone().sectors.add(make_sector())
        html = self.client.get("/timeline/").content.decode()
        facets = ("kind", "actor_kind", "sector", "initiative", "organisation")
        names = ["id_q", "id_from", "id_to"] + [f"facet-{name}" for name in facets]
        positions = [html.index(f'id="{name}"') for name in names]
        self.assertEqual(positions, sorted(positions))
        self.assertLess(html.index('id="facet-organisation"'), html.index('id="id_sort"'))

    def test_other_finders_keep_their_year_range_after_their_facets(self):
        html = self.client.get("/initiatives/").content.decode()
        self.assertLess(html.index('id="facet-organisation"'), html.index('id="id_started_from"'))

    def test_long_initiative_and_organisation_facets_show_their_top_ten(self):
        milestone = make_milestone()
        for _ in range(16):
            milestone.initiatives.add(make_initiative())
            milestone.organisations.add(make_organisation())
        response = self.client.get("/timeline/")
        for name in ("initiative", "organisation"):
            with self.subTest(name=name):
                facet = next(f for f in response.context["facets"] if f.name == name)
                self.assertEqual((len(facet.options), facet.hidden), (10, 6))
                self.assertContains(response, f'href="?more={name}#facet-{name}"')
        facet = next(
            f
            for f in self.client.get("/timeline/?more=initiative").context["facets"]
            if f.name == "initiative"
        )
        self.assertEqual((len(facet.options), facet.hidden), (16, 0))


class KeywordParameterTests(TestCase):
    def test_a_keyword_parameter_is_declared_with_a_trailing_underscore(self):
        self.assertIn("from", MilestoneFilter.base_filters)
        self.assertNotIn("from_", MilestoneFilter.base_filters)
        self.assertEqual(list(MilestoneFilter.base_filters)[:3], ["q", "from", "to"])

        class Example(FinderFilterSet):
            class_ = YearFilter(field_name="start_year")
            start_ = django_filters.CharFilter(field_name="name")

            class Meta:
                model = Milestone
                fields = []

        # Only keywords lose the underscore: any other name is the parameter as written.
        self.assertEqual(list(Example.base_filters), ["class", "start_"])
