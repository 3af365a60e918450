"""History in the admin: who changed what and when, compare, revert, recover; actions included."""

import datetime
import re

import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase
from reversion.models import Version

from portal.models import Article, Initiative, Organisation
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article, make_initiative, make_organisation, make_sector

User = get_user_model()


class AdminHistoryTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser(
            "alice", "alice@example.org", "pw", first_name="Alice", last_name="Wong"
        )
        cls.sector = make_sector(summary="Banks and insurers.")
        cls.organisation = make_organisation(description="Regulates banks.")
        cls.initiative = make_initiative(summary="Money for pilots.")
        cls.article = make_article(summary="The first standfirst.")

    def setUp(self):
        # django-axes needs a request for authenticate(); force_login skips authentication.
        self.client.force_login(self.editor)

    def save_through_admin(self, obj, **changes):
        """Open `obj`'s change form, change `changes`, save; return the response."""
        url = admin_url(type(obj), "change", obj.pk)
        data = form_values(self.client.get(url), type(obj))
        data.update(changes)
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["errors"],
        )
        return response

    def test_saving_any_content_item_records_a_version_with_user_and_date(self):
        items = [
            (self.article, "summary_en"),
            (self.initiative, "summary_en"),
            (self.organisation, "description_en"),
            (self.sector, "summary_en"),
        ]
        for obj, field in items:
            with self.subTest(type(obj).__name__), time_machine.travel(NOW, tick=False):
                self.save_through_admin(obj, **{field: "Edited in the admin."})

                version = Version.objects.get_for_object(obj).get()
                self.assertEqual(version.revision.user, self.editor)
                self.assertEqual(version.revision.date_created, NOW)
                self.assertEqual(version.field_dict[field], "Edited in the admin.")

    def test_history_page_lists_each_version_with_its_editor(self):
        self.save_through_admin(self.article, summary_en="Second standfirst.")
        self.save_through_admin(self.article, summary_en="Third standfirst.")

        response = self.client.get(admin_url(Article, "history", self.article.pk))

        self.assertEqual(response.status_code, 200)
        editors = re.findall(r"alice\s*\(Alice Wong\)", response.content.decode())
        self.assertEqual(len(editors), 2)
        # Translated fields are named with their language in the change message.
        self.assertContains(response, "Changed Standfirst [en].", count=2)
        for version in Version.objects.get_for_object(self.article):
            self.assertContains(
                response, admin_url(Article, "revision", self.article.pk, version.pk)
            )

    def test_compare_view_shows_old_and_new_field_values(self):
        self.save_through_admin(self.article, summary_en="The old standfirst.")
        self.save_through_admin(self.article, summary_en="The new standfirst.")
        old, new = Version.objects.get_for_object(self.article).order_by("pk")

        response = self.client.get(
            admin_url(Article, "compare", self.article.pk),
            {"version_id1": old.pk, "version_id2": new.pk},
        )

        self.assertEqual(response.status_code, 200)
        diff = response.context["compare_data"]
        changed = {entry["field"].name: entry["diff"] for entry in diff}
        self.assertIn("summary_en", changed)
        self.assertNotIn("title_en", changed)  # only what changed is listed
        self.assertRegex(response.content.decode(), r"<del>[^<]*old[^<]*</del>")
        self.assertRegex(response.content.decode(), r"<ins>[^<]*new[^<]*</ins>")

    def compare(self, obj):
        """The compare page for `obj`'s two newest versions."""
        old, new = Version.objects.get_for_object(obj).order_by("-pk")[:2][::-1]
        return self.client.get(
            admin_url(type(obj), "compare", obj.pk),
            {"version_id1": old.pk, "version_id2": new.pk},
        )

    def test_compare_shows_a_long_text_as_a_wrapped_word_diff(self):
        words = [f"word{n}" for n in range(300)]
        before = " ".join(words)
        after = " ".join([*words[:150], "banks", *words[151:]])
        self.save_through_admin(self.organisation, description_en=before)
        self.save_through_admin(self.organisation, description_en=after)

        response = self.compare(self.organisation)

        html = response.content.decode()
        diff = re.search(r'<div class="word-diff">(.*?)</div>', html, re.S).group(1)
        # Whole words, not characters; the untouched paragraphs fold away.
        self.assertIn("<del>word150 </del><ins>banks </ins>", diff)
        self.assertIn("word149", diff)
        self.assertNotIn("word10 ", diff)
        self.assertIn('<span class="elided">…</span>', diff)
        self.assertNotIn('<pre class="highlight">', html)  # reversion-compare's one long line
        self.assertIn("portal/admin/editors.css", html)  # white-space: pre-wrap, wrapping

    def test_compare_never_lists_timestamps_as_changes(self):
        with time_machine.travel(NOW, tick=False):
            self.save_through_admin(self.initiative, summary_en="Money for pilots, phase one.")
        with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
            self.save_through_admin(self.initiative, summary_en="Money for pilots, phase two.")
        old, new = Version.objects.get_for_object(self.initiative).order_by("pk")
        self.assertNotEqual(old.field_dict["updated_at"], new.field_dict["updated_at"])

        response = self.compare(self.initiative)

        changed = [entry["field"].name for entry in response.context["compare_data"]]
        self.assertEqual(changed, ["summary_en"])
        self.assertNotContains(response, "updated")

    def test_history_and_compare_are_closed_to_staff_without_permission_on_the_model(self):
        self.save_through_admin(self.article, summary_en="Draft wording, version one.")
        self.save_through_admin(self.article, summary_en="Draft wording, version two.")
        old, new = Version.objects.get_for_object(self.article).order_by("pk")
        self.client.force_login(User.objects.create_user("staff", password="pw", is_staff=True))

        history = self.client.get(admin_url(Article, "history", self.article.pk))
        compare = self.client.get(
            admin_url(Article, "compare", self.article.pk),
            {"version_id1": old.pk, "version_id2": new.pk},
        )

        self.assertEqual((history.status_code, compare.status_code), (403, 403))

    def test_reverting_restores_the_earlier_field_values(self):
        self.save_through_admin(self.article, summary_en="Good standfirst.", title_en="Good title")
        self.save_through_admin(self.article, summary_en="Vandalised.", title_en="Bad title")
        good = Version.objects.get_for_object(self.article).order_by("pk").first()

        url = admin_url(Article, "revision", self.article.pk, good.pk)
        page = self.client.get(url)
        self.assertContains(page, "Good standfirst.")
        response = self.client.post(url, form_values(page, Article))

        self.assertEqual(response.status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(
            (self.article.title, self.article.summary), ("Good title", "Good standfirst.")
        )
        newest = Version.objects.get_for_object(self.article).first()
        self.assertIn("Reverted to previous version", newest.revision.comment)
        self.assertEqual(newest.revision.user, self.editor)

    def test_deleted_item_can_be_recovered(self):
        self.save_through_admin(self.initiative, summary_en="Worth keeping.")
        pk = self.initiative.pk
        delete_url = admin_url(Initiative, "delete", pk)
        self.assertEqual(self.client.post(delete_url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Initiative.objects.filter(pk=pk).exists())

        recover_list = self.client.get(admin_url(Initiative, "recoverlist"))
        deleted = Version.objects.get_deleted(Initiative).get()
        recover_url = admin_url(Initiative, "recover", deleted.pk)
        self.assertContains(recover_list, recover_url)
        page = self.client.get(recover_url)
        response = self.client.post(recover_url, form_values(page, Initiative))

        self.assertEqual(response.status_code, 302)
        recovered = Initiative.objects.get(pk=pk)
        self.assertEqual(recovered.summary, "Worth keeping.")


class AdminActionHistoryTest(TestCase):
    """Admin actions save through the model, so each change is in the history with a comment."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("alice", "alice@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.editor)

    def run_action(self, model, action, *objects):
        response = self.client.post(
            admin_url(model, "changelist"),
            {
                "action": action,
                "_selected_action": [obj.pk for obj in objects],
            },
        )
        self.assertEqual(response.status_code, 302)

    def assert_recorded(self, obj, comment):
        version = Version.objects.get_for_object(obj).first()
        self.assertIsNotNone(version, f"no history entry for {obj}")
        self.assertEqual((version.revision.comment, version.revision.user), (comment, self.editor))

    def test_publish_now_and_unpublish_are_recorded(self):
        article = make_article(status=Article.Status.DRAFT)

        self.run_action(Article, "publish_now", article)
        self.assert_recorded(article, "Published now")
        self.assertEqual(
            Version.objects.get_for_object(article).first().field_dict["status"],
            Article.Status.PUBLISHED,
        )

        self.run_action(Article, "unpublish", article)
        self.assert_recorded(article, "Unpublished")
        self.assertEqual(Version.objects.get_for_object(article).count(), 2)

    def test_duplicate_is_recorded_on_the_copy(self):
        article = make_article(slug="original")

        self.run_action(Article, "duplicate_as_draft", article)

        self.assert_recorded(Article.objects.get(slug="original-copy"), "Duplicated as a new draft")

    def test_mark_reviewed_is_recorded_for_each_item(self):
        organisation, initiative = make_organisation(), make_initiative()

        self.run_action(Organisation, "mark_reviewed", organisation)
        self.run_action(Initiative, "mark_reviewed", initiative)

        for obj in (organisation, initiative):
            self.assert_recorded(obj, "Marked as reviewed")
            obj.refresh_from_db()
            self.assertIsNotNone(obj.last_reviewed)

    def test_history_page_shows_the_action_comment(self):
        article = make_article()
        self.run_action(Article, "unpublish", article)

        response = self.client.get(admin_url(Article, "history", article.pk))

        self.assertContains(response, "<td>Unpublished</td>", html=True)
