"""The page cache and HTTP validators (portal.caching.pages): never stale, whoever changes
content."""

import datetime
import os
import subprocess
import sys
import tempfile

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from portal.caching.backends import FastFileBasedCache
from portal.caching.generation import content_state
from portal.finders.facets import forget_indexes
from portal.models import Article, ContentGeneration
from tests.factories import NOW, make_article, make_sector

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_reachable():
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False


def backends(tmp_dir):
    """{name: (CACHES setting, environment naming the same cache to another process)}."""
    found = {
        "files": (
            {
                "default": {
                    "BACKEND": "portal.caching.backends.FastFileBasedCache",
                    "LOCATION": str(tmp_dir),
                }
            },
            {"DJANGO_CACHE_DIR": str(tmp_dir)},
        )
    }
    if redis_reachable():
        found["redis"] = (
            {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": REDIS_URL,
                }
            },
            {"REDIS_URL": REDIS_URL},
        )
    elif os.environ.get("CI"):
        raise AssertionError(f"Redis is not reachable at {REDIS_URL}; CI runs the cache on it")
    return found


def database_url():
    """The test database, as a DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def peer(*args, cache_env):
    """Run tests.cache_peer in another Python process; returns what it printed."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_CACHE_DIR")},
        **cache_env,
        "DJANGO_SETTINGS_MODULE": "hkai.settings_test",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.cache_peer", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class AcrossProcessesTests(TransactionTestCase):
    """A page cached by one process is served by another, until content changes anywhere."""

    def test_an_edit_in_another_process_shows_on_the_next_request(self):
        import tempfile

        for name, (caches, cache_env) in backends(tempfile.mkdtemp()).items():
            with self.subTest(cache=name), override_settings(CACHES=caches):
                cache.clear()
                forget_indexes()
                article = make_article(title="Old title", slug=f"story-{name}")
                path = article.get_absolute_url()
                # Another process renders the page, and so fills the shared cache ...
                self.assertEqual(peer("get", path, cache_env=cache_env), "200")
                # ... from which this one serves it: only the content state is read.
                with self.assertNumQueries(1):
                    self.assertContains(self.client.get(path), "Old title")
                # A bulk update elsewhere, with no signals, shows on the very next request.
                peer("retitle", article.slug, "New title", cache_env=cache_env)
                response = self.client.get(path)
                self.assertContains(response, "New title")
                self.assertNotContains(response, "Old title")
                cache.clear()


@time_machine.travel(NOW, tick=False)
class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(slug="finance")
        make_article(title="Visible story", slug="visible")

    def test_a_second_request_is_served_from_the_cache(self):
        self.client.get("/articles/")
        with self.assertNumQueries(1):  # The content state, nothing else.
            response = self.client.get("/articles/")
        self.assertContains(response, "Visible story")

    def test_an_edit_is_seen_on_the_next_request(self):
        self.assertContains(self.client.get("/articles/"), "Visible story")
        Article.objects.filter(slug="visible").update(title_en="Edited story")
        self.assertContains(self.client.get("/articles/"), "Edited story")

    def test_a_scheduled_article_appears_when_its_time_comes(self):
        make_article(
            title="Scheduled story", slug="later", publish_at=NOW + datetime.timedelta(minutes=30)
        )
        response = self.client.get("/articles/")
        self.assertNotContains(response, "Scheduled story")
        # Nobody may keep the page past the publish time.
        self.assertIn("max-age=60", response["Cache-Control"])
        with time_machine.travel(NOW + datetime.timedelta(minutes=29, seconds=30), tick=False):
            response = self.client.get("/articles/")
            self.assertNotContains(response, "Scheduled story")
            self.assertIn("max-age=30", response["Cache-Control"])
        with time_machine.travel(NOW + datetime.timedelta(minutes=31), tick=False):
            self.assertContains(self.client.get("/articles/"), "Scheduled story")
            self.assertContains(self.client.get("/articles.atom"), "Scheduled story")

    def test_public_pages_are_public_with_an_etag_and_vary_on_cookies(self):
        for url in [
            "/",
            "/articles/",
            "/zh-hant/articles/",
            "/articles.json",
            "/articles.atom",
            "/articles/visible/",
            "/sectors/",
            "/sitemap.xml",
            "/search/?q=story",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn("public", response["Cache-Control"])
                self.assertIn("max-age=60", response["Cache-Control"])
                self.assertTrue(response["ETag"].startswith('"'))
                self.assertIn("Cookie", response["Vary"])

    def test_a_conditional_get_with_the_current_etag_is_not_modified(self):
        etag = self.client.get("/articles/")["ETag"]
        response = self.client.get("/articles/", headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["ETag"], etag)
        # After an edit the old ETag no longer matches.
        Article.objects.filter(slug="visible").update(title_en="Edited")
        response = self.client.get("/articles/", headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], etag)

    def test_head_requests_are_answered_from_the_same_cache(self):
        self.client.get("/articles/")
        with self.assertNumQueries(1):
            response = self.client.head("/articles/")
        self.assertEqual(response.status_code, 200)

    def test_logged_in_staff_bypass_the_cache(self):
        self.client.get("/articles/")
        staff = User.objects.create_user("editor", password="x", is_staff=True)
        self.client.force_login(staff)
        response = self.client.get("/articles/")
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("public", response["Cache-Control"])
        self.assertFalse(response.has_header("ETag"))
        self.assertIsNotNone(response.context)  # Rendered afresh, not taken from the cache.

    def test_admin_pages_are_private_and_never_stored(self):
        staff = User.objects.create_superuser("admin", password="x")
        self.client.force_login(staff)
        response = self.client.get("/admin/")
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("no-store", response["Cache-Control"])

    def test_errors_are_not_cached(self):
        self.assertEqual(self.client.get("/articles/?year=soon").status_code, 200)
        self.assertEqual(self.client.get("/articles/missing/").status_code, 404)
        make_article(title="Missing", slug="missing")
        self.assertEqual(self.client.get("/articles/missing/").status_code, 200)

    @override_settings(PAGE_CACHE=False)
    def test_the_page_cache_can_be_turned_off(self):
        self.client.get("/articles/")
        with self.assertNumQueries(2):  # State, rows; the facet index and cards are kept.
            response = self.client.get("/articles/")
        self.assertIn("public", response["Cache-Control"])


@pytest.mark.skipif(not redis_reachable(), reason="no Redis server")
def test_redis_url_selects_the_fail_open_redis_cache():
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SECRET_KEY": "x"}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'hkai.settings'; "
            f"import django; django.setup(); {code}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "portal.caching.backends.FailOpenRedisCache", result.stderr


class GenerationTests(TestCase):
    def value(self):
        return ContentGeneration.objects.get(pk=1).value

    def test_every_write_between_two_reads_of_the_state_changes_it(self):
        first = content_state()
        for n in range(30):
            make_article(slug=f"bulk-{n}")
        second = content_state()
        self.assertNotEqual(first.key, second.key)
        Article.objects.filter(slug="bulk-1").update(title_en="Changed")
        self.assertNotEqual(content_state().key, second.key)

    def test_postgresql_bumps_once_per_transaction_until_the_state_is_read(self):
        if connection.vendor != "postgresql":
            self.skipTest("SQLite's triggers are per row; bulk writes there cost no dead rows")
        content_state()
        before = self.value()
        for n in range(30):
            make_article(slug=f"bulk-{n}")
        self.assertEqual(self.value(), before + 1)
        content_state()
        make_article(slug="one-more")
        self.assertEqual(self.value(), before + 2)


class FastFileBasedCacheTests(SimpleTestCase):
    """The default backend only writes at another compression level than Django's."""

    def test_entries_read_back_in_either_backend(self):
        with tempfile.TemporaryDirectory() as location:
            fast = FastFileBasedCache(location, {})
            django_own = FileBasedCache(location, {})
            value = {"ids": list(range(10_000))}
            fast.set("written-fast", value)
            django_own.set("written-by-django", value)
            self.assertEqual(django_own.get("written-fast"), value)
            self.assertEqual(fast.get("written-by-django"), value)
