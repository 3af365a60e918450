"""Content in two languages: Chinese names and text, English fallback, Chinese search."""

import io
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from portal.models import Initiative, Organisation, Sector
from portal.search import search
from tests.factories import make_initiative, make_organisation, make_sector
from tests.test_fixtures import FIXTURE_FILES


class ChineseSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cyberport = make_organisation(
            name="Hong Kong Cyberport Management Company Limited",
            slug="cyberport",
            short_name="Cyberport",
            short_name_zh_hant="數碼港",
        )
        cls.astri = make_organisation(
            name="Hong Kong Applied Science and Technology Research Institute",
            slug="astri",
            short_name="ASTRI",
            name_zh_hant="香港應用科技研究院",
            aliases="ASTRI HK",
        )
        cls.hkma = make_organisation(
            name="Hong Kong Monetary Authority", slug="hkma", name_zh_hant="香港金融管理局"
        )
        make_initiative(
            name="HKChat",
            slug="hkchat",
            name_zh_hant="港話通",
            summary="A public chatbot built on a local language model.",
        )

    def slugs(self, model, text):
        return sorted(obj.slug for obj in search(model.objects.all(), text))

    def test_a_chinese_name_finds_its_item(self):
        self.assertEqual(self.slugs(Organisation, "數碼港"), ["cyberport"])
        self.assertEqual(self.slugs(Initiative, "港話通"), ["hkchat"])

    def test_a_two_character_term_finds_every_item_containing_it(self):
        self.assertEqual(self.slugs(Organisation, "數碼"), ["cyberport"])
        self.assertEqual(self.slugs(Organisation, "金融"), ["hkma"])
        self.assertEqual(self.slugs(Organisation, "香港"), ["astri", "hkma"])

    def test_a_single_character_matches_as_a_prefix(self):
        self.assertEqual(self.slugs(Organisation, "應"), ["astri"])

    def test_characters_must_be_next_to_each_other(self):
        # 香 and 研 both occur in ASTRI's name, but never as the pair 香研.
        self.assertEqual(self.slugs(Organisation, "香研"), [])

    def test_english_names_acronyms_and_aliases_still_match(self):
        self.assertEqual(self.slugs(Organisation, "Cyberport"), ["cyberport"])
        self.assertEqual(self.slugs(Organisation, "astri"), ["astri"])
        self.assertEqual(self.slugs(Initiative, "chatbot"), ["hkchat"])

    def test_mixed_queries_need_both_parts(self):
        self.assertEqual(self.slugs(Organisation, "Monetary 金融"), ["hkma"])
        self.assertEqual(self.slugs(Organisation, "Cyberport 金融"), [])

    def test_the_search_page_finds_chinese_in_both_editions(self):
        for prefix in ("", "/zh-hant"):
            response = self.client.get(f"{prefix}/search/", {"q": "數碼港"})
            # The type facet: articles, initiatives, organisations, sectors, milestones,
            # sources.
            types = response.context["facets"][0].options
            self.assertEqual([option.count for option in types], [0, 0, 1, 0, 0, 0])
        response = self.client.get("/zh-hant/organisations/", {"q": "金融"})
        self.assertEqual([o.slug for o in response.context["object_list"]], ["hkma"])

    def test_chinese_search_is_served_by_an_index(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                # Unordered: on a table this small, walking the name index for its order
                # and testing each row would otherwise do.
                plan = search(Organisation.objects.order_by(), "數碼港").explain()
                self.assertIn("portal_organisation_cjk_idx", plan)
            else:
                cursor.execute("PRAGMA table_info(portal_organisation_fts)")
                self.assertIn("search_cjk", [row[1] for row in cursor.fetchall()])

    def test_tokens_follow_edits(self):
        self.hkma.name_zh_hant = "金管局"
        self.hkma.save()
        self.assertEqual(self.slugs(Organisation, "金管"), ["hkma"])
        self.assertEqual(self.slugs(Organisation, "金融"), [])


class FallbackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        sector = make_sector(name="Finance", slug="finance", name_zh_hant="金融")
        cls.translated = make_organisation(
            name="Hong Kong Monetary Authority",
            slug="hkma",
            name_zh_hant="香港金融管理局",
            description="The central banking institution.",
            description_zh_hant="香港的中央銀行機構。",
        )
        cls.english_only = make_organisation(
            name="SenseTime", slug="sensetime", description="An AI company founded in 2014."
        )
        cls.english_only.sectors.add(sector)

    def test_chinese_text_is_shown_where_it_exists(self):
        html = self.client.get("/zh-hant/organisations/hkma/").content.decode()
        self.assertIn("<h1>香港金融管理局</h1>", html)
        self.assertIn("香港的中央銀行機構。", html)
        self.assertNotIn("只有英文版本", html)

    def test_missing_translations_fall_back_to_english_marked_as_such(self):
        html = self.client.get("/zh-hant/organisations/sensetime/").content.decode()
        self.assertIn('<h1><span lang="en">SenseTime</span></h1>', html)
        self.assertIn(
            '<div lang="en"><p class="english-only" lang="zh-Hant">只有英文版本</p>'
            "<p>An AI company founded in 2014.</p>\n</div>",
            html,
        )
        # The sector has a Chinese name, so it is not marked.
        self.assertIn(">金融</a>", html)

    def test_english_pages_never_show_the_note(self):
        html = self.client.get("/organisations/sensetime/").content.decode()
        self.assertIn("<h1>SenseTime</h1>", html)
        self.assertNotIn("english-only", html)

    def test_facet_options_mark_english_names_on_chinese_pages(self):
        html = self.client.get("/zh-hant/articles/").content.decode()
        untranslated = '<label for="f-organisation-sensetime"><span lang="en">SenseTime</span>'
        self.assertIn(untranslated, html)
        self.assertIn('<label for="f-organisation-hkma">香港金融管理局 ', html)

    def test_list_cards_mark_english_names_on_chinese_pages(self):
        html = self.client.get("/zh-hant/organisations/").content.decode()
        self.assertIn('<span lang="en">SenseTime</span>', html)
        self.assertIn("香港金融管理局", html)


class EditorTranslationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("chief", "c@example.org", "x")
        make_organisation(
            name="Translated",
            slug="translated",
            name_zh_hant="已翻譯",
            description="Text",
            description_zh_hant="文字",
        )
        make_organisation(name="Untranslated", slug="untranslated", description="Text")

    def setUp(self):
        self.client.force_login(self.user)

    def test_editors_can_filter_items_that_lack_a_translation(self):
        url = reverse("admin:portal_organisation_changelist")
        missing = self.client.get(url, {"translation": "missing"}).context["cl"].result_list
        complete = self.client.get(url, {"translation": "complete"}).context["cl"].result_list
        self.assertEqual([o.slug for o in missing], ["untranslated"])
        self.assertEqual([o.slug for o in complete], ["translated"])

    def test_both_languages_are_edited_side_by_side(self):
        obj = Organisation.objects.get(slug="translated")
        html = self.client.get(
            reverse("admin:portal_organisation_change", args=[obj.pk])
        ).content.decode()
        self.assertIn('form-multiline field-name_en field-name_zh_hant"', html)
        self.assertIn("Name [zh-hant]", html)


class ChineseFixtureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=io.StringIO())

    def test_official_chinese_names_from_the_data(self):
        self.assertEqual(Organisation.objects.get(slug="hkma").name_zh_hant, "香港金融管理局")
        self.assertEqual(Organisation.objects.get(slug="cyberport").short_name_zh_hant, "數碼港")
        self.assertEqual(Initiative.objects.get(slug="hkchat").name_zh_hant, "港話通")

    def test_readers_find_organisations_by_english_or_chinese_name_or_acronym(self):
        for text in ["數碼港", "Cyberport", "應科院", "ASTRI", "香港應用科技研究院"]:
            with self.subTest(text=text):
                found = [o.slug for o in search(Organisation.objects.all(), text)]
                self.assertIn(
                    {"數碼港": "cyberport", "Cyberport": "cyberport"}.get(text, "astri"), found
                )

    def test_imported_chinese_is_searchable_at_once(self):
        # Other organisations' summaries mention Cyberport too (the HKMA runs a sandbox with it).
        self.assertIn("cyberport", [o.slug for o in search(Organisation.objects.all(), "數碼港")])
        # The document copilot's and the language model's Chinese descriptions name it too.
        self.assertIn("hkchat", [i.slug for i in search(Initiative.objects.all(), "港話通")])


class OrganisationSummaryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_organisation(
            name="Hospital Authority",
            slug="hospital-authority",
            name_zh_hant="醫院管理局",
            aliases="醫管局",
            summary="Statutory body that runs the public hospitals and builds AI for them.",
            summary_zh_hant="管理公立醫院並為其開發人工智能的法定機構。",
        )
        make_organisation(name="SenseTime", slug="sensetime", summary="An AI company.")

    def test_the_page_and_card_show_the_summary_in_each_language(self):
        chinese = "管理公立醫院並為其開發人工智能的法定機構。"
        for url, text in [
            ("/organisations/hospital-authority/", "builds AI for them."),
            ("/zh-hant/organisations/hospital-authority/", chinese),
            ("/organisations/", "builds AI for them."),
            ("/zh-hant/organisations/", chinese),
        ]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), text)

    def test_a_missing_chinese_summary_falls_back_to_english_marked_as_such(self):
        html = self.client.get("/zh-hant/organisations/sensetime/").content.decode()
        self.assertIn('<p class="standfirst"><span lang="en">An AI company.</span></p>', html)

    def test_the_summary_is_searched_in_both_languages(self):
        for text in ["hospitals", "法定機構", "醫管局"]:
            with self.subTest(text=text):
                found = [o.slug for o in search(Organisation.objects.all(), text)]
                self.assertEqual(found, ["hospital-authority"])


# A footnote marker in running text, and a definition line at the end (shared conventions).
FOOTNOTE_MARKER = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]: (\S+)$", re.MULTILINE)


class ChineseFixtureCoverageTests(TestCase):
    """The committed content in Chinese: what a reader of /zh-hant/ gets."""

    @classmethod
    def setUpTestData(cls):
        call_command("import_content", *map(str, FIXTURE_FILES), stdout=io.StringIO())

    def test_every_sector_initiative_and_organisation_has_chinese_summaries(self):
        for model in (Sector, Initiative, Organisation):
            with self.subTest(model=model.__name__):
                self.assertFalse(model.objects.filter(summary_zh_hant="").exists())
                self.assertFalse(model.objects.filter(summary_en="").exists())
        self.assertFalse(Sector.objects.filter(description_zh_hant="").exists())

    def test_chinese_short_names_find_their_bodies(self):
        for text, slug in [
            ("醫管局", "hospital-authority"),
            ("金管局", "hkma"),
            ("數字辦", "dpo"),
            ("創科局", "itib"),
            ("財庫局", "fstb"),
        ]:
            with self.subTest(text=text):
                self.assertIn(slug, [o.slug for o in search(Organisation.objects.all(), text)])

    def test_the_chinese_search_page_finds_the_hospital_authority(self):
        response = self.client.get("/zh-hant/search/", {"q": "醫管局"})
        self.assertContains(response, "醫院管理局")
        self.assertContains(response, "/zh-hant/organisations/hospital-authority/")

    def test_chinese_pages_show_the_chinese_summaries(self):
        for path, obj in [
            ("organisations", Organisation.objects.get(slug="hospital-authority")),
            ("initiatives", Initiative.objects.get(slug="hkchat")),
            ("sectors", Sector.objects.get(slug="healthcare")),
        ]:
            with self.subTest(slug=obj.slug):
                html = self.client.get(f"/zh-hant/{path}/{obj.slug}/").content.decode()
                self.assertIn(f'<p class="standfirst">{obj.summary_zh_hant}</p>', html)
                self.assertNotIn(obj.summary_en, html)
        cards = self.client.get("/zh-hant/organisations/?sector=banking-finance").content.decode()
        self.assertIn(Organisation.objects.get(slug="hkma").summary_zh_hant, cards)

    def test_sector_footnotes_cite_the_sectors_own_sources_in_both_languages(self):
        for sector in Sector.objects.prefetch_related("sources"):
            sources = {source.url for source in sector.sources.all()}
            notes = {}
            for language in ("en", "zh_hant"):
                text = getattr(sector, f"description_{language}")
                definitions = dict(FOOTNOTE_DEFINITION.findall(text))
                with self.subTest(sector=sector.slug, language=language):
                    self.assertTrue(definitions)
                    self.assertLessEqual(set(definitions.values()), sources)
                    self.assertEqual(set(FOOTNOTE_MARKER.findall(text)), set(definitions))
                notes[language] = definitions
            self.assertEqual(notes["en"], notes["zh_hant"], sector.slug)
