"""Long facets cut to their top options, and bounded related lists."""

from django.test import TestCase

from tests.factories import make_article, make_initiative, make_organisation, make_sector


class LongFacetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.initiatives = [make_initiative(name=f"Scheme {n:02}") for n in range(24)]
        cls.unused = make_initiative(name="Unused scheme", slug="unused")
        for n, initiative in enumerate(cls.initiatives):
            for _ in range(1 + n // 4):
                make_article().initiatives.add(initiative)

    def options(self, response):
        facet = next(f for f in response.context["facets"] if f.name == "initiative")
        return facet, [o.value for o in facet.options]

    def test_a_long_facet_shows_its_top_ten_and_links_to_the_rest(self):
        response = self.client.get("/articles/")
        facet, values = self.options(response)
        self.assertEqual(len(values), 10)
        # The most mentioned first (four are mentioned six times: by name among those).
        self.assertEqual(values[:4], [i.slug for i in self.initiatives[20:]])
        self.assertNotIn("unused", values)  # No results: not worth a place.
        self.assertEqual(facet.hidden, 14)
        self.assertContains(response, "Show 14 more options of “Initiative”")
        self.assertContains(response, 'href="?more=initiative#facet-initiative"')

    def test_chosen_options_are_always_shown(self):
        _facet, values = self.options(self.client.get("/articles/?initiative=unused"))
        self.assertIn("unused", values)

    def test_more_shows_every_option_with_results(self):
        response = self.client.get("/articles/?more=initiative")
        facet, values = self.options(response)
        self.assertEqual(len(values), 24)
        self.assertTrue(facet.expanded)
        self.assertContains(response, '<input type="hidden" name="more" value="initiative">')
        self.assertContains(response, "Show only the top options")

    def test_html_stays_small_with_hundreds_of_options(self):
        for n in range(500):
            make_article().organisations.add(make_organisation(name=f"Organisation {n:03}"))
        response = self.client.get("/articles/")
        self.assertLess(len(response.content), 100_000)


class RelatedListTests(TestCase):
    def test_detail_pages_show_the_newest_mentions_and_link_to_the_rest(self):
        initiative = make_initiative(slug="busy")
        sector = make_sector(slug="health")
        for n in range(12):
            article = make_article(title=f"Mention {n}")
            article.initiatives.add(initiative)
            article.sectors.add(sector)
        response = self.client.get("/initiatives/busy/")
        self.assertEqual(len(response.context["mentions"].rows), 10)
        self.assertContains(response, '<a href="/articles/?initiative=busy">See all 12</a>')
        response = self.client.get("/sectors/health/")
        self.assertContains(response, '<a href="/articles/?sector=health">See all 12</a>')
