"""Publishing needs `portal.publish_article` on every path, not only the article form: an
import (the admin's page, or `import_files` for a user), reverting to a version and
recovering a deleted article. Everything else those paths do stays open to a writer."""

import datetime
import json

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from reversion.models import Version

from portal.content.importer import ContentImportError, import_files
from portal.models import Article
from portal.roles import EDITOR
from tests.admin_pages import admin_url, form_values
from tests.factories import NOW, make_article

User = get_user_model()
# With review on, the Editor role may not publish: a writer; a publisher has the permission too.
WRITER_PERMISSIONS = [name for name in EDITOR if name != "portal.publish_article"]
PUBLISHER_PERMISSIONS = [*WRITER_PERMISSIONS, "portal.publish_article"]


def make_user(username, permissions):
    user = User.objects.create_user(username, is_staff=True)
    codenames = [name.split(".", 1)[1] for name in permissions]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # Without the permission cache.


def article_record(slug, status, publish_at="2026-11-20T09:00:00+08:00", title="A story"):
    fields = {"title_en": title, "slug": slug, "body_en": "Text.", "status": status}
    fields["publish_at"] = publish_at
    return {"model": "portal.article", "fields": fields}


@time_machine.travel(NOW, tick=False)
class ImportPublishingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.writer = make_user("writer", WRITER_PERMISSIONS)
        cls.publisher = make_user("publisher", PUBLISHER_PERMISSIONS)

    def write(self, *records):
        path = self.tmp / f"records-{len(list(self.tmp.iterdir()))}.json"
        path.write_text(json.dumps(list(records)))
        return path

    def setUp(self):
        import tempfile
        from pathlib import Path

        self.tmp = Path(tempfile.mkdtemp())

    def test_a_writer_cannot_import_a_new_published_article(self):
        path = self.write(article_record("new-story", "published"))
        with self.assertRaises(ContentImportError) as raised:
            import_files([path], user=self.writer)
        self.assertIn("permission to publish", str(raised.exception.problems[0]))
        self.assertFalse(Article.objects.filter(slug="new-story").exists())

    def test_a_writer_cannot_publish_an_existing_draft_by_import(self):
        make_article(slug="draft-story", status=Article.Status.DRAFT)
        path = self.write(article_record("draft-story", "published"))
        with self.assertRaises(ContentImportError):
            import_files([path], user=self.writer)
        self.assertEqual(Article.objects.get(slug="draft-story").status, Article.Status.DRAFT)

    def test_a_writer_cannot_unpublish_or_reschedule_by_import(self):
        live = make_article(slug="live", publish_at=NOW - datetime.timedelta(days=1))
        for record in [
            article_record("live", "draft"),
            article_record("live", "published", publish_at="2031-01-01T00:00:00+08:00"),
        ]:
            with self.subTest(record=record["fields"]), self.assertRaises(ContentImportError):
                import_files([self.write(record)], user=self.writer)
        self.assertEqual(Article.objects.get(pk=live.pk).publish_at, live.publish_at)

    def test_a_writer_may_import_drafts_and_edit_published_articles_keeping_their_status(self):
        live = make_article(slug="live")
        when = live.publish_at.isoformat()
        path = self.write(
            article_record("fresh-draft", "draft"),
            article_record("live", "published", publish_at=when, title="Better title"),
        )
        import_files([path], user=self.writer)
        self.assertEqual(Article.objects.get(slug="fresh-draft").status, Article.Status.DRAFT)
        self.assertEqual(Article.objects.get(slug="live").title, "Better title")

    def test_a_publisher_and_the_command_line_may_publish_by_import(self):
        import_files([self.write(article_record("by-publisher", "published"))], user=self.publisher)
        import_files([self.write(article_record("by-operator", "published"))])
        self.assertEqual(
            set(Article.objects.published().values_list("slug", flat=True)),
            {"by-publisher", "by-operator"},
        )

    def test_the_admin_import_page_refuses_a_writers_published_article(self):
        self.client.force_login(self.writer)
        upload = SimpleUploadedFile(
            "articles.json",
            json.dumps([article_record("sneaky", "published")]).encode(),
            "application/json",
        )
        response = self.client.post(reverse("admin_import_content"), {"files": [upload]})
        self.assertContains(response, "permission to publish")
        self.assertNotContains(response, 'name="token"')  # Nothing to confirm.
        self.assertFalse(Article.objects.filter(slug="sneaky").exists())


@time_machine.travel(NOW, tick=False)
class HistoryPublishingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.writer = make_user("writer", WRITER_PERMISSIONS)
        cls.publisher = make_user("publisher", PUBLISHER_PERMISSIONS)

    def save_as(self, user, article, **changes):
        self.client.force_login(user)
        url = admin_url(Article, "change", article.pk)
        data = form_values(self.client.get(url), Article)
        data.update(changes)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)

    def test_a_writer_cannot_revert_a_draft_to_a_published_version(self):
        article = make_article(slug="story", status=Article.Status.DRAFT)
        self.save_as(self.publisher, article, _publish="1")
        published = Version.objects.get_for_object(article).get()
        self.save_as(self.publisher, article, _save_draft="1")
        self.client.force_login(self.writer)
        url = admin_url(Article, "revision", article.pk, published.pk)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {}).status_code, 403)
        self.assertEqual(Article.objects.get(pk=article.pk).status, Article.Status.DRAFT)
        # A publisher may.
        self.client.force_login(self.publisher)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_writer_may_revert_text_when_publishing_stays_the_same(self):
        article = make_article(slug="story", summary="Good.")
        self.save_as(self.writer, article, summary_en="Good summary.")
        good = Version.objects.get_for_object(article).get()
        self.save_as(self.writer, article, summary_en="Vandalised.")
        url = admin_url(Article, "revision", article.pk, good.pk)
        page = self.client.get(url)
        self.assertEqual(self.client.post(url, form_values(page, Article)).status_code, 302)
        self.assertEqual(Article.objects.get(pk=article.pk).summary, "Good summary.")

    def test_a_writer_cannot_recover_a_deleted_published_article(self):
        article = make_article(slug="gone")
        self.save_as(self.publisher, article, summary_en="Was live.")
        self.client.post(admin_url(Article, "delete", article.pk), {"post": "yes"})
        deleted = Version.objects.get_deleted(Article).get()
        self.client.force_login(self.writer)
        url = admin_url(Article, "recover", deleted.pk)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {}).status_code, 403)
        self.assertFalse(Article.objects.filter(slug="gone").exists())

    def test_a_writer_may_recover_a_deleted_draft(self):
        article = make_article(slug="gone-draft", status=Article.Status.DRAFT)
        self.save_as(self.writer, article, summary_en="Draft text.")
        self.client.post(admin_url(Article, "delete", article.pk), {"post": "yes"})
        deleted = Version.objects.get_deleted(Article).get()
        url = admin_url(Article, "recover", deleted.pk)
        page = self.client.get(url)
        self.assertEqual(self.client.post(url, form_values(page, Article)).status_code, 302)
        self.assertEqual(Article.objects.get(slug="gone-draft").status, Article.Status.DRAFT)
