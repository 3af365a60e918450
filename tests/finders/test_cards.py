"""Cards rendered once per content state and language (portal.finders.cards), never stale."""

from unittest import mock

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from portal.finders import cards
from tests.factories import make_article, make_sector

ARTICLE_CARD = "portal/includes/_article_card.html"


@override_settings(PAGE_CACHE=False)  # Every request renders its page; only cards are kept.
class CardMemoryTests(TestCase):
    def test_a_card_is_rendered_once_per_state_and_language(self):
        make_article(title="Harbour drones", slug="drones")
        real = cards.get_template
        with mock.patch("portal.finders.cards.get_template", side_effect=real) as loaded:
            self.client.get("/articles/")
            self.client.get("/articles/?sort=title")
            self.assertEqual(loaded.call_count, 1)
            self.client.get("/zh-hant/articles/")
            self.assertEqual(loaded.call_count, 2)

    def test_an_edit_shows_at_once(self):
        article = make_article(title="Harbour drones", slug="drones")
        self.assertContains(self.client.get("/articles/"), "Harbour drones")
        article.title = "Harbour robots"
        article.save()
        response = self.client.get("/articles/")
        self.assertContains(response, "Harbour robots")
        self.assertNotContains(response, "Harbour drones")

    def test_each_language_has_its_own_card(self):
        make_article(title="Harbour drones", title_zh_hant="海港無人機", slug="drones")
        self.assertContains(self.client.get("/articles/"), "Harbour drones")
        self.assertContains(self.client.get("/zh-hant/articles/"), "海港無人機")

    def test_memory_is_bounded(self):
        for n in range(3):
            make_article(title=f"Story {n}", slug=f"story-{n}")
        with mock.patch("portal.finders.cards.MAX_CARDS", 2):
            self.client.get("/articles/")
            self.assertEqual(len(cards._cards), 2)


@override_settings(PAGE_CACHE=False)
class RelatedRowsForCardsTests(TestCase):
    """A finder reads what its cards show of related rows (sectors) only for cards that are
    not in memory, once for the whole page."""

    def setUp(self):
        sector = make_sector(name="Health", slug="health")
        for n in range(3):
            make_article(title=f"Story {n}", slug=f"story-{n}").sectors.add(sector)

    def test_the_first_page_reads_the_sectors_once_for_every_card(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/articles/")
        sector_reads = [q for q in queries.captured_queries if "portal_article_sectors" in q["sql"]]
        self.assertEqual(len(sector_reads), 2)  # The facet index's groups, then the cards'.
        self.assertContains(response, "Sectors: Health", count=3)

    def test_remembered_cards_read_no_sectors(self):
        self.client.get("/articles/")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/articles/?sort=title")
        self.assertFalse([q for q in queries.captured_queries if "sectors" in q["sql"]])
        self.assertContains(response, "Sectors: Health", count=3)

    def test_a_new_card_reads_the_sectors_of_its_page(self):
        self.client.get("/articles/")
        finance = make_sector(name="Finance", slug="finance")
        make_article(title="Story 3", slug="story-3").sectors.add(finance)
        response = self.client.get("/articles/")  # Content changed: every card is new.
        self.assertContains(response, "Sectors: Health", count=3)
        self.assertContains(response, "Sectors: Finance", count=1)
