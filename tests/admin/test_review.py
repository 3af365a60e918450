"""The review workflow (portal.admin.publishing, portal.admin.review): Editors submit articles,
Publishers approve (publish or schedule) or send them back with a comment; Editors' changes to
initiatives, organisations and milestones wait for a Publisher's check; review can be off."""

import datetime

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone, translation
from reversion.models import Version

from portal.admin.publishing import outcome_message
from portal.models import Article, Initiative, Milestone, Organisation
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article, make_initiative, make_milestone, make_organisation

User = get_user_model()
LATER = NOW + datetime.timedelta(days=3)


def local_parts(moment):
    """`moment` as the admin's split date and time inputs show it (Hong Kong time)."""
    local = moment.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def staff_in(group, username):
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def history(obj):
    """The comments of `obj`'s versions, oldest first, as its history page lists them."""
    versions = Version.objects.get_for_object(obj).select_related("revision")
    return [version.revision.comment for version in reversed(versions)]


@time_machine.travel(NOW, tick=False)
class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("setup_roles", verbosity=0)
        cls.editor = staff_in("Editor", "eddie")
        cls.publisher = staff_in("Publisher", "pat")

    def open(self, user, article=None):
        self.client.force_login(user)
        url = admin_url(Article, "change", article.pk) if article else admin_url(Article, "add")
        return url, self.client.get(url)

    def press(self, user, article, button, **changes):
        """As `user`, open `article`'s form (None: a new one), change `changes`, press `button`."""
        url, page = self.open(user, article)
        data = form_values(page, Article)
        data.update(changes)
        data[button] = "1"
        return self.client.post(url, data)

    def forge(self, user, article, button, **changes):
        """As `press`, for a button the form need not offer: what a forged request sends."""
        return self.press(user, article, button, **changes)


class EditorTests(ReviewTestCase):
    def test_an_editor_saves_a_draft_then_submits_it(self):
        response = self.press(
            self.editor, None, "_save_draft", title_en="Mine", slug="mine", body_en="Text."
        )
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(slug="mine")
        self.assertEqual((article.status, article.publish_at), (Article.Status.DRAFT, None))

        response = self.press(self.editor, article, "_submit")

        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.IN_REVIEW)
        self.assertEqual((article.submitted_by, article.submitted_at), (self.editor, NOW))
        self.assertEqual(article.with_whom(), "Publishers")
        page = self.client.get(response["Location"])
        self.assertContains(page, "Submitted for review: a Publisher will approve it")
        self.assertContains(page, "<strong>In review</strong> · with Publishers", html=False)
        self.assertEqual(self.client.get("/articles/mine/").status_code, 404)

    def test_an_editor_is_offered_no_publishing_button(self):
        draft = make_article(status=Article.Status.DRAFT)
        in_review = make_article(status=Article.Status.IN_REVIEW)
        for article, offered in [(draft, ["_save_draft", "_submit"]), (in_review, None)]:
            with self.subTest(status=article.status):
                html = self.open(self.editor, article)[1].content.decode()
                for name in ["_publish", "_schedule", "_send_back"]:
                    self.assertNotIn(f'name="{name}"', html)
                if offered:
                    for name in offered:
                        self.assertIn(f'name="{name}"', html)

    def test_the_server_refuses_an_editors_forged_publish_approve_schedule_or_send_back(self):
        day, time = local_parts(LATER)
        for status in [Article.Status.DRAFT, Article.Status.IN_REVIEW]:
            article = make_article(status=status)
            for button in ["_publish", "_schedule", "_send_back"]:
                with self.subTest(status=status, button=button):
                    response = self.forge(
                        self.editor,
                        article,
                        button,
                        publish_at_0=day,
                        publish_at_1=time,
                        review_comment_text="No.",
                    )
                    self.assertEqual(response.status_code, 403)
                    article.refresh_from_db()
                    self.assertEqual(article.status, status)

    def test_an_editor_cannot_publish_from_the_change_list(self):
        draft = make_article(status=Article.Status.IN_REVIEW)
        self.client.force_login(self.editor)
        self.client.post(
            admin_url(Article, "changelist"),
            {"action": "publish_now", "_selected_action": [draft.pk]},
        )
        draft.refresh_from_db()
        self.assertEqual(draft.status, Article.Status.IN_REVIEW)


class PublisherTests(ReviewTestCase):
    def submitted(self, **fields):
        article = make_article(status=Article.Status.DRAFT, publish_at=None, **fields)
        self.press(self.editor, article, "_submit")
        article.refresh_from_db()
        return article

    def test_a_publisher_approves_and_publishes_now(self):
        article = self.submitted(slug="approved")
        html = self.open(self.publisher, article)[1].content.decode()
        self.assertIn("Approve and publish", html)
        self.assertIn("Submitted for review by eddie", html)

        response = self.press(self.publisher, article, "_publish")

        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual((article.status, article.publish_at), (Article.Status.PUBLISHED, NOW))
        self.assertEqual(self.client.get("/articles/approved/").status_code, 200)

    def test_a_publisher_approves_and_schedules(self):
        article = self.submitted()
        day, time = local_parts(LATER)
        response = self.press(
            self.publisher, article, "_schedule", publish_at_0=day, publish_at_1=time
        )
        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual((article.status, article.publish_at), (Article.Status.PUBLISHED, LATER))
        self.assertTrue(Article.objects.scheduled().filter(pk=article.pk).exists())

    def test_schedule_without_a_date_shows_the_error_in_the_panel_beside_the_button(self):
        article = self.submitted()
        response = self.press(self.publisher, article, "_schedule")

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        panel = html[html.index('id="publishing-panel"') : html.index('name="title_en"')]
        error = panel.index("To schedule the article, give a publish date in the future.")
        self.assertLess(panel.index("Please correct the error below."), error)
        self.assertLess(error, panel.index('name="_schedule"'))
        # No second banner under the panel, far from the button.
        self.assertEqual(html.count('class="errornote"'), 1)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.IN_REVIEW)

    def test_a_publisher_sends_it_back_with_a_comment_the_editor_sees(self):
        article = self.submitted(slug="back")
        response = self.press(
            self.publisher, article, "_send_back", review_comment_text="Cite the budget speech."
        )

        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertEqual(article.review_comment, "Cite the budget speech.")
        self.assertEqual(article.with_whom(), "eddie")
        page = self.open(self.editor, article)[1]
        self.assertContains(page, "Sent back by a Publisher:")
        self.assertContains(page, "Cite the budget speech.")
        self.assertContains(page, "<strong>Draft</strong> · with eddie", html=False)
        # Submitting again and approving: nothing waits on its author any more.
        self.press(self.editor, article, "_submit")
        self.press(self.publisher, article, "_publish")
        article.refresh_from_db()
        self.assertEqual((article.status, article.review_comment), (Article.Status.PUBLISHED, ""))

    def test_sending_back_needs_a_comment(self):
        article = self.submitted()
        response = self.press(self.publisher, article, "_send_back", review_comment_text=" ")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say what needs changing before sending it back.")
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.IN_REVIEW)

    def test_the_history_records_each_step(self):
        article = self.submitted()
        self.press(self.publisher, article, "_send_back", review_comment_text="Shorter, please.")
        self.press(self.editor, article, "_submit", summary_en="Shorter.")
        day, time = local_parts(LATER)
        self.press(self.publisher, article, "_schedule", publish_at_0=day, publish_at_1=time)
        self.press(self.publisher, article, "_save_draft")

        steps = [comment.split(".")[0] for comment in history(article)]
        self.assertEqual(
            steps,
            [
                "Submitted for review",
                "Sent back",
                "Submitted for review",
                "Approved and scheduled",
                "Unpublished (back to draft)",
            ],
        )
        self.client.force_login(self.publisher)
        page = self.client.get(admin_url(Article, "history", article.pk))
        self.assertContains(page, "Approved and scheduled")

    def test_the_change_list_shows_what_waits_for_whom(self):
        self.submitted(title="Waiting")
        sent_back = self.submitted(title="Returned")
        self.press(self.publisher, sent_back, "_send_back", review_comment_text="Fix it.")
        self.client.force_login(self.publisher)
        for visibility, titles in [("in_review", ["Waiting"]), ("sent_back", ["Returned"])]:
            page = self.client.get(admin_url(Article, "changelist") + f"?visibility={visibility}")
            self.assertEqual([a.title for a in page.context["cl"].result_list], titles)
        self.assertContains(page, '<td class="field-visibility">Sent back</td>', html=False)


@override_settings(REVIEW_REQUIRED=False)
class ReviewOffTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("setup_roles", verbosity=0)  # Editors may publish without review.

    def test_an_editor_publishes_directly(self):
        article = make_article(status=Article.Status.DRAFT, slug="direct")
        html = self.open(self.editor, article)[1].content.decode()
        self.assertNotIn('name="_submit"', html)

        response = self.press(self.editor, article, "_publish")

        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.PUBLISHED)
        self.assertEqual(self.client.get("/articles/direct/").status_code, 200)

    def test_an_editors_change_needs_no_review(self):
        initiative = make_initiative()
        self.save_as(self.editor, initiative)
        initiative.refresh_from_db()
        self.assertFalse(initiative.needs_review)

    def save_as(self, user, obj, **changes):
        self.client.force_login(user)
        url = admin_url(type(obj), "change", obj.pk)
        data = form_values(self.client.get(url), type(obj))
        data.update(changes)
        return self.client.post(url, data)


@time_machine.travel(NOW, tick=False)
class NeedsReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("setup_roles", verbosity=0)
        cls.editor = staff_in("Editor", "eddie")
        cls.publisher = staff_in("Publisher", "pat")

    def save_as(self, user, obj, **changes):
        self.client.force_login(user)
        url = admin_url(type(obj), "change", obj.pk)
        data = form_values(self.client.get(url), type(obj))
        data.update(changes)
        return self.client.post(url, data)

    def test_an_editors_change_is_flagged_and_a_publisher_clears_it_on_the_form(self):
        for obj in [make_initiative(), make_organisation(), make_milestone()]:
            model = type(obj)
            with self.subTest(model=model.__name__):
                response = self.save_as(self.editor, obj, summary_en="Changed by an editor.")
                self.assertEqual(response.status_code, 302)
                obj.refresh_from_db()
                self.assertTrue(obj.needs_review)
                # Readers still see it, changed.
                self.assertTrue(model.objects.visible().filter(pk=obj.pk).exists())
                # The editor sees the notice but no button to clear it.
                self.client.force_login(self.editor)
                page = self.client.get(admin_url(model, "change", obj.pk))
                self.assertContains(page, "Changed by an Editor since a Publisher last checked")
                self.assertNotContains(page, "_mark_changes_reviewed")

                response = self.save_as(self.publisher, obj, _mark_changes_reviewed="1")

                self.assertEqual(response.status_code, 302)
                obj.refresh_from_db()
                self.assertFalse(obj.needs_review)
                versions = Version.objects.get_for_object(obj).select_related("revision")
                self.assertTrue(versions[0].revision.comment.startswith("Changes marked reviewed"))

    def test_a_publishers_own_change_is_not_flagged(self):
        initiative = make_initiative()
        self.save_as(self.publisher, initiative, summary_en="Checked.")
        initiative.refresh_from_db()
        self.assertFalse(initiative.needs_review)

    def test_an_editor_cannot_clear_the_flag_by_a_forged_request(self):
        initiative = make_initiative()
        Initiative.objects.filter(pk=initiative.pk).update(needs_review=True)
        response = self.save_as(self.editor, initiative, _mark_changes_reviewed="1")
        self.assertEqual(response.status_code, 403)
        self.client.post(
            admin_url(Initiative, "changelist"),
            {"action": "mark_changes_reviewed", "_selected_action": [initiative.pk]},
        )
        initiative.refresh_from_db()
        self.assertTrue(initiative.needs_review)

    def test_a_publisher_clears_flags_from_the_change_list(self):
        flagged = [make_organisation(), make_organisation()]
        Organisation.objects.update(needs_review=True)
        self.client.force_login(self.publisher)
        page = self.client.get(admin_url(Organisation, "changelist") + "?needs_review__exact=1")
        self.assertEqual(page.context["cl"].result_count, 2)
        response = self.client.post(
            admin_url(Organisation, "changelist"),
            {"action": "mark_changes_reviewed", "_selected_action": [o.pk for o in flagged]},
            follow=True,
        )
        self.assertContains(response, "Marked the changes to 2 entries reviewed.")
        self.assertFalse(Organisation.objects.filter(needs_review=True).exists())
        self.assertEqual(history(flagged[0])[-1], "Changes marked reviewed")

    def test_milestones_have_the_action_too(self):
        milestone = make_milestone()
        Milestone.objects.update(needs_review=True)
        self.client.force_login(self.publisher)
        self.client.post(
            admin_url(Milestone, "changelist"),
            {"action": "mark_changes_reviewed", "_selected_action": [milestone.pk]},
        )
        milestone.refresh_from_db()
        self.assertFalse(milestone.needs_review)


@time_machine.travel(NOW, tick=False)
class ArticleFormDefaultsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = User.objects.create_superuser("chief", "c@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.chief)

    def test_a_new_article_has_the_house_byline_an_empty_date_and_a_slug_from_its_title(self):
        page = self.client.get(admin_url(Article, "add"))
        data = form_values(page, Article)
        self.assertEqual(data["byline"], "HKAI Portal editors")
        self.assertEqual((data["publish_at_0"], data["publish_at_1"]), ("", ""))
        self.assertIn("&quot;dependency_list&quot;: [&quot;title_en&quot;]", page.content.decode())
        self.assertNotContains(page, 'name="status"')

    @override_settings(HOUSE_BYLINE="The desk")
    def test_the_house_byline_is_a_setting(self):
        data = form_values(self.client.get(admin_url(Article, "add")), Article)
        self.assertEqual(data["byline"], "The desk")

    def test_a_published_article_without_a_date_gets_now_and_a_draft_keeps_none(self):
        draft = make_article(status=Article.Status.DRAFT, publish_at=None)
        self.assertIsNone(draft.publish_at)
        draft.status = Article.Status.PUBLISHED
        draft.save(update_fields=["status"])
        draft.refresh_from_db()
        self.assertEqual(draft.publish_at, NOW)

    def test_a_draft_without_a_publish_date_can_be_previewed(self):
        draft = make_article(status=Article.Status.DRAFT, publish_at=None, title="Undated")
        response = self.client.get(admin_url(Article, "preview", draft.pk))
        self.assertContains(response, "Preview of a draft")
        self.assertContains(response, "Undated")

    def test_the_scheduled_message_never_ends_in_a_doubled_full_stop(self):
        article = make_article(publish_at=LATER)
        for language in ["en", "zh-hant", None]:
            with self.subTest(language=language):
                if language:
                    translation.activate(language)
                else:
                    translation.deactivate_all()  # Django's own formats: "9 a.m."
                try:
                    message = str(outcome_message(article))
                finally:
                    translation.activate("en")
                self.assertNotIn("..", message)
                self.assertIn(str(timezone.localtime(LATER).year), message)
