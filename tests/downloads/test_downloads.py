"""Whole-data downloads built once per content generation and served as files; filtered
exports streamed, a few at a time (portal.downloads, portal.views.downloads)."""

import csv
import datetime
import io
import os
import subprocess
import sys
import textwrap
from unittest import mock

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import translation

from portal.caching.generation import content_state
from portal.downloads import limits, rebuild, store
from portal.downloads.files import WHOLE_FILES
from portal.models import Article
from tests.factories import NOW, make_article, make_initiative, make_sector

DAY = datetime.timedelta(days=1)
# A file of every kind: open data CSV and JSON, a link table, the package, a list's CSV.
WHOLE_PATHS = (
    "/data/articles.csv",
    "/data/articles.json",
    "/data/articles-sectors.csv",
    "/data/datapackage.json",
    "/articles.csv",
    "/zh-hant/data/initiatives.json",
    "/zh-hant/timeline.csv",
)


def body(response):
    return b"".join(response.streaming_content)


def slugs_in_csv(content, column="slug"):
    rows = csv.DictReader(io.StringIO(content.decode("utf-8").removeprefix("\ufeff")))
    return [row[column] for row in rows]


@time_machine.travel(NOW, tick=False)
class BuiltFileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.banking = make_sector(name="Banking", name_zh_hant="銀行", slug="banking")
        make_initiative(name="Sandbox", slug="sandbox")
        for n in range(3):
            make_article(slug=f"story-{n}", publish_at=NOW - n * DAY).sectors.set([cls.banking])
        make_article(slug="draft", status=Article.Status.DRAFT)
        make_article(slug="scheduled", publish_at=NOW + DAY)

    def test_a_built_file_costs_the_content_state_alone(self):
        store.build()
        for path in WHOLE_PATHS:
            with self.subTest(path=path):
                with self.assertNumQueries(1):
                    response = self.client.get(path)
                    content = body(response)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(int(response["Content-Length"]), len(content))
                self.assertTrue(response["ETag"].startswith('"'))
                self.assertIn("Last-Modified", response)
                self.assertIn("max-age=60", response["Cache-Control"])

    def test_built_files_equal_what_is_streamed_before_the_first_build(self):
        # The same bytes and headers either way: every whole file, in both languages.
        streamed = {}
        for language, _name in settings.LANGUAGES:
            prefix = "" if language == "en" else f"/{language}"
            for path in WHOLE_FILES:
                response = self.client.get(f"{prefix}/{path}")
                self.assertNotIn("Content-Length", response, path)  # streamed, not a file
                streamed[prefix, path] = (response, body(response))
        store.build()
        for (prefix, path), (live, content) in streamed.items():
            with self.subTest(path=f"{prefix}/{path}"):
                response = self.client.get(f"{prefix}/{path}")
                self.assertEqual(body(response), content)
                for header in ("Content-Type", "Content-Disposition", "Link"):
                    self.assertEqual(response.get(header), live.get(header), header)

    def test_a_conditional_request_for_a_built_file_is_answered_304(self):
        store.build()
        first = self.client.get("/data/articles.csv")
        with self.assertNumQueries(1):
            again = self.client.get("/data/articles.csv", headers={"if-none-match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["ETag"], first["ETag"])
        since = self.client.get(
            "/data/articles.csv", headers={"if-modified-since": first["Last-Modified"]}
        )
        self.assertEqual(since.status_code, 304)
        # Each file and language has its own validator.
        etags = {self.client.get(path)["ETag"] for path in WHOLE_PATHS}
        etags.add(self.client.get("/zh-hant/data/articles.csv")["ETag"])
        self.assertEqual(len(etags), len(WHOLE_PATHS) + 1)

    def test_no_draft_or_scheduled_article_is_in_a_built_file(self):
        store.build()
        published = ["story-0", "story-1", "story-2"]
        self.assertEqual(slugs_in_csv(body(self.client.get("/data/articles.csv"))), published)
        links = slugs_in_csv(body(self.client.get("/data/articles-sectors.csv")), "article")
        self.assertEqual(links, published)
        urls = slugs_in_csv(body(self.client.get("/articles.csv")), "URL")
        self.assertEqual([url.rstrip("/").rsplit("/", 1)[1] for url in urls], published)
        for path in ("/data/articles.json", "/zh-hant/data/articles.json"):
            self.assertNotIn(b"draft", body(self.client.get(path)))
            self.assertNotIn(b"scheduled", body(self.client.get(path)))

    def test_a_stale_file_is_served_while_the_current_one_is_rebuilt(self):
        old_version = store.build()
        old = self.client.get("/data/articles.csv")
        make_article(slug="fresh", publish_at=NOW - DAY)
        with mock.patch("portal.views.downloads.request_rebuild") as request_rebuild:
            with self.assertNumQueries(1):  # no export query in the request
                stale = self.client.get("/data/articles.csv")
                content = body(stale)
        request_rebuild.assert_called_once_with()
        self.assertNotIn("fresh", slugs_in_csv(content))
        self.assertEqual(stale["ETag"], old["ETag"])
        self.assertIn("max-age=0", stale["Cache-Control"])
        self.assertIn("must-revalidate", stale["Cache-Control"])
        # The rebuild makes the new generation's files, served from then on.
        new_version = store.refresh()
        self.assertNotEqual(new_version, old_version)
        self.assertTrue(store.is_built(content_state()))
        with mock.patch("portal.views.downloads.request_rebuild") as request_rebuild:
            fresh = self.client.get("/data/articles.csv")
            self.assertIn("fresh", slugs_in_csv(body(fresh)))
        request_rebuild.assert_not_called()
        self.assertNotEqual(fresh["ETag"], old["ETag"])
        self.assertIn("max-age=60", fresh["Cache-Control"])

    def test_a_scheduled_article_makes_the_files_stale_when_its_time_comes(self):
        store.build()
        with time_machine.travel(NOW + 2 * DAY, tick=False):
            self.assertFalse(store.is_built(content_state()))
            store.refresh()
            self.assertIn("scheduled", slugs_in_csv(body(self.client.get("/data/articles.csv"))))

    def test_older_versions_are_pruned(self):
        first = store.build()
        make_article(slug="second")
        second = store.refresh()
        make_article(slug="third")
        third = store.refresh()
        self.assertEqual(
            sorted(p.name for p in store.root().iterdir() if not p.name.startswith(".")),
            sorted([second.name, third.name]),
        )
        self.assertFalse(first.exists())

    def test_a_file_never_built_is_streamed_and_a_build_requested(self):
        with mock.patch("portal.views.downloads.request_rebuild") as request_rebuild:
            response = self.client.get("/data/articles.csv")
        request_rebuild.assert_called_once_with()
        self.assertTrue(response.streaming)
        self.assertNotIn("Content-Length", response)
        self.assertEqual(slugs_in_csv(body(response)), ["story-0", "story-1", "story-2"])

    def test_only_one_builder_at_a_time(self):
        with store.builder_lock() as held:
            self.assertTrue(held)
            self.assertIsNone(store.refresh(blocking=False))
        self.assertIsNotNone(store.refresh(blocking=False))

    def test_unfinished_builds_are_removed_by_the_next_builder(self):
        leftover = store.root() / f"{store.BUILDING_PREFIX}dead"
        (leftover / "en").mkdir(parents=True)
        store.refresh()
        self.assertFalse(leftover.exists())

    def test_a_filtered_list_is_not_served_from_the_whole_file(self):
        store.build()
        response = self.client.get("/articles.csv?sector=banking&q=story")
        self.assertNotIn("Content-Length", response)
        self.assertEqual(response.status_code, 200)
        # Parameters the list does not read give the whole list, from its file.
        whole = self.client.get("/articles.csv?utm_source=x")
        self.assertIn("Content-Length", whole)


@override_settings(LIVE_EXPORTS=2)
class LiveExportLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(slug="banking")
        make_article(slug="story", title="AI story")

    def hold(self, count):
        slots = [limits.take_slot() for _ in range(count)]
        self.assertNotIn(None, slots)
        self.addCleanup(lambda: [slot.release() for slot in slots])
        return slots

    def test_past_the_limit_a_filtered_export_is_refused_with_retry_after(self):
        self.hold(2)
        # The content state and the sector's validation; no export query.
        with self.assertNumQueries(2):
            response = self.client.get("/articles.csv?sector=banking")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], str(limits.RETRY_AFTER_SECONDS))
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("ETag", response)
        self.assertIn(b"Too many downloads", response.content)
        with translation.override("zh-hant"):
            chinese = self.client.get("/zh-hant/articles.csv?q=ai")
        self.assertEqual(chinese.status_code, 503)
        self.assertNotIn(b"Too many downloads", chinese.content)

    def test_a_slot_is_held_while_an_export_is_sent_and_freed_after(self):
        self.hold(1)
        response = self.client.get("/articles.csv?q=ai")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get("/initiatives.csv?sector=banking").status_code, 503)
        self.assertIn(b"AI story", body(response))  # read to the end: the response is closed
        again = self.client.get("/initiatives.csv?sector=banking")
        self.assertEqual(again.status_code, 200)
        body(again)

    def test_whole_files_are_served_whatever_the_live_exports(self):
        store.build()
        self.hold(2)
        for path in WHOLE_PATHS:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)

    def test_slots_are_shared_with_other_processes(self):
        # Another worker process holds both slots (flock on the same files) ...
        script = textwrap.dedent(
            f"""
            import fcntl, pathlib, sys
            directory = pathlib.Path({str(store.root() / ".slots")!r})
            directory.mkdir(parents=True, exist_ok=True)
            files = [open(directory / f"{{n}}.lock", "a+b") for n in range(2)]
            for file in files:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print("held", flush=True)
            sys.stdin.read()
            """
        )
        peer = subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            self.assertEqual(peer.stdout.readline().strip(), "held")
            self.assertEqual(self.client.get("/articles.csv?q=ai").status_code, 503)
        finally:
            peer.stdin.close()
            peer.wait(timeout=10)
        # ... and its slots are free once it has gone.
        response = self.client.get("/articles.csv?q=ai")
        self.assertEqual(response.status_code, 200)
        body(response)

    def test_an_unusable_directory_lets_downloads_run_and_says_so(self):
        blocker = store.root().parent / f"not-a-directory-{os.getpid()}"
        blocker.write_text("")
        self.addCleanup(blocker.unlink)
        with override_settings(DOWNLOADS_DIR=blocker):
            for path in ("/articles.csv?q=ai", "/data/articles.csv"):
                with self.subTest(path=path), self.assertLogs("portal.downloads", "ERROR"):
                    response = self.client.get(path)
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(b"story", body(response))


class CommandTests(TestCase):
    def test_build_downloads_builds_the_current_content_once(self):
        make_article(slug="story")
        out = io.StringIO()
        call_command("build_downloads", "--dry-run", stdout=out)
        self.assertIn("not built", out.getvalue())
        self.assertFalse(store.is_built(content_state()))
        call_command("build_downloads", stdout=io.StringIO())
        self.assertTrue(store.is_built(content_state()))
        out = io.StringIO()
        call_command("build_downloads", "--dry-run", stdout=out)
        self.assertIn("are built", out.getvalue())

    def test_import_content_leaves_the_downloads_built(self):
        fixture = store.root().parent / f"import-{os.getpid()}.json"
        fixture.write_text(
            '[{"model": "portal.sector", "fields": {"slug": "imported", '
            '"name_en": "Imported", "description_en": ""}}]'
        )
        self.addCleanup(fixture.unlink)
        call_command("import_content", str(fixture), stdout=io.StringIO())
        self.assertTrue(store.is_built(content_state()))
        response = self.client.get("/data/sectors.csv")
        self.assertIn("imported", slugs_in_csv(body(response)))
        self.assertIn("Content-Length", response)


class BackgroundRebuildTests(TransactionTestCase):
    """The rebuild runs in a thread of the serving process, reading committed content."""

    def test_a_request_that_finds_stale_files_starts_a_rebuild_in_the_background(self):
        make_article(slug="first")
        store.refresh()
        make_article(slug="second")
        with override_settings(DOWNLOADS_BACKGROUND=True):
            stale = self.client.get("/data/articles.csv")
            self.assertEqual(slugs_in_csv(body(stale)), ["first"])
            thread = rebuild._thread
            self.assertIsNotNone(thread)
            thread.join(60)
            self.assertFalse(thread.is_alive())
            fresh = self.client.get("/data/articles.csv")
        self.assertEqual(sorted(slugs_in_csv(body(fresh))), ["first", "second"])
        self.assertNotEqual(fresh["ETag"], stale["ETag"])

    def test_no_background_build_when_turned_off(self):
        make_article(slug="first")
        store.refresh()
        make_article(slug="second")
        rebuild._thread = None
        self.assertIsNone(rebuild.request_rebuild())
        self.assertEqual(slugs_in_csv(body(self.client.get("/data/articles.csv"))), ["first"])
