import datetime
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import TestCase

from portal.models import Article, Initiative, Organisation, Sector, Source
from portal.reference.markdown import render_markdown
from tests.factories import (
    NOW,
    make_article,
    make_initiative,
    make_organisation,
    make_sector,
    make_source,
)


@time_machine.travel(NOW, tick=False)
class PublishedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_article(title="Live", publish_at=NOW - datetime.timedelta(minutes=1))
        cls.due_now = make_article(title="Due now", publish_at=NOW)
        cls.draft = make_article(title="Draft", status=Article.Status.DRAFT)
        cls.scheduled = make_article(
            title="Scheduled", publish_at=NOW + datetime.timedelta(hours=1)
        )

    def test_only_published_articles_whose_date_has_passed_are_public(self):
        self.assertQuerySetEqual(
            Article.objects.published().order_by("title_en"), ["Due now", "Live"], transform=str
        )

    def test_a_scheduled_article_appears_by_itself_when_its_date_passes(self):
        with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
            self.assertIn(self.scheduled, Article.objects.published())

    def test_a_draft_never_appears_whatever_its_date(self):
        with time_machine.travel(NOW + datetime.timedelta(days=3650), tick=False):
            self.assertNotIn(self.draft, Article.objects.published())


class ConstraintTests(TestCase):
    def test_end_year_before_start_year_is_refused_by_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_initiative(start_year=2024, end_year=2020)

    def test_end_year_equal_to_start_year_and_open_ended_initiatives_are_allowed(self):
        make_initiative(start_year=2024, end_year=2024)
        make_initiative(start_year=2024, end_year=None)
        self.assertEqual(Initiative.objects.count(), 2)

    def test_implausible_years_are_refused(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_initiative(start_year=20245)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_organisation(founded_year=999)

    def test_slugs_are_unique(self):
        make_sector(slug="finance")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_sector(slug="finance")

    def test_source_urls_are_unique(self):
        make_source(url="https://www.hkma.gov.hk/a")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_source(url="https://www.hkma.gov.hk/a")

    def test_deleting_an_organisation_that_leads_an_initiative_is_refused(self):
        lead = make_organisation()
        make_initiative(lead_organisation=lead)
        with self.assertRaises(ProtectedError):
            lead.delete()

    def test_model_validation_names_both_years(self):
        initiative = Initiative(
            name_en="X", slug="x", kind="funding", start_year=2024, end_year=2020
        )
        with self.assertRaises(ValidationError) as caught:
            initiative.full_clean()
        errors = caught.exception.message_dict
        self.assertIn("end_year", errors)
        self.assertIn("start_year", errors)
        self.assertIn("2020", errors["end_year"][0])
        self.assertIn("2024", errors["end_year"][0])


class NaturalKeyTests(TestCase):
    def test_every_exchanged_model_round_trips_its_natural_key(self):
        objects = [
            make_source(),
            make_sector(),
            make_organisation(),
            make_initiative(),
            make_article(),
        ]
        for obj in objects:
            with self.subTest(model=type(obj).__name__):
                manager = type(obj)._default_manager
                self.assertEqual(manager.get_by_natural_key(*obj.natural_key()), obj)


class PresentationTests(TestCase):
    def test_absolute_urls_use_slugs(self):
        self.assertEqual(make_sector(slug="health").get_absolute_url(), "/sectors/health/")
        self.assertEqual(make_article(slug="a-b").get_absolute_url(), "/articles/a-b/")

    def test_str_is_the_name_or_title(self):
        self.assertEqual(str(make_organisation(name="Cyberport")), "Cyberport")
        self.assertEqual(str(Source(url="https://x.hk/")), "https://x.hk/")
        self.assertEqual(str(Source(url="https://x.hk/", title="Report")), "Report")

    def test_default_orderings(self):
        make_sector(name="B", sort_weight=10)
        make_sector(name="A", sort_weight=20)
        make_sector(name="C", sort_weight=10)
        self.assertEqual([s.name for s in Sector.objects.all()], ["B", "C", "A"])
        self.assertEqual(Organisation._meta.ordering, ["name_en"])


class _TagCollector(HTMLParser):
    """Collects (tag, attributes) for every element a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements_of(html):
    collector = _TagCollector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="https://x.hk" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "![x](javascript:alert(1))",
    ],
)
def test_article_bodies_cannot_carry_script(markdown):
    html = render_markdown(f"Before\n\n{markdown}\n\nAfter")
    elements = elements_of(html)
    assert {tag for tag, _ in elements} <= {"p", "a"}
    for _, attributes in elements:
        assert not [name for name in attributes if name.startswith("on")]
        assert not attributes.get("href", "").lower().startswith("javascript:")
    assert "Before" in html and "After" in html


def test_article_markdown_keeps_structure_and_safe_links():
    html = render_markdown("## Heading\n\n- one\n- two\n\n[HKMA](https://www.hkma.gov.hk)")
    assert "<h2>Heading</h2>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://www.hkma.gov.hk" rel="noopener noreferrer">HKMA</a>' in html
