"""The public change log: imports and admin edits as field-level lines, filtered by type, as
Atom, per record, never showing drafts, at a fixed number of queries per page."""

import datetime
import tempfile
import xml.etree.ElementTree as ET

import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase
from reversion.models import Version

from portal.changelog.diffs import word_diff
from portal.content.importer import import_files
from portal.models import Article, Initiative, RecordChange
from tests.admin_pages import admin_url, form_values
from tests.content_files import record, valid_records, write_json
from tests.factories import NOW

ATOM = "{http://www.w3.org/2005/Atom}"
LONG_TEXT = (
    "The sandbox lets banks try generative AI with supervisory feedback before they launch "
    "products to customers in Hong Kong."
)


def import_records(records, name="content.json"):
    with tempfile.TemporaryDirectory() as directory:
        path = write_json(directory, name, records)
        return import_files([path], names=[name])


def with_initiative(**fields):
    """valid_records() with the initiative's fields changed."""
    records = valid_records()
    for item in records:
        if item["model"] == "portal.initiative":
            item["fields"].update(fields)
    return records


class ChangeLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
        with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
            import_records(with_initiative(status="planned", description_en=LONG_TEXT))
        cls.initiative = Initiative.objects.get(slug="genai-sandbox")

    def save_through_admin(self, obj, **changes):
        self.client.force_login(self.editor)
        url = admin_url(type(obj), "change", obj.pk)
        data = form_values(self.client.get(url), type(obj))
        data.update(changes)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.client.logout()

    def test_an_import_gives_each_item_a_version_and_a_log_row(self):
        (version,) = Version.objects.get_for_object(self.initiative)
        self.assertEqual(version.revision.comment, "Imported from content.json")
        self.assertEqual(version.field_dict["status"], "planned")
        self.assertEqual(
            sorted(version.field_dict["sectors"]),
            list(self.initiative.sectors.values_list("pk", flat=True)),
        )
        # The log lists the import once per record type, not every record it wrote ...
        response = self.client.get("/changes/")
        self.assertContains(response, "Initiatives imported")
        self.assertContains(response, "1 added, 0 changed.")
        self.assertNotContains(response, "Added (imported)")
        summary = RecordChange.objects.get(kind="imported", record_type="initiative")
        self.assertContains(response, f'href="/changes/?import={summary.pk}"')
        # ... and links to its items.
        items = self.client.get(f"/changes/?import={summary.pk}")
        self.assertContains(items, "Added (imported)")
        self.assertContains(items, 'href="/initiatives/genai-sandbox/">GenA.I. Sandbox</a>')
        self.assertNotContains(items, "Hong Kong Monetary Authority")

    def test_the_admin_history_lists_the_import_and_can_revert_to_it(self):
        import_records(with_initiative(status="active"), name="second.json")
        self.client.force_login(self.editor)
        history = self.client.get(admin_url(Initiative, "history", self.initiative.pk))
        self.assertContains(history, "Imported from content.json")
        self.assertContains(history, "Imported from second.json")
        first = Version.objects.get_for_object(self.initiative).last()
        # Each imported item has a revision of its own: reverting touches that item alone.
        self.assertEqual(first.revision.version_set.count(), 1)
        response = self.client.post(
            admin_url(Initiative, "revision", self.initiative.pk, first.pk),
            form_values(
                self.client.get(admin_url(Initiative, "revision", self.initiative.pk, first.pk)),
                Initiative,
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Initiative.objects.get(pk=self.initiative.pk).status, "planned")
        self.assertContains(self.client.get("/changes/"), "Status: Active → Planned")

    def test_a_reimport_and_an_admin_edit_show_as_field_level_lines(self):
        changed = LONG_TEXT.replace("generative AI", "large language models")
        import_records(with_initiative(status="active", description_en=changed, sectors=[]))
        self.save_through_admin(Initiative.objects.get(pk=self.initiative.pk), status="completed")

        # The record's own updates list every change to it, the imported ones included.
        response = self.client.get("/initiatives/genai-sandbox/changes/")
        text = response.content.decode()
        self.assertContains(response, "Status: Planned → Active")
        self.assertContains(response, "Status: Active → Completed")
        self.assertContains(response, "Description [en] changed:")
        self.assertContains(response, "<del>generative AI </del>")
        self.assertContains(response, "<ins>large language models </ins>")
        self.assertContains(response, "Sectors: removed Banking and financial services")
        self.assertContains(response, "Changed (edited)")
        # Newest first: the admin edit above the import.
        self.assertLess(text.index("Active → Completed"), text.index("Planned → Active"))
        # Admin-only fields and timestamps never show: saving only a review date adds no row.
        self.save_through_admin(
            Initiative.objects.get(pk=self.initiative.pk), last_reviewed="2026-11-01"
        )
        self.assertEqual(RecordChange.objects.filter(initiative=self.initiative).count(), 3)
        self.assertNotContains(self.client.get("/changes/"), "reviewed")
        # The log itself lists the admin edit and the import's summary, not its items.
        listed = self.client.get("/changes/?type=initiative")
        self.assertContains(listed, "Status: Active → Completed")
        self.assertNotContains(listed, "Status: Planned → Active")
        self.assertContains(listed, "0 added, 1 changed.")

    def test_the_filter_keeps_one_record_type(self):
        response = self.client.get("/changes/?type=organisation")
        self.assertContains(response, "Organisations imported")
        self.assertNotContains(response, "Initiatives imported")
        summary = response.context["changes"][0][0]
        items = self.client.get(f"/changes/?type=organisation&import={summary.pk}")
        self.assertContains(items, "Hong Kong Monetary Authority")
        self.assertNotContains(items, "GenA.I. Sandbox")
        sector = RecordChange.objects.get(kind="imported", record_type="sector")
        self.assertContains(
            self.client.get(f"/changes/?import={sector.pk}"), "Banking and financial"
        )
        # The items of an import of another type are not found under this one.
        self.assertEqual(
            self.client.get(f"/changes/?type=organisation&import={sector.pk}").status_code, 404
        )

    def test_odd_parameters_are_explained_with_a_400(self):
        for query in (
            "type=nothing",
            "before=abc",
            "before=-1",
            "before=" + "9" * 40,
            "import=x",
            "import=" + "9" * 40,
        ):
            with self.subTest(query):
                response = self.client.get(f"/changes/?{query}")
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, 'role="alert"', status_code=400)
        self.assertEqual(self.client.get("/changes.atom?type=nothing").status_code, 400)

    def test_atom_feed_and_per_record_feed(self):
        self.save_through_admin(Initiative.objects.get(pk=self.initiative.pk), status="active")
        feed = ET.fromstring(self.client.get("/changes.atom").content)
        titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
        self.assertEqual(titles[0], "GenA.I. Sandbox: Changed")
        self.assertIn("Organisations: Imported", titles)
        self.assertNotIn("Hong Kong Monetary Authority: Added", titles)
        links = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
        summary = RecordChange.objects.get(kind="imported", record_type="organisation")
        self.assertIn(f"http://testserver/changes/?import={summary.pk}", links)
        summary = feed.find(f"{ATOM}entry").find(f"{ATOM}summary").text
        self.assertIn("Status: Planned → Active", summary)

        response = self.client.get("/initiatives/genai-sandbox/changes.atom")
        feed = ET.fromstring(response.content)
        entries = list(feed.iter(f"{ATOM}entry"))
        self.assertEqual(len(entries), 2)
        self.assertEqual(
            [e.find(f"{ATOM}link").get("href") for e in entries],
            ["http://testserver/initiatives/genai-sandbox/"] * 2,
        )
        self.assertEqual(self.client.get("/zh-hant/changes.atom").status_code, 200)

    def test_drafts_never_appear_and_publishing_shows_no_draft_text(self):
        draft = record(
            "article", title_en="Secret plans", slug="secret", body_en="Draft body.", status="draft"
        )
        import_records([draft], name="draft.json")
        article = Article.objects.get(slug="secret")
        self.save_through_admin(article, body_en="Still secret wording.")
        self.assertNotContains(self.client.get("/changes/"), "Secret plans")
        self.assertNotContains(self.client.get("/changes.atom"), "Secret plans")

        with time_machine.travel(NOW, tick=False):
            self.save_through_admin(
                Article.objects.get(pk=article.pk),
                _publish="1",  # with a publish date that has passed, which it keeps
                publish_at_0="2026-11-25",
                publish_at_1="11:00:00",
                body_en="Public wording.",
            )
        with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
            response = self.client.get("/changes/?type=article")
        self.assertContains(response, "Published (edited)")
        self.assertNotContains(response, "secret wording")
        kinds = [c.kind for c, _r, _l in response.context["changes"] if c.article_id == article.pk]
        self.assertEqual(kinds, ["published"])

    def test_paging_is_by_key_and_keeps_the_filter(self):
        for n in range(25):
            import_records([record("sector", name_en=f"Extra {n}", slug=f"extra-{n}")])
        response = self.client.get("/changes/?type=sector")
        self.assertEqual(len(response.context["changes"]), 20)
        older = response.context["older_url"]
        self.assertIn("type=sector", older)
        second = self.client.get(older)
        shown = [c.pk for c, _r, _l in response.context["changes"]]
        self.assertTrue(all(c.pk < min(shown) for c, _r, _l in second.context["changes"]))
        self.assertEqual(len(second.context["changes"]), 6)
        self.assertIsNone(second.context["older_url"])

    def test_a_page_runs_the_same_queries_with_5_and_50_rows(self):
        def page_queries():
            with self.assertNumQueries(2):  # the content state, the rows with their records
                self.assertEqual(self.client.get("/changes/").status_code, 200)
            with self.assertNumQueries(3):  # the content state, the record, its rows
                response = self.client.get("/initiatives/genai-sandbox/changes.atom")
                self.assertEqual(response.status_code, 200)

        page_queries()
        for n in range(50):
            import_records([record("sector", name_en=f"More {n}", slug=f"more-{n}")])
        page_queries()


class WordDiffTests(TestCase):
    def test_long_unchanged_runs_are_cut_and_chinese_is_compared_by_character(self):
        ops = word_diff(LONG_TEXT, LONG_TEXT.replace("banks", "insurers"))
        self.assertIn(["-", "banks "], ops)
        self.assertIn(["+", "insurers "], ops)
        self.assertIn(["…", ""], ops)
        self.assertEqual(word_diff("金融科技", "醫療科技")[:2], [["-", "金融"], ["+", "醫療"]])
