"""Sources in the site search and in the list of sources' own search (`/sources/?q=`)."""

from django.test import TestCase, override_settings

from portal.models import Source
from tests.factories import make_article, make_initiative, make_source


@override_settings(PAGE_CACHE=False)  # Each request renders its page.
class SourcesInSiteSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.report = make_source(
            title="Quokka adoption survey 2025",
            publisher="Hong Kong Productivity Council",
            url="https://example.org/quokka-survey",
        )
        cls.other = make_source(title="Unrelated page", publisher="Quokka Press")
        cls.article = make_article(title="Quokka adoption in banks", slug="quokka-adoption")
        cls.initiative = make_initiative(name="Quokka lab", slug="quokka-lab")

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def results(self, response):
        return [(row.search_type.name, row.pk) for row in response.context["page_obj"]]

    def test_found_by_title_and_by_publisher(self):
        found = self.results(self.search("productivity council"))
        self.assertEqual(found, [("sources", self.report.pk)])
        found = self.results(self.search("Quokka Press"))
        self.assertEqual(found, [("sources", self.other.pk)])

    def test_a_result_links_to_its_entry_in_the_list_and_to_its_page(self):
        response = self.search("productivity council")
        entry = self.report.entry_url()
        self.assertTrue(entry.startswith("/sources/?q=Quokka+adoption+survey+2025#source-"))
        self.assertContains(response, f'href="{entry}"')
        self.assertContains(response, 'href="https://example.org/quokka-survey"')
        entry_page = self.client.get(entry)
        self.assertEqual(entry_page.context["object_list"][0], self.report)
        self.assertContains(entry_page, f'id="source-{self.report.pk}"')

    def test_records_come_before_sources_at_an_equal_match(self):
        found = self.results(self.search("quokka"))
        types = [name for name, _pk in found]
        self.assertEqual(sorted(types[:2]), ["articles", "initiatives"])
        self.assertEqual(types[2:], ["sources", "sources"])
        # The type facet counts them, last.
        facet = self.search("quokka").context["facets"][0]
        self.assertEqual((facet.options[-1].value, facet.options[-1].count), ("sources", 2))

    def test_the_type_facet_narrows_to_sources(self):
        found = self.results(self.search("quokka", type="sources"))
        self.assertEqual({name for name, _pk in found}, {"sources"})
        self.assertEqual(len(found), 2)

    def test_chinese_titles_are_found(self):
        source = make_source(title="人工智能應用調查", publisher="生產力促進局")
        found = self.results(self.search("促進局"))
        self.assertEqual(found, [("sources", source.pk)])

    def test_an_entry_link_fits_in_a_search(self):
        source = Source(pk=7, title="word " * 80, url="https://example.org/long")
        q = source.entry_url().split("q=", 1)[1].split("#", 1)[0]
        self.assertLessEqual(len(q.replace("+", " ")), 200)
        self.assertTrue(q.endswith("word"))


@override_settings(PAGE_CACHE=False)
class SourceListSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hkma = make_source(title="Generative AI sandbox", publisher="HKMA")
        cls.pcpd = make_source(title="Model framework on personal data", publisher="PCPD")
        cls.sandbox = make_source(title="Sandbox report", publisher="Another publisher")

    def test_q_filters_the_sources_and_sorts_by_relevance(self):
        response = self.client.get("/sources/", {"q": "sandbox"})
        self.assertEqual(response.status_code, 200)
        rows = list(response.context["object_list"])
        self.assertEqual(set(rows), {self.hkma, self.sandbox})
        self.assertEqual(response.context["sort_key"], "relevance")
        self.assertContains(response, '<option value="relevance" selected>')
        self.assertNotContains(response, "not understood")

    def test_without_a_search_the_list_is_by_publisher(self):
        response = self.client.get("/sources/")
        self.assertEqual(response.context["sort_key"], "publisher")
        self.assertEqual(len(response.context["object_list"]), 3)

    def test_publisher_and_search_together(self):
        response = self.client.get("/sources/", {"q": "sandbox", "publisher": "HKMA"})
        self.assertEqual(list(response.context["object_list"]), [self.hkma])
