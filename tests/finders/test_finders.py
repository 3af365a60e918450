"""The finder pages: filters, disjunctive facet counts, chips, problems and query counts."""

import datetime
import re

from django.db import connection
from django.test import TestCase

from portal.models import Article, Initiative, Organisation
from portal.search.query import SEARCH_STATEMENTS
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
)


def result_count(response):
    match = re.search(r'id="result-count"[^>]*>\s*([\d,]+) result', response.content.decode())
    return int(match.group(1).replace(",", ""))


def facet_counts(response, name):
    """{option value: count} for one facet, read from the rendered page."""
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options}


class InitiativeFinderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = make_sector(name="Finance", slug="finance")
        cls.health = make_sector(name="Health", slug="health")
        cls.law = make_sector(name="Law", slug="law")
        cls.hkma = make_organisation(name="HKMA", slug="hkma")
        cls.ha = make_organisation(name="Hospital Authority", slug="ha")

        def initiative(slug, sectors, kind, status, start, end=None, lead=None, partners=()):
            obj = make_initiative(
                name=slug.title(),
                slug=slug,
                kind=kind,
                status=status,
                start_year=start,
                end_year=end,
                lead_organisation=lead,
            )
            obj.sectors.set(sectors)
            obj.partners.set(partners)
            return obj

        K, S = Initiative.Kind, Initiative.Status
        initiative("sandbox", [cls.finance], K.SANDBOX, S.ACTIVE, 2024, lead=cls.hkma)
        initiative("principles", [cls.finance], K.REGULATION, S.ACTIVE, 2019, lead=cls.hkma)
        initiative("fintech-2025", [cls.finance], K.STRATEGY, S.COMPLETED, 2021, 2025)
        initiative("ai-lab", [cls.health], K.RESEARCH, S.ACTIVE, 2018, partners=[cls.hkma])
        initiative("both", [cls.finance, cls.health], K.FUNDING, S.PLANNED, 2026, lead=cls.ha)

    def get(self, query=""):
        return self.client.get(f"/initiatives/{query}")

    def slugs(self, response):
        return [obj.slug for obj in response.context["object_list"]]

    def test_lists_everything_by_name_without_filters(self):
        response = self.get()
        self.assertEqual(result_count(response), 5)
        self.assertEqual(
            self.slugs(response), ["ai-lab", "both", "fintech-2025", "principles", "sandbox"]
        )

    def test_sector_options_combine_as_any_of(self):
        self.assertEqual(result_count(self.get("?sector=health")), 2)
        self.assertEqual(result_count(self.get("?sector=health&sector=finance")), 5)

    def test_filters_of_different_kinds_combine_as_all_of(self):
        response = self.get("?sector=finance&status=active")
        self.assertEqual(self.slugs(response), ["principles", "sandbox"])

    def test_organisation_matches_lead_or_partner(self):
        self.assertEqual(
            self.slugs(self.get("?organisation=hkma")), ["ai-lab", "principles", "sandbox"]
        )

    def test_active_in_a_year_means_started_by_then_and_not_ended_before(self):
        self.assertEqual(
            self.slugs(self.get("?active_in=2025")),
            ["ai-lab", "fintech-2025", "principles", "sandbox"],
        )
        self.assertEqual(
            self.slugs(self.get("?active_in=2026")), ["ai-lab", "both", "principles", "sandbox"]
        )
        self.assertEqual(self.slugs(self.get("?active_in=2018")), ["ai-lab"])

    def test_every_initiative_in_a_sector_active_in_a_year(self):
        # The reader's task from the issue: a sector, a year, nothing else.
        self.assertEqual(
            self.slugs(self.get("?sector=finance&active_in=2022")), ["fintech-2025", "principles"]
        )

    def test_facet_counts_are_disjunctive(self):
        response = self.get("?sector=finance&status=active")
        # Sector counts apply the status filter but not the sector filter itself.
        self.assertEqual(facet_counts(response, "sector"), {"finance": 2, "health": 1, "law": 0})
        # Status counts apply the sector filter but not the status filter.
        self.assertEqual(
            facet_counts(response, "status"), {"": 4, "planned": 1, "active": 2, "completed": 1}
        )
        self.assertEqual(facet_counts(response, "kind")["sandbox"], 1)
        self.assertEqual(facet_counts(response, "kind")["research"], 0)

    def test_options_with_no_results_stay_visible_and_marked(self):
        html = self.get("?sector=finance").content.decode()
        law = re.search(r'<li class="facet-option([^"]*)">\s*<input[^>]*value="law"', html)
        self.assertIsNotNone(law)
        self.assertIn("facet-option--empty", law.group(1))

    def test_chosen_options_are_checked(self):
        html = self.get("?sector=health&kind=research").content.decode()
        self.assertRegex(html, r'name="sector" value="health" id="f-sector-health" checked')
        self.assertRegex(html, r'name="kind" value="research" id="f-kind-research" checked')

    def test_chips_remove_one_filter_and_keep_the_others(self):
        response = self.get("?sector=finance&sector=health&status=active&page=1")
        chips = dict(response.context["chips"])
        self.assertEqual(chips["Sector: Finance"], "?sector=health&status=active")
        self.assertEqual(chips["Status: Active"], "?sector=finance&sector=health")
        self.assertContains(response, 'href="/initiatives/">Clear all filters</a>', html=False)

    def test_no_results_says_which_single_filter_to_remove(self):
        response = self.get("?sector=health&kind=sandbox")
        self.assertEqual(result_count(response), 0)
        self.assertContains(response, "Nothing matches all of these filters.")
        self.assertContains(response, "Remove “Sector: Health” to see 1 result")
        self.assertContains(response, "Remove “Kind: Sandbox” to see 2 results")

    def test_sorting(self):
        self.assertEqual(self.slugs(self.get("?sort=newest"))[:2], ["both", "sandbox"])
        self.assertEqual(self.slugs(self.get("?sort=oldest"))[0], "ai-lab")

    def test_search_within_the_list_sorts_by_relevance(self):
        response = self.get("?q=sandbox")
        self.assertEqual(self.slugs(response), ["sandbox"])
        self.assertEqual(response.context["filter"].form.cleaned_data["sort"], "")


class BadFinderInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(slug="finance")
        make_initiative()

    def test_an_unknown_slug_is_explained_not_an_error(self):
        response = self.client.get("/initiatives/?sector=fintech")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "could not be used")
        self.assertContains(response, "Sector: Select a valid choice. fintech is not one of the")

    def test_wrong_types_and_out_of_range_values_are_explained(self):
        for query, message in [
            ("?active_in=soon", "Active in year: Enter a whole number."),
            ("?active_in=99999999999999999999", "Active in year: Ensure this value is less than"),
            ("?kind=rocket", "Kind: Select a valid choice. rocket is not one of the available"),
            ("?sort=random", "Sort by: Select a valid choice."),
            ("?q=" + "x" * 201, "Search: Ensure this value has at most 200 characters"),
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"/initiatives/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)

    def test_unknown_parameters_are_named_and_ignored(self):
        response = self.client.get("/initiatives/?colour=red&utm_source=x")
        self.assertEqual(result_count(response), 1)
        self.assertContains(response, "were not understood and were ignored: colour, utm_source")

    def test_page_numbers_out_of_range_are_not_found(self):
        for page in ["2", "0", "-1", "abc", "99999999999999999999"]:
            with self.subTest(page=page):
                self.assertEqual(self.client.get(f"/initiatives/?page={page}").status_code, 404)

    def test_script_in_the_query_is_escaped(self):
        response = self.client.get("/initiatives/", {"q": "<script>alert(1)</script>"})
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


class ArticleFinderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = make_sector(name="Finance", slug="finance")
        old = make_article(title="Old news", slug="old", publish_at=NOW.replace(year=2024))
        old.sectors.add(cls.finance)
        make_article(title="Fresh news", slug="fresh", publish_at=NOW - datetime.timedelta(days=2))
        make_article(title="Draft news", slug="draft", status=Article.Status.DRAFT)
        make_article(title="Future news", slug="future", publish_at=NOW.replace(year=2099))

    def test_only_public_articles_newest_first(self):
        response = self.client.get("/articles/")
        self.assertEqual([a.slug for a in response.context["object_list"]], ["fresh", "old"])

    def test_year_facet_and_filter(self):
        response = self.client.get("/articles/?year=2024")
        self.assertEqual([a.slug for a in response.context["object_list"]], ["old"])
        self.assertEqual(facet_counts(response, "year"), {"": 2, "2026": 1, "2024": 1})

    def test_years_turn_at_midnight_in_hong_kong(self):
        hong_kong = datetime.timezone(datetime.timedelta(hours=8))
        new_year = datetime.datetime(2025, 1, 1, tzinfo=hong_kong)
        make_article(slug="last-minute", publish_at=new_year - datetime.timedelta(minutes=1))
        make_article(slug="first-minute", publish_at=new_year)
        response = self.client.get("/articles/?year=2025")
        self.assertEqual([a.slug for a in response.context["object_list"]], ["first-minute"])
        self.assertEqual(facet_counts(response, "year"), {"": 4, "2026": 1, "2025": 1, "2024": 2})

    def test_full_text_search_finds_words_in_the_title(self):
        response = self.client.get("/articles/?q=fresh")
        self.assertEqual([a.slug for a in response.context["object_list"]], ["fresh"])
        self.assertNotContains(self.client.get("/articles/?q=draft"), "Draft news")


class PaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        finance = make_sector(slug="finance")
        for n in range(25):
            make_initiative(name=f"Scheme {n:02}", slug=f"scheme-{n:02}").sectors.add(finance)
        make_initiative(name="Elsewhere", slug="elsewhere")

    def test_pagination_links_keep_the_filters(self):
        response = self.client.get("/initiatives/?sector=finance&sort=name")
        self.assertEqual(result_count(response), 25)
        self.assertContains(response, 'rel="next" href="?sector=finance&amp;sort=name&amp;page=2"')
        second = self.client.get("/initiatives/?sector=finance&sort=name&page=2")
        self.assertEqual(len(second.context["object_list"]), 5)
        self.assertContains(second, 'rel="prev" href="?sector=finance&amp;sort=name&amp;page=1"')


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(title="Cyberport supercomputing", slug="supercomputing")
        make_organisation(name="Cyberport", slug="cyberport", short_name="Cyberport")
        make_initiative(name="AI Supercomputing Centre", slug="aisc")
        make_article(title="Cyberport draft", slug="cyberport-draft", status=Article.Status.DRAFT)

    def test_one_ranked_list_counted_by_type_the_named_record_first(self):
        response = self.client.get("/search/?q=cyberport")
        titles = [(o.label, o.count) for o in response.context["facets"][0].options]
        self.assertEqual(
            titles,
            [
                ("Articles", 1),
                ("Initiatives", 0),
                ("Organisations", 1),
                ("Sectors", 0),
                ("Timeline", 0),
                ("Sources", 0),
            ],
        )
        self.assertContains(response, "2 results for “cyberport”")
        rows = response.context["page_obj"].object_list
        self.assertEqual([row.slug for row in rows], ["cyberport", "supercomputing"])
        self.assertTrue(rows[0].best_match)
        self.assertContains(response, "Best match")
        self.assertNotContains(response, "Cyberport draft")

    def test_a_record_the_query_mostly_names_comes_before_articles_that_use_its_words(self):
        make_organisation(name="The University of Hong Kong", slug="hku")
        make_organisation(name="The Chinese University of Hong Kong", slug="cuhk")
        make_article(title="University of Hong Kong news", slug="news")
        response = self.client.get("/search/?q=university+of+hong+kong")
        rows = response.context["page_obj"].object_list
        # The fuller share of a name first (3 of 3 words, then 3 of 4); neither is the
        # exact-name "best match".
        self.assertEqual([row.slug for row in rows][:3], ["hku", "cuhk", "news"])
        self.assertFalse(any(row.best_match for row in rows))

    def test_empty_and_overlong_queries(self):
        self.assertEqual(self.client.get("/search/").status_code, 200)
        self.assertEqual(self.client.get("/search/?q=" + "a" * 300).status_code, 400)


class QueryCountTests(TestCase):
    """Each list page runs the same number of queries at 5 rows and at 50, with the facet
    index built (the first request after any change to content), and fewer once it is built."""

    def assert_constant_queries(self, url, make_rows, expected):
        make_rows(5)
        with self.assertNumQueries(expected):
            self.assertEqual(self.client.get(url).status_code, 200)
        make_rows(45)
        with self.assertNumQueries(expected):
            self.assertEqual(self.client.get(url).status_code, 200)

    def test_article_list(self):
        sector = make_sector(slug="finance")
        initiative = make_initiative()
        org = make_organisation()

        def rows(n):
            for _ in range(n):
                article = make_article()
                article.sectors.add(sector)
                article.initiatives.add(initiative)
                article.organisations.add(org)

        # Content state, slug check, rows, sector names; building the facet index (one grouped
        # query per facet, the year's taking two and giving the visible rows; the options of
        # the three relation facets). The count and every facet count come from the index.
        self.assert_constant_queries("/articles/?sector=finance&page=1", rows, 4 + 8)

    def test_initiative_list(self):
        sector = make_sector(slug="finance")

        def rows(n):
            for _ in range(n):
                make_initiative(lead_organisation=make_organisation()).sectors.add(sector)

        # The index: visible rows, sector, kind, status, lead and partner groups, the open
        # schemes, the codes of who may apply, two facets' options.
        self.assert_constant_queries("/initiatives/?sector=finance&status=active", rows, 4 + 10)

    def test_organisation_list(self):
        sector = make_sector(slug="finance")

        def rows(n):
            for _ in range(n):
                make_organisation(kind=Organisation.Kind.COMPANY).sectors.add(sector)

        # No slug to check; the index: visible rows, sector and kind groups, sector options.
        self.assert_constant_queries("/organisations/?kind=company", rows, 3 + 4)

    def test_facet_options_and_a_warm_index_cost_nothing_more(self):
        sector = make_sector(slug="finance")
        initiatives = [make_initiative() for _ in range(500)]
        for n in range(30):
            article = make_article()
            article.sectors.add(sector)
            article.initiatives.add(initiatives[n])
        with self.assertNumQueries(4 + 8):
            response = self.client.get("/articles/?sector=finance")
        self.assertEqual(len(facet_counts(response, "initiative")), 10)  # The top ten.
        # The index is kept until content changes: only the state, slug check, rows and
        # their sectors remain.
        with self.assertNumQueries(4):
            self.client.get("/articles/?sector=finance&page=2")

    def test_search_page(self):
        def rows(n):
            for i in range(n):
                make_article(title=f"Robotics {i}")
                make_initiative(summary="robotics")

        # Named "Robotics": the best match, so every page shows both types.
        make_initiative(name="Robotics", slug="robotics")

        # Content state; the records' names (synonyms, once per content generation); the
        # sector facet's options; per type, the search; the published articles come from
        # the article index (its visible rows, from the year facet's two queries); once per
        # content generation, the names for "best match" (3), which rows are sourced (1 per
        # type citing sources: five; the sources cite nothing) and the timeline's year facet
        # (2); then, per type on the page, its rows and their sectors (snippets need no
        # query). Six searched types: articles, initiatives, organisations, sectors,
        # milestones and sources.
        search = 6 * SEARCH_STATEMENTS[connection.vendor]
        expected = 1 + 1 + 1 + search + 2 + 3 + 5 + 2 + 2 * 2
        self.assert_constant_queries("/search/?q=robotics", rows, expected)
