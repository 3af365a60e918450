"""Issue #20: scheduled articles reach /changes/ at their publish time; change notes in the
log, its feeds and a record's updates; imports summarised as one entry with their items."""

import datetime
import tempfile
import xml.etree.ElementTree as ET

import reversion
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from portal.content.importer import import_files
from portal.models import Article, Initiative, RecordChange
from tests.admin_pages import admin_url, form_values
from tests.content_files import record, valid_records, write_json
from tests.factories import NOW, make_article, make_initiative

ATOM = "{http://www.w3.org/2005/Atom}"
DAY = datetime.timedelta(days=1)


def import_records(records, name="content.json", note=None):
    with tempfile.TemporaryDirectory() as directory:
        path = write_json(directory, name, records)
        return import_files([path], names=[name], note=note)


def feed_titles(client, url="/changes.atom"):
    feed = ET.fromstring(client.get(url).content)
    return [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]


class AdminMixin:
    @classmethod
    def make_editor(cls):
        cls.editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")

    def save_through_admin(self, obj, **changes):
        self.client.force_login(self.editor)
        url = admin_url(type(obj), "change", obj.pk)
        data = form_values(self.client.get(url), type(obj))
        data.update(changes)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.client.logout()


class ScheduledArticleTests(AdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_editor()
        with time_machine.travel(NOW - DAY, tick=False), reversion.create_revision():
            cls.article = make_article(title="Budget article", slug="budget", status="draft")
            cls.initiative = make_initiative(name="Sandbox", slug="sandbox", status="planned")

    def schedule(self, day, time="20:00:00", button="_schedule"):
        self.save_through_admin(
            Article.objects.get(pk=self.article.pk),
            publish_at_0=day,
            publish_at_1=time,
            **{button: "1"},
        )

    def test_a_scheduled_article_appears_in_the_log_at_its_publish_time(self):
        with time_machine.travel(NOW, tick=False):
            self.schedule("2026-11-27")  # 20:00 in Hong Kong, two days on
            self.save_through_admin(Initiative.objects.get(pk=self.initiative.pk), status="active")
        with time_machine.travel(NOW + DAY, tick=False):
            self.assertNotContains(self.client.get("/changes/"), "Budget article")
            self.assertNotIn("Budget article: Published", feed_titles(self.client))
        with time_machine.travel(NOW + 2 * DAY + datetime.timedelta(minutes=1), tick=False):
            response = self.client.get("/changes/")
            self.assertContains(response, "Budget article")
            # At the top: the newest thing readers saw happen, above the edit made before it.
            first, _record, _lines = response.context["changes"][0]
            self.assertEqual((first.article_id, first.kind), (self.article.pk, "published"))
            self.assertEqual(feed_titles(self.client)[0], "Budget article: Published")
            self.assertEqual(
                feed_titles(self.client, "/articles/budget/changes.atom"),
                ["Budget article: Published"],
            )

    def test_a_rescheduled_article_appears_once_at_its_new_time(self):
        with time_machine.travel(NOW, tick=False):
            self.schedule("2026-11-27")
            self.schedule("2026-11-29")
        with time_machine.travel(NOW + 3 * DAY, tick=False):
            self.assertNotContains(self.client.get("/changes/"), "Budget article")
        with time_machine.travel(NOW + 5 * DAY, tick=False):
            rows = [c for c, _r, _l in self.client.get("/changes/").context["changes"]]
            self.assertEqual(
                [c.kind for c in rows if c.article_id == self.article.pk], ["published"]
            )

    def test_edits_to_a_scheduled_article_before_it_appears_stay_out_of_the_log(self):
        with time_machine.travel(NOW, tick=False):
            self.schedule("2026-11-27")
            self.save_through_admin(Article.objects.get(pk=self.article.pk), body_en="Revised.")
        with time_machine.travel(NOW + 3 * DAY, tick=False):
            kinds = [
                c.kind for c, _r, _l in self.client.get("/changes/?type=article").context["changes"]
            ]
        self.assertEqual(kinds, ["published"])

    def test_a_scheduled_article_publishing_now_is_logged_now(self):
        with time_machine.travel(NOW, tick=False):
            self.schedule("2026-11-27")
            # An hour ago: published at once (Publish keeps a date that has passed).
            self.schedule("2026-11-25", "19:00:00", button="_publish")
            response = self.client.get("/changes/")
        self.assertContains(response, "Published (edited)")

    def test_an_imported_scheduled_article_is_listed_on_its_own_at_its_time(self):
        scheduled = record(
            "article",
            title_en="Imported later",
            slug="later",
            body_en="Text.",
            status="published",
            publish_at="2026-11-28T09:00:00+08:00",
        )
        with time_machine.travel(NOW, tick=False):
            import_records([scheduled], name="later.json")
            self.assertNotContains(self.client.get("/changes/"), "Imported later")
        with time_machine.travel(NOW + 3 * DAY, tick=False):
            response = self.client.get("/changes/")
        self.assertContains(response, "Added (imported)")
        self.assertContains(response, 'href="/articles/later/">Imported later</a>')


class ChangeNoteTests(AdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_editor()
        with time_machine.travel(NOW - DAY, tick=False):
            import_records(valid_records())
        cls.initiative = Initiative.objects.get(slug="genai-sandbox")

    def test_an_editors_note_shows_in_the_log_its_feeds_and_the_records_updates(self):
        self.save_through_admin(
            self.initiative,
            status="completed",
            change_note_en="Status updated after the 2026-27 Budget",
            change_note_zh_hant="於2026-27年度財政預算案後更新狀況",
        )
        row = RecordChange.objects.get(initiative=self.initiative, via="editor")
        self.assertEqual(row.note_en, "Status updated after the 2026-27 Budget")
        for url in ("/changes/", "/initiatives/genai-sandbox/changes/"):
            with self.subTest(url):
                self.assertContains(
                    self.client.get(url), "Note: Status updated after the 2026-27 Budget"
                )
        self.assertContains(
            self.client.get("/zh-hant/initiatives/genai-sandbox/changes/"),
            "於2026-27年度財政預算案後更新狀況",
        )
        for url in ("/changes.atom", "/initiatives/genai-sandbox/changes.atom"):
            feed = ET.fromstring(self.client.get(url).content)
            summary = feed.find(f"{ATOM}entry").find(f"{ATOM}summary").text
            self.assertIn("Status updated after the 2026-27 Budget", summary)
        # The record's page links its updates, as GOV.UK's "See all updates" does.
        self.assertContains(
            self.client.get("/initiatives/genai-sandbox/"),
            '<a href="/initiatives/genai-sandbox/changes/">See all updates</a>',
        )

    def test_a_note_without_chinese_falls_back_to_english_marked_as_such(self):
        self.save_through_admin(self.initiative, status="completed", change_note_en="Budget update")
        response = self.client.get("/zh-hant/changes/")
        self.assertContains(response, '<span lang="en">Budget update</span>')

    def test_a_save_without_a_note_gives_none_and_no_note_leaks_into_the_next_save(self):
        self.save_through_admin(self.initiative, status="completed", change_note_en="First")
        self.save_through_admin(Initiative.objects.get(pk=self.initiative.pk), status="planned")
        rows = RecordChange.objects.filter(initiative=self.initiative, via="editor")
        self.assertEqual(
            sorted((row.lines[0]["new"], row.note_en) for row in rows),
            [("completed", "First"), ("planned", "")],
        )

    def test_an_import_is_one_entry_per_record_type_with_its_note_and_items(self):
        changed = valid_records()
        for item in changed:
            if item["model"] in ("portal.initiative", "portal.organisation"):
                item["fields"]["website"] = "https://example.org/"
        import_records(changed, name="second.json", note={"en": "Websites added"})
        response = self.client.get("/changes/")
        entries = [(c.kind, c.record_type) for c, _r, _l in response.context["changes"]]
        self.assertEqual(entries[:2], [("imported", "initiative"), ("imported", "organisation")])
        self.assertContains(response, "Note: Websites added", count=2)
        summary = response.context["changes"][0][0]
        items = self.client.get(f"/changes/?import={summary.pk}")
        self.assertContains(items, "Website: (empty) → https://example.org/")
        self.assertContains(items, "Note: Websites added")

    def test_import_content_takes_a_note(self):
        with tempfile.TemporaryDirectory() as directory:
            path = write_json(directory, "more.json", [record("sector", name_en="Law", slug="law")])
            call_command("import_content", str(path), note="Sectors reviewed", stdout=None)
        summary = RecordChange.objects.filter(kind="imported").order_by("-id").first()
        self.assertEqual((summary.record_type, summary.note_en), ("sector", "Sectors reviewed"))
        self.assertEqual(summary.lines, {"added": 1, "changed": 0})

    def test_the_log_and_an_imports_items_run_fixed_queries(self):
        def page_queries():
            summary = RecordChange.objects.filter(kind="imported").order_by("-id").first()
            with self.assertNumQueries(2):  # the content state, the rows with their records
                self.assertEqual(self.client.get("/changes/").status_code, 200)
            with self.assertNumQueries(3):  # the content state, the import, its items
                self.assertEqual(self.client.get(f"/changes/?import={summary.pk}").status_code, 200)
            with self.assertNumQueries(3):  # the content state, the record, its rows
                response = self.client.get("/initiatives/genai-sandbox/changes/")
                self.assertEqual(response.status_code, 200)

        page_queries()
        import_records([record("sector", name_en=f"More {n}", slug=f"more-{n}") for n in range(50)])
        for n in range(30):
            self.save_through_admin(
                Initiative.objects.get(pk=self.initiative.pk), website=f"https://e.org/{n}"
            )
        page_queries()
