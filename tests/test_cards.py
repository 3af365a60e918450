"""Cards rendered once per content state and language (portal.cards), never stale."""

from unittest import mock

from django.test import TestCase, override_settings

from portal import cards
from tests.factories import make_article

ARTICLE_CARD = "portal/includes/_article_card.html"


@override_settings(PAGE_CACHE=False)  # Every request renders its page; only cards are kept.
class CardMemoryTests(TestCase):
    def test_a_card_is_rendered_once_per_state_and_language(self):
        make_article(title="Harbour drones", slug="drones")
        real = cards.get_template
        with mock.patch("portal.cards.get_template", side_effect=real) as loaded:
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
        with mock.patch("portal.cards.MAX_CARDS", 2):
            self.client.get("/articles/")
            self.assertEqual(len(cards._cards), 2)
