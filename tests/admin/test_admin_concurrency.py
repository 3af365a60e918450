"""Two editors on one item: the second, stale save is refused and loses nothing."""

import datetime
import io
import tempfile

import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from portal.admin.concurrency import LOADED_FIELD
from portal.models import Article, Initiative, Source
from tests.admin_pages import admin_url, form_values
from tests.content_files import record, write_json
from tests.factories import NOW, make_article, make_initiative, make_source

User = get_user_model()
MINUTE = datetime.timedelta(minutes=1)


class StaleSaveTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = User.objects.create_superuser(
            "alice", "alice@example.org", "pw", first_name="Alice", last_name="Wong"
        )
        cls.bob = User.objects.create_superuser("bob", "bob@example.org", "pw")
        with time_machine.travel(NOW, tick=False):
            cls.article = make_article(summary="Original standfirst.")

    def open_form(self, user, obj):
        """Log `user` in and return the form values of `obj`'s change page as they loaded it."""
        self.client.force_login(user)
        return form_values(self.client.get(admin_url(type(obj), "change", obj.pk)), type(obj))

    def save(self, user, obj, data, when):
        self.client.force_login(user)
        with time_machine.travel(when, tick=False):
            return self.client.post(admin_url(type(obj), "change", obj.pk), data)

    def test_form_carries_the_loaded_version_in_a_hidden_field(self):
        self.client.force_login(self.bob)
        page = self.client.get(admin_url(Article, "change", self.article.pk))

        self.assertContains(page, f'<input type="hidden" name="{LOADED_FIELD}"')
        loaded = form_values(page, Article)[LOADED_FIELD]
        self.assertEqual(datetime.datetime.fromisoformat(loaded), NOW)

    def test_second_stale_save_is_refused_and_keeps_both_edits(self):
        alice_form = self.open_form(self.alice, self.article)
        bob_form = self.open_form(self.bob, self.article)

        alice_form["summary_en"] = "Alice's standfirst."
        self.assertEqual(
            self.save(self.alice, self.article, alice_form, NOW + MINUTE).status_code, 302
        )
        bob_form["summary_en"] = "Bob's standfirst."
        response = self.save(self.bob, self.article, bob_form, NOW + 2 * MINUTE)

        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.non_field_errors()
        self.assertEqual(len(errors), 1)
        self.assertIn("Someone else (Alice Wong) changed this article on", errors[0])
        self.assertIn(
            "Your edits have not been saved, but they are still in the form below.", errors[0]
        )
        history = admin_url(Article, "history", self.article.pk)
        self.assertContains(
            response, f'<a href="{history}">Review their change in the history</a>', html=True
        )
        self.assertContains(response, "Bob&#x27;s standfirst.")  # his text, back in the form
        self.article.refresh_from_db()
        self.assertEqual(self.article.summary, "Alice's standfirst.")

    def test_saving_again_after_the_refusal_is_a_deliberate_overwrite(self):
        alice_form = self.open_form(self.alice, self.article)
        bob_form = self.open_form(self.bob, self.article)
        alice_form["summary_en"] = "Alice's standfirst."
        self.save(self.alice, self.article, alice_form, NOW + MINUTE)
        bob_form["summary_en"] = "Bob's standfirst."
        refused = self.save(self.bob, self.article, bob_form, NOW + 2 * MINUTE)

        again = self.save(self.bob, self.article, form_values(refused, Article), NOW + 3 * MINUTE)

        self.assertEqual(again.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.summary, "Bob's standfirst.")
        change = LogEntry.objects.filter(user=self.bob).get()
        self.assertEqual(change.get_change_message(), "Changed Standfirst [en].")

    def test_a_garbled_version_marker_is_refused_rather_than_trusted(self):
        form = self.open_form(self.bob, self.article)
        form[LOADED_FIELD] = "yesterday-ish"
        form["summary_en"] = "Bob's standfirst."

        response = self.save(self.bob, self.article, form, NOW + MINUTE)

        self.assertContains(response, "This form lost track of which version you opened.")
        self.article.refresh_from_db()
        self.assertEqual(self.article.summary, "Original standfirst.")

    def test_a_fresh_load_saves_normally(self):
        alice_form = self.open_form(self.alice, self.article)
        alice_form["summary_en"] = "Alice's standfirst."
        self.save(self.alice, self.article, alice_form, NOW + MINUTE)

        bob_form = self.open_form(self.bob, self.article)
        bob_form["summary_en"] = "Bob's standfirst, written after reading Alice's."
        response = self.save(self.bob, self.article, bob_form, NOW + 2 * MINUTE)

        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.summary, "Bob's standfirst, written after reading Alice's.")

    def test_an_import_since_loading_counts_as_a_concurrent_change(self):
        initiative = make_initiative(
            name="GenA.I. Sandbox",
            slug="genai-sandbox",
            kind=Initiative.Kind.SANDBOX,
            start_year=2024,
        )
        bob_form = self.open_form(self.bob, initiative)
        with time_machine.travel(NOW + MINUTE, tick=False):
            call_command(
                "import_content",
                self.fixture(
                    name_en="GenA.I. Sandbox",
                    slug="genai-sandbox",
                    kind="sandbox",
                    start_year=2024,
                    summary_en="From the import.",
                ),
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )

        bob_form["summary_en"] = "Bob's summary."
        response = self.save(self.bob, initiative, bob_form, NOW + 2 * MINUTE)

        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "Someone else (not recorded: the change came from outside "
            "the admin, e.g. an import) changed this initiative",
        )
        initiative.refresh_from_db()
        self.assertEqual(initiative.summary, "From the import.")

    def test_sources_have_no_timestamp_and_save_without_the_check(self):
        source = make_source(title="HKMA press release")
        alice_form = self.open_form(self.alice, source)
        bob_form = self.open_form(self.bob, source)
        self.assertNotIn(LOADED_FIELD, alice_form)

        alice_form["title"] = "Alice's title"
        bob_form["publisher"] = "Bob's publisher"
        self.assertEqual(self.save(self.alice, source, alice_form, NOW).status_code, 302)
        self.assertEqual(self.save(self.bob, source, bob_form, NOW).status_code, 302)

        source.refresh_from_db()
        # Bob's form still had the old title: without a timestamp, the last save wins.
        self.assertEqual(
            (source.title, source.publisher), ("HKMA press release", "Bob's publisher")
        )
        self.assertEqual(Source.objects.count(), 1)

    def fixture(self, **fields):
        """A fixture file with one initiative record; removed after the test."""
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return str(write_json(directory.name, "initiative.json", [record("initiative", **fields)]))
