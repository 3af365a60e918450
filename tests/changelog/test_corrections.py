"""Issue #20: corrections stated publicly, at the top of the page, in its JSON-LD, in the
change log and its feeds, and on /corrections/, in both languages."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase

from portal.models import Article, Correction, RecordChange
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article, make_initiative

ATOM = "{http://www.w3.org/2005/Atom}"


def json_ld(response):
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


@time_machine.travel(NOW, tick=False)
class CorrectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.initiative = make_initiative(name="InnoHK", slug="innohk", start_year=2020)
        cls.correction = Correction.objects.create(
            initiative=cls.initiative,
            corrected_on=datetime.date(2026, 11, 20),
            field="start_year",
            text_en="An earlier version gave the start year as 2019; it was 2020.",
            text_zh_hant="先前版本誤把開始年份寫作2019年，應為2020年。",
        )

    def test_it_shows_at_the_top_of_the_page_and_in_its_json_ld(self):
        response = self.client.get("/initiatives/innohk/")
        text = response.content.decode()
        self.assertContains(response, "An earlier version gave the start year as 2019")
        self.assertContains(response, "(Start year)")
        self.assertLess(text.index("An earlier version"), text.index("About this page"))
        self.assertEqual(
            json_ld(response)["correction"],
            [
                {
                    "@type": "CorrectionComment",
                    "text": "An earlier version gave the start year as 2019; it was 2020.",
                    "datePublished": "2026-11-20",
                }
            ],
        )

    def test_it_is_in_the_change_log_and_its_feeds_and_follows_edits(self):
        for url in ("/changes/", "/initiatives/innohk/changes/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, "Corrected (edited)")
                self.assertContains(response, "Correction: An earlier version gave")
                self.assertContains(response, "Concerns: Start year")
        feed = ET.fromstring(self.client.get("/initiatives/innohk/changes.atom").content)
        entry = feed.find(f"{ATOM}entry")
        self.assertEqual(entry.find(f"{ATOM}title").text, "InnoHK: Corrected")
        self.assertIn("An earlier version gave", entry.find(f"{ATOM}summary").text)

        self.correction.text_en = "The start year was 2020, not 2019."
        self.correction.save()
        self.assertEqual(RecordChange.objects.filter(kind="corrected").count(), 1)
        self.assertContains(self.client.get("/changes/"), "The start year was 2020, not 2019.")
        self.correction.delete()
        self.assertFalse(RecordChange.objects.filter(kind="corrected").exists())
        self.assertNotContains(self.client.get("/initiatives/innohk/"), "not 2019")

    def test_chinese_pages_show_the_chinese_text_or_the_english_marked_as_such(self):
        response = self.client.get("/zh-hant/initiatives/innohk/")
        self.assertContains(response, "先前版本誤把開始年份寫作2019年")
        Correction.objects.create(initiative=self.initiative, text_en="English only text.")
        response = self.client.get("/zh-hant/corrections/")
        self.assertContains(response, '<span lang="en">English only text.</span>', html=True)
        self.assertContains(response, "先前版本誤把開始年份寫作2019年")

    def test_corrections_lists_them_newest_first_and_not_those_of_hidden_articles(self):
        draft = make_article(title="Draft piece", slug="draft", status=Article.Status.DRAFT)
        Correction.objects.create(article=draft, text_en="Hidden correction.")
        live = make_article(title="Live piece", slug="live")
        Correction.objects.create(
            article=live, corrected_on=datetime.date(2026, 11, 24), text_en="Live correction."
        )
        response = self.client.get("/corrections/")
        text = response.content.decode()
        self.assertNotContains(response, "Hidden correction.")
        self.assertNotContains(self.client.get("/changes/"), "Hidden correction.")
        self.assertLess(text.index("Live correction."), text.index("An earlier version"))
        self.assertContains(response, 'href="/articles/live/">Live piece</a>')

    def test_corrections_pages_by_key_at_a_fixed_number_of_queries(self):
        def page():
            with self.assertNumQueries(2):  # the content state, a page with its records
                return self.client.get("/corrections/")

        page()
        for n in range(30):
            Correction.objects.create(initiative=self.initiative, text_en=f"Correction {n}.")
        first = page()
        self.assertEqual(len(first.context["corrections"]), 20)
        with self.assertNumQueries(3):  # and the date of the correction to start after
            second = self.client.get(first.context["older_url"])
        self.assertEqual(len(second.context["corrections"]), 11)
        seen = {c.pk for c in first.context["corrections"]}
        self.assertFalse(seen & {c.pk for c in second.context["corrections"]})
        for query in ("before=x", "before=" + "9" * 30):
            self.assertEqual(self.client.get(f"/corrections/?{query}").status_code, 400)


@time_machine.travel(NOW, tick=False)
class CorrectionAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
        cls.initiative = make_initiative(name="InnoHK", slug="innohk")

    def test_an_editor_adds_a_correction_on_the_records_form(self):
        self.client.force_login(self.editor)
        url = admin_url(type(self.initiative), "change", self.initiative.pk)
        form = self.client.get(url)
        self.assertContains(form, 'name="corrections-TOTAL_FORMS"')
        self.assertContains(form, '<option value="status">Status</option>')
        data = form_values(form, type(self.initiative))
        data.update(
            {
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-corrected_on": "2026-11-25",
                "corrections-0-field": "status",
                "corrections-0-text_en": "The status was wrong.",
                "corrections-0-text_zh_hant": "",
            }
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        correction = Correction.objects.get()
        self.assertEqual((correction.record_type, correction.field), ("initiative", "status"))
        self.client.logout()
        self.assertContains(self.client.get("/initiatives/innohk/"), "The status was wrong.")
        # A record being added has nothing to correct.
        self.client.force_login(self.editor)
        self.assertNotContains(
            self.client.get(admin_url(type(self.initiative), "add")), "corrections-TOTAL_FORMS"
        )
