"""The Traditional Chinese edition of the interface: URLs, switching, hreflang, local formats."""

import re

import polib
from django.conf import settings
from django.test import TestCase

from tests.factories import make_article, make_initiative, make_sector
from tests.sitemaps import sitemap_xml


class LanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        finance = make_sector(name="Finance", slug="finance")
        make_initiative(slug="sandbox").sectors.add(finance)
        make_article(title="Banks and AI", slug="banks")

    def test_english_pages_keep_their_urls_whatever_the_browser_prefers(self):
        response = self.client.get("/initiatives/?sector=finance", HTTP_ACCEPT_LANGUAGE="zh-HK,zh")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "1 result")

    def test_chinese_pages_live_under_zh_hant_with_the_interface_translated(self):
        response = self.client.get("/zh-hant/initiatives/?sector=finance")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="zh-Hant">')
        self.assertContains(response, "1 項結果")
        self.assertContains(response, "套用篩選")  # the "Apply filters" button
        self.assertContains(response, "<h1>措施</h1>", html=True)

    def test_switcher_and_hreflang_point_at_the_same_page_with_its_filters(self):
        html = self.client.get("/initiatives/?sector=finance&sort=name").content.decode()
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html)
        )
        self.assertEqual(
            alternates,
            {
                "en": "http://testserver/initiatives/?sector=finance&amp;sort=name",
                "x-default": "http://testserver/initiatives/?sector=finance&amp;sort=name",
                "zh-Hant": "http://testserver/zh-hant/initiatives/?sector=finance&amp;sort=name",
            },
        )
        self.assertIn(
            '<a href="http://testserver/zh-hant/initiatives/?sector=finance&amp;sort=name" '
            'lang="zh-Hant" hreflang="zh-Hant" rel="nofollow">繁體中文</a>',
            html,
        )
        chinese = self.client.get("/zh-hant/initiatives/?sector=finance&sort=name").content.decode()
        self.assertIn(
            '<a href="http://testserver/initiatives/?sector=finance&amp;sort=name" '
            'lang="en" hreflang="en" rel="nofollow">English</a>',
            chinese,
        )

    def test_every_page_type_has_a_chinese_version(self):
        for path in [
            "/",
            "/articles/",
            "/articles/banks/",
            "/initiatives/sandbox/",
            "/organisations/",
            "/sectors/",
            "/sectors/finance/",
            "/search/?q=banks",
        ]:
            with self.subTest(path=path):
                response = self.client.get(f"/zh-hant{path}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, '<html lang="zh-Hant">')

    def test_dates_use_the_local_format(self):
        self.assertRegex(
            self.client.get("/zh-hant/articles/").content.decode(), r"\d{4}年\d{1,2}月\d{1,2}日"
        )

    def test_feeds_and_downloads_speak_the_page_language(self):
        feed = self.client.get("/zh-hant/initiatives.atom?sector=finance").content.decode()
        self.assertIn('xml:lang="zh-hant"', feed)
        self.assertIn("界別：Finance", feed)
        csv = b"".join(self.client.get("/zh-hant/initiatives.csv").streaming_content).decode()
        self.assertTrue(csv.lstrip("\ufeff").startswith("名稱,"))

    def test_sitemap_lists_both_languages_with_alternates(self):
        xml = sitemap_xml(self.client)
        self.assertIn("<loc>http://testserver/zh-hant/initiatives/sandbox/</loc>", xml)
        self.assertIn('hreflang="zh-hant" href="http://testserver/zh-hant/articles/banks/"', xml)
        self.assertIn('hreflang="x-default" href="http://testserver/articles/banks/"', xml)

    def test_the_admin_and_plumbing_stay_unprefixed(self):
        self.assertEqual(self.client.get("/zh-hant/healthz").status_code, 404)
        self.assertEqual(self.client.get("/healthz").status_code, 200)


def test_the_chinese_catalogue_is_complete():
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/zh_Hant/LC_MESSAGES/django.po"))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    # Placeholders survive translation, e.g. "%(count)d" in both the English and the Chinese.
    for entry in catalogue.translated_entries():
        for placeholder in re.findall(r"%\(\w+\)[sd]", entry.msgid):
            translations = [entry.msgstr] if entry.msgstr else entry.msgstr_plural.values()
            assert all(placeholder in text for text in translations), entry.msgid
