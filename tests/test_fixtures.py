"""The shipped fixtures: they load both ways, meet the content rules, and are canonical."""

import io
import json
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from portal.content.exporter import export_all
from portal.content.normalise import normalise_text
from portal.content.schema import SPECS
from portal.models import Article, Initiative, Organisation, Sector

FIXTURES = settings.BASE_DIR / "fixtures"
SEEDS = settings.BASE_DIR.parent / "shared" / "seeds"
FIXTURE_FILES = [FIXTURES / spec.file_name for spec in SPECS]


def seed_text(name):
    """A seed article as (title, body): the first line, then the rest from its first text."""
    title, _, rest = (SEEDS / name).read_text(encoding="utf-8").partition("\n")
    return title, rest.strip("\n")


# A seed's section title: a paragraph of its own, sometimes numbered, ending in a colon.
SEED_SECTION_TITLE = re.compile(r"^(?:  1\. )?([^\n]+):$", re.M)
MARKDOWN_HEADING = re.compile(r"^## ([^\n]+)$", re.M)


# The editor's note above a seed's text: a block quote, first in the body.
EDITORS_NOTE = re.compile(r"\A(?:>[^\n]*\n)+\n")
FOOTNOTE_DEFINITIONS = re.compile(r"\n+(?:\[\^[^\]\s]+\]: [^\n]*\n?)+\Z")


def seed_article(seed_title):
    """The article made from the seed titled `seed_title` (its title may have lost a word
    that the seed's cut-off title ended on)."""
    words = normalise_text(seed_title).split()
    titles = [" ".join(words[:n]).rstrip(":") for n in range(len(words), 2, -1)]
    return Article.objects.filter(title_en__in=titles).get()


def seed_body_text(body):
    """A seed article's body without the editor's note above it and the note's footnote
    definitions below it: the seed's own text."""
    return FOOTNOTE_DEFINITIONS.sub("", EDITORS_NOTE.sub("", body))


def assert_database_matches_committed_fixtures(test):
    """Export the database and compare each file, byte for byte, with the one in fixtures/.

    The committed files give no review dates, and the importer dates a new record's review
    on the day it imports it (so nothing is due for review the day the portal is set up):
    those dates are set aside first.
    """
    for model in (Initiative, Organisation):
        model.objects.filter(last_reviewed=timezone.localdate()).update(last_reviewed=None)
    directory = Path(test.enterContext(tempfile.TemporaryDirectory()))
    for path, _ in export_all(directory):
        test.assertEqual(path.read_bytes(), (FIXTURES / path.name).read_bytes(), path.name)


class FixtureFileTests(TestCase):
    def test_there_is_one_file_per_model_and_nothing_else(self):
        self.assertEqual(sorted(FIXTURES.glob("*.json")), sorted(FIXTURE_FILES))

    def test_no_record_carries_a_primary_key(self):
        for path in FIXTURE_FILES:
            for number, item in enumerate(json.loads(path.read_text(encoding="utf-8")), 1):
                self.assertEqual(set(item), {"model", "fields"}, f"{path.name} record {number}")


class FixtureContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=io.StringIO())

    def test_minimum_amounts_of_real_content(self):
        self.assertGreaterEqual(Sector.objects.count(), 10)
        self.assertGreaterEqual(Initiative.objects.count(), 25)
        self.assertGreaterEqual(Organisation.objects.count(), 15)

    def test_every_initiative_and_organisation_cites_a_source(self):
        for model in (Initiative, Organisation):
            unsourced = model.objects.filter(sources__isnull=True).values_list("slug", flat=True)
            self.assertEqual(list(unsourced), [], model.__name__)

    def test_every_article_is_published_and_public(self):
        # The two seed articles and the editors' explainers (one per theme of issue #10).
        self.assertGreaterEqual(Article.objects.count(), 12)
        self.assertEqual(Article.objects.published().count(), Article.objects.count())
        for name in SEEDS.glob("*.txt"):
            with self.subTest(seed=name.name):
                title, _ = seed_text(name.name)
                article = seed_article(title)
                self.assertIn(article, Article.objects.published())
                # The seed's title, complete: a title cut off mid-phrase loses its last word.
                self.assertTrue(normalise_text(title).startswith(article.title_en))

    def test_institutes_and_centres_are_part_of_their_host(self):
        parents = dict(
            Organisation.objects.filter(parent__isnull=False).values_list("slug", "parent__slug")
        )
        self.assertLessEqual(
            {
                "cair": "casia",
                "cpii": "cuhk",
                "hkai-sci": "cityu",
                "hkgai": "hkust",
                "hku-ids": "hku",
                "mrc": "cuhk",
                "paai": "polyu",
                "transgp": "hku",
            }.items(),
            parents.items(),
        )

    def test_footnotes_name_one_of_the_records_own_sources(self):
        for model in (Initiative, Organisation):
            for obj in model.objects.prefetch_related("sources"):
                urls = {source.url for source in obj.sources.all()}
                for line in obj.description_en.splitlines():
                    if line.startswith("[^"):
                        self.assertIn(line.partition("]: ")[2], urls, obj.slug)

    def test_seed_articles_keep_their_text_with_the_encoding_damage_repaired(self):
        for name in sorted(p.name for p in SEEDS.glob("*.txt")):
            title, body = seed_text(name)
            with self.subTest(seed=name):
                article = seed_article(title)
                seed = normalise_text(body)
                # Each seed section title ("  1. Government Initiatives:") is now a heading
                # ("## Government Initiatives"); everything else is the seed's text unchanged.
                text = seed_body_text(article.body_en)
                self.assertEqual(MARKDOWN_HEADING.findall(text), SEED_SECTION_TITLE.findall(seed))
                self.assertEqual(
                    MARKDOWN_HEADING.sub(r"\1", text), SEED_SECTION_TITLE.sub(r"\1", seed)
                )
                self.assertNotIn("\u0100", article.body)
                self.assertTrue(article.sectors.exists())

    def test_the_damaged_phrase_reads_hong_kong(self):
        article = Article.objects.get(title_en__startswith="Hong Kong\u2019s Rising Role")
        self.assertIn("driving Hong Kong AI advancements", article.body)
        self.assertEqual(
            [i.slug for i in article.organisations.all()],
            ["astri"],
        )

    def test_seed_articles_show_their_section_titles_as_headings(self):
        expected = {
            "Hong Kong\u2019s Ascendance": [
                "Government Initiatives",
                "Startups and Entrepreneurship",
            ],
            "Hong Kong\u2019s Rising Role": [
                "The Evolution of AI in Hong Kong",
                "Smart City Initiatives",
            ],
        }
        for title, headings in expected.items():
            article = Article.objects.get(title_en__startswith=title)
            response = self.client.get(article.get_absolute_url())
            with self.subTest(article=article.slug):
                self.assertEqual(response.status_code, 200)
                for heading in headings:
                    self.assertRegex(response.content.decode(), rf"<h2[^>]*>\s*{heading}\s*</h2>")
                self.assertNotContains(response, "1. Government Initiatives:")

    def test_seed_articles_are_tagged_with_what_they_discuss(self):
        first = Article.objects.get(title_en__startswith="Hong Kong\u2019s Ascendance")
        self.assertIn("smart-city-blueprint", [i.slug for i in first.initiatives.all()])

    def test_fixtures_are_canonical_exports(self):
        # Importing and exporting gives the committed files back byte for byte: the fixtures
        # are exactly what export_content writes, so an edit-export-commit cycle is lossless.
        assert_database_matches_committed_fixtures(self)

    def test_importing_the_fixtures_again_changes_nothing(self):
        out = io.StringIO()
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=out)
        self.assertNotRegex(out.getvalue(), r"[1-9]\d* (created|updated)")


class LoaddataTests(TestCase):
    def test_plain_loaddata_gives_the_same_content_as_the_importer(self):
        call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)
        assert_database_matches_committed_fixtures(self)
