"""English ranking, pinned: the orderings readers get today must survive changes to how
queries are built (synonyms, aliases). Written before those changes."""

from django.test import TestCase

from portal.models import Article, Initiative
from portal.search.query import matches
from tests.factories import make_article, make_initiative


def ranked_slugs(model, text):
    found = matches(model, text)
    rows = model.objects.in_bulk(list(found.ids))
    return [rows[pk].slug for pk in found.ranked()]


class EnglishRankingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article(slug="in-body", title="Hospitals", body="Radiologists use a robotics kit.")
        make_article(slug="in-title", title="Robotics in logistics", body="Warehouses change.")
        make_article(
            slug="in-summary", title="Ports", summary="Robotics at the container terminals."
        )
        make_initiative(
            slug="named",
            name="Generative AI Sandbox",
            description="Banks try new tools.",
        )
        make_initiative(
            slug="described",
            name="Fintech strategy",
            description="Includes a sandbox for generative AI in banking.",
        )
        make_initiative(slug="unrelated", name="Weather prediction", description="Rain.")

    def test_title_above_summary_above_body(self):
        self.assertEqual(ranked_slugs(Article, "robotics"), ["in-title", "in-summary", "in-body"])

    def test_a_name_match_ranks_above_a_description_match(self):
        self.assertEqual(ranked_slugs(Initiative, "sandbox"), ["named", "described"])

    def test_every_word_in_the_name_ranks_first(self):
        self.assertEqual(ranked_slugs(Initiative, "generative sandbox"), ["named", "described"])
