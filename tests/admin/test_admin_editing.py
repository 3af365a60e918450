"""Writing an article in the admin: the publishing buttons and their rules, the live preview
beside the Markdown body, and the admin's name."""

import ast
import datetime
import re

import time_machine
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from portal.models import Article
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article, make_source

User = get_user_model()
PREVIEW_URL = reverse("admin:portal_article_markdown_preview")
LATER = NOW + datetime.timedelta(days=3)
EARLIER = NOW - datetime.timedelta(days=3)


def local_parts(moment):
    """`moment` as the admin's split date and time inputs show it (Hong Kong time)."""
    local = moment.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def editor_without_publishing():
    """A staff account with the Editor role's permissions except publishing."""
    call_command("setup_roles", verbosity=0)
    user = User.objects.create_user("writer", password="pw", is_staff=True)
    permissions = Group.objects.get(name="Editor").permissions.exclude(codename="publish_article")
    user.user_permissions.set(permissions)
    return user


def buttons(response):
    """The names of the article form's submit buttons, in page order, each once."""
    html = response.content.decode()
    form = html[html.index('<form method="post" id="article_form"') :]
    names = re.findall(r'<input type="submit"[^>]*name="([^"]+)"', form)
    return list(dict.fromkeys(names))


@time_machine.travel(NOW, tick=False)
class PublishingButtonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = User.objects.create_superuser("chief", "c@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.chief)

    def press(self, article, button, **changes):
        """Open `article`'s form, change `changes`, press `button`; return the response."""
        url = admin_url(Article, "change", article.pk)
        data = form_values(self.client.get(url), Article)
        data.update(changes)
        data[button] = "1"
        return self.client.post(url, data)

    def test_save_draft_comes_first_so_enter_never_publishes(self):
        draft = make_article(status=Article.Status.DRAFT)
        for url in [admin_url(Article, "add"), admin_url(Article, "change", draft.pk)]:
            with self.subTest(url=url):
                names = buttons(self.client.get(url))
                self.assertEqual(names[0], "_save_draft")  # The one Enter in a field presses.
                self.assertEqual(names, ["_save_draft", "_publish", "_schedule"])

    def test_save_draft_takes_a_live_article_away_from_readers(self):
        live = make_article(slug="live")
        response = self.press(live, "_save_draft")
        # Back to the form, which says what readers now see.
        self.assertEqual(response["Location"], admin_url(Article, "change", live.pk))
        page = self.client.get(response["Location"])
        self.assertContains(page, "Saved as a draft: readers cannot see it.")
        live.refresh_from_db()
        self.assertEqual(live.status, Article.Status.DRAFT)
        self.assertEqual(self.client.get("/articles/live/").status_code, 404)

    def test_schedule_publishes_at_a_future_date(self):
        draft = make_article(slug="soon", status=Article.Status.DRAFT)
        day, time = local_parts(LATER)
        response = self.press(draft, "_schedule", publish_at_0=day, publish_at_1=time)
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.publish_at), (Article.Status.PUBLISHED, LATER))
        self.assertTrue(Article.objects.scheduled().filter(pk=draft.pk).exists())
        page = self.client.get(response["Location"])
        self.assertContains(page, "Scheduled for ")

    def test_schedule_refuses_a_date_that_has_passed_or_is_missing(self):
        draft = make_article(status=Article.Status.DRAFT, publish_at=EARLIER)
        day, time = local_parts(EARLIER)
        for date_parts in [(day, time), ("", "")]:
            with self.subTest(date_parts=date_parts):
                response = self.press(
                    draft, "_schedule", publish_at_0=date_parts[0], publish_at_1=date_parts[1]
                )
                self.assertEqual(response.status_code, 200)
                errors = response.context["adminform"].form.errors["publish_at"]
                self.assertIn("To schedule the article, give a publish date in the future.", errors)
                draft.refresh_from_db()
                self.assertEqual(draft.status, Article.Status.DRAFT)

    def test_publish_shows_the_article_now(self):
        for label, date_parts in [("future date", local_parts(LATER)), ("no date", ("", ""))]:
            draft = make_article(status=Article.Status.DRAFT, publish_at=LATER)
            with self.subTest(label):
                response = self.press(
                    draft, "_publish", publish_at_0=date_parts[0], publish_at_1=date_parts[1]
                )
                self.assertEqual(response.status_code, 302)
                draft.refresh_from_db()
                self.assertEqual((draft.status, draft.publish_at), (Article.Status.PUBLISHED, NOW))
                self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 200)

    def test_publish_keeps_a_publish_date_that_has_passed(self):
        draft = make_article(status=Article.Status.DRAFT, publish_at=EARLIER)
        self.press(draft, "_publish")
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.publish_at), (Article.Status.PUBLISHED, EARLIER))

    def test_a_new_article_can_be_published_from_the_add_form(self):
        data = form_values(self.client.get(admin_url(Article, "add")), Article)
        data.update(title_en="Fresh", slug="fresh", body_en="Text.", _publish="1")
        data.update(publish_at_0="", publish_at_1="")
        response = self.client.post(admin_url(Article, "add"), data)
        self.assertEqual(response.status_code, 302)
        fresh = Article.objects.get(slug="fresh")
        self.assertEqual((fresh.status, fresh.publish_at), (Article.Status.PUBLISHED, NOW))


@time_machine.travel(NOW, tick=False)
class PublishingPermissionTests(TestCase):
    """Publishing, scheduling and unpublishing need `publish_article` (portal.roles)."""

    @classmethod
    def setUpTestData(cls):
        cls.writer = editor_without_publishing()

    def setUp(self):
        self.client.force_login(self.writer)

    def post(self, article, **changes):
        url = admin_url(Article, "change", article.pk)
        data = form_values(self.client.get(url), Article)
        data.update(changes)
        return self.client.post(url, data)

    def test_without_the_permission_only_save_draft_is_offered_and_only_on_drafts(self):
        draft = make_article(status=Article.Status.DRAFT)
        live = make_article()
        add_buttons = buttons(self.client.get(admin_url(Article, "add")))
        self.assertEqual(add_buttons, ["_save_draft", "_submit"])  # review is on
        draft_buttons = buttons(self.client.get(admin_url(Article, "change", draft.pk)))
        self.assertIn("_save_draft", draft_buttons)
        self.assertNotIn("_publish", draft_buttons)
        self.assertNotIn("_schedule", draft_buttons)
        live_buttons = buttons(self.client.get(admin_url(Article, "change", live.pk)))
        self.assertFalse({"_save_draft", "_schedule", "_publish"} & set(live_buttons))

    def test_the_server_refuses_the_buttons_not_offered(self):
        draft = make_article(status=Article.Status.DRAFT, publish_at=LATER)
        live = make_article()
        day, time = local_parts(LATER)
        for article, button in [(draft, "_publish"), (draft, "_schedule"), (live, "_save_draft")]:
            with self.subTest(button=button):
                response = self.post(article, publish_at_0=day, publish_at_1=time, **{button: "1"})
                self.assertEqual(response.status_code, 403)
        draft.refresh_from_db()
        live.refresh_from_db()
        self.assertEqual(draft.status, Article.Status.DRAFT)
        self.assertEqual(live.status, Article.Status.PUBLISHED)

    def test_status_and_publish_date_cannot_be_changed_through_the_fields(self):
        draft = make_article(status=Article.Status.DRAFT, summary="Old.")
        response = self.post(draft, status="published", summary_en="New.", _save_draft="1")
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.summary), (Article.Status.DRAFT, "New."))


class MarkdownPreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = User.objects.create_superuser("chief", "c@example.org", "pw")
        cls.source = make_source(
            url="https://www.info.gov.hk/example", title="A press release", publisher="ISD"
        )

    def setUp(self):
        self.client.force_login(self.chief)

    def preview(self, client=None, **data):
        return (client or self.client).post(PREVIEW_URL, {"language": "en", **data})

    def test_the_change_form_has_a_preview_panel_beside_each_body(self):
        html = self.client.get(admin_url(Article, "add")).content.decode()
        for field, language in [("body_en", "en"), ("body_zh_hant", "zh-hant")]:
            with self.subTest(field=field):
                self.assertRegex(
                    html,
                    rf'<div class="markdown-editor" data-preview-url="{PREVIEW_URL}" '
                    rf'data-language="{language}"><textarea name="{field}"',
                )
                self.assertIn(f'id="id_{field}_preview"', html)
        self.assertIn("portal/admin/markdown-preview", html)
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")

    def test_renders_markdown_with_the_public_renderer_and_footnotes(self):
        text = "Some **bold** claim.[^isd]\n\n[^isd]: https://www.info.gov.hk/example\n"
        response = self.preview(text=text, sources=[self.source.pk])
        self.assertEqual(response.status_code, 200)
        result = response.json()
        self.assertIn("<strong>bold</strong>", result["html"])
        # The marker and, after the text, its reference list, with ids of the preview's own.
        pk = self.source.pk
        self.assertIn(f'<a href="#preview_en-source-{pk}" id="preview_en-cite-1a"', result["html"])
        self.assertIn(f'<li id="preview_en-source-{pk}">', result["html"])
        self.assertIn(
            '<a href="https://www.info.gov.hk/example">A press release</a>', result["html"]
        )
        self.assertEqual(result["problems"], [])

    def test_notes_heading_follows_the_language_and_problems_are_listed(self):
        text = "主張。[^x]\n"
        result = self.preview(text=text, language="zh-hant").json()
        self.assertEqual(len(result["problems"]), 1)
        self.assertIn("[^x]", result["problems"][0])

    def test_script_and_handlers_are_removed(self):
        text = (
            'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> '
            '[click](javascript:alert(3)) <a href="#" onmouseover="alert(4)">x</a>'
        )
        html = self.preview(text=text).json()["html"]
        self.assertNotIn("<script", html)
        self.assertNotIn("<img", html)
        self.assertNotRegex(html, r"<[^>]+\son\w+=")
        self.assertNotIn('href="javascript:', html)

    def test_staff_only_post_only_and_csrf_checked(self):
        self.client.logout()
        anonymous = self.preview(text="x")
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn("/admin/login/", anonymous["Location"])

        reader = User.objects.create_user("reader", password="pw")
        self.client.force_login(reader)
        self.assertEqual(self.preview(text="x").status_code, 302)

        staff = User.objects.create_user("staff", password="pw", is_staff=True)
        self.client.force_login(staff)
        self.assertEqual(self.preview(text="x").status_code, 403)

        self.client.force_login(self.chief)
        self.assertEqual(self.client.get(PREVIEW_URL).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.chief)
        self.assertEqual(self.preview(strict, text="x").status_code, 403)

    def test_bad_input_is_refused_or_ignored_never_an_error(self):
        self.assertEqual(self.preview(text="x" * 200_001).status_code, 400)
        response = self.preview(text="ok", language="xx", sources=["abc", "99999", "-1"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("<p>ok</p>", response.json()["html"])


class AdminNameTests(TestCase):
    def test_header_and_browser_title_name_the_portal(self):
        chief = User.objects.create_superuser("chief", "c@example.org", "pw")
        self.client.force_login(chief)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "HKAI Portal administration</a>")
        self.assertRegex(response.content.decode(), r"<title>[^<]*HKAI Portal administration")
        self.assertNotContains(response, "Django administration")
        # The admin is served in English (its URLs have no language prefix), but its name is
        # translated like every other string.
        with translation.override("zh-hant"):
            self.assertEqual(str(admin.site.site_header), "HKAI Portal 管理")
            self.assertEqual(str(admin.site.site_title), "HKAI Portal 管理")

    def test_permission_list_still_names_the_publish_permission(self):
        # The role definitions (portal.roles) and the buttons rely on this permission.
        self.assertTrue(Permission.objects.filter(codename="publish_article").exists())


class AdminLayeringTests(TestCase):
    def test_the_admin_imports_no_public_view(self):
        # The admin's previews render the public templates from shared modules; a public
        # view's change (caching, visibility) must never reach the admin through an import.
        admin_dir = settings.BASE_DIR / "portal" / "admin"
        imported = set()
        for path in sorted(admin_dir.glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
                elif isinstance(node, ast.Import):
                    imported |= {a.name for a in node.names}
        self.assertIn("portal.admin.preview", imported)  # the scan sees the admin's imports
        self.assertEqual({n for n in imported if n.split(".")[:2] == ["portal", "views"]}, set())
