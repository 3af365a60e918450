"""The plain public pages: what a reader sees, and what stays hidden."""

import datetime

from django.test import TestCase

from portal.models import Article
from tests.factories import (
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)


class PublicPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sector = make_sector(name="Healthcare", slug="healthcare")
        cls.lead = make_organisation(name="Hospital Authority", slug="ha")
        cls.initiative = make_initiative(name="AI Lab", slug="ai-lab", lead_organisation=cls.lead)
        cls.initiative.sectors.add(cls.sector)
        cls.initiative.sources.add(make_source(url="https://www.ha.org.hk/ai", title="HA AI Lab"))
        cls.published = make_article(title="Reading scans with AI", slug="scans")
        cls.published.sectors.add(cls.sector)
        cls.draft = make_article(title="Unfinished", slug="unfinished", status=Article.Status.DRAFT)
        cls.draft.sectors.add(cls.sector)
        cls.scheduled = make_article(
            title="Coming soon", slug="soon",
            publish_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
        )

    def test_home_lists_the_content_but_not_drafts_or_scheduled_articles(self):
        response = self.client.get("/")
        self.assertContains(response, "Reading scans with AI")
        self.assertContains(response, "AI Lab")
        self.assertContains(response, "Hospital Authority")
        self.assertContains(response, "Healthcare")
        self.assertNotContains(response, "Unfinished")
        self.assertNotContains(response, "Coming soon")

    def test_published_article_page_renders_its_body(self):
        response = self.client.get("/articles/scans/")
        self.assertContains(response, "<h1>Reading scans with AI</h1>", html=True)
        self.assertContains(response, "<em>Markdown</em>", html=True)

    def test_drafts_and_scheduled_articles_are_not_found(self):
        self.assertEqual(self.client.get("/articles/unfinished/").status_code, 404)
        self.assertEqual(self.client.get("/articles/soon/").status_code, 404)
        self.assertEqual(self.client.get("/articles/no-such-article/").status_code, 404)

    def test_initiative_page_shows_lead_sectors_and_sources(self):
        response = self.client.get("/initiatives/ai-lab/")
        self.assertContains(response, "Hospital Authority")
        self.assertContains(response, "Healthcare")
        self.assertContains(response, 'href="https://www.ha.org.hk/ai"')

    def test_sector_page_lists_only_published_articles(self):
        response = self.client.get("/sectors/healthcare/")
        self.assertContains(response, "Reading scans with AI")
        self.assertContains(response, "AI Lab")
        self.assertNotContains(response, "Unfinished")

    def test_organisation_page(self):
        self.assertContains(self.client.get("/organisations/ha/"), "Hospital Authority")

    def test_home_runs_a_fixed_number_of_queries_whatever_the_row_count(self):
        with self.assertNumQueries(4):
            self.client.get("/")
        for n in range(20):
            make_initiative(lead_organisation=make_organisation()).sectors.add(self.sector)
            make_article()
        with self.assertNumQueries(4):
            self.client.get("/")
