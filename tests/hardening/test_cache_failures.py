"""A cache that fails never takes pages down (portal.caching.backends), and /healthz says so.

Redis is "stopped" by pointing the cache at a port nobody listens on; a full disk by making
the file cache's write raise ENOSPC; an unwritable directory by placing it under a file.
"""

import errno
import tempfile
from pathlib import Path
from unittest import mock

import time_machine
from django.core.cache import cache
from django.test import TestCase, override_settings

from portal.caching.backends import FastFileBasedCache
from tests.factories import NOW, make_article

STOPPED_REDIS = {
    "default": {
        "BACKEND": "portal.caching.backends.FailOpenRedisCache",
        # Port 1 (tcpmux): nothing listens there, so every connection is refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def file_cache(location):
    return {
        "default": {"BACKEND": "portal.caching.backends.FastFileBasedCache", "LOCATION": location}
    }


@time_machine.travel(NOW, tick=False)
class CacheFailureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title="Harbour AI story", slug="harbour")

    def assert_pages_still_served(self):
        with self.assertLogs("portal.cache", "WARNING") as logs:
            for path in ["/articles/", "/articles/", self.article.get_absolute_url(), "/"]:
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200, path)
            self.assertContains(self.client.get("/articles/"), "Harbour AI story")
        self.assertTrue(any("serving without the cache" in line for line in logs.output))

    def assert_health_degraded(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)  # Load balancers keep sending readers.
        self.assertIn(b"degraded", response.content)
        self.assertEqual(self.client.get("/healthz?strict=1").status_code, 503)

    def test_redis_stopped_pages_are_served_and_healthz_says_degraded(self):
        with override_settings(CACHES=STOPPED_REDIS):
            self.assert_pages_still_served()
            with self.assertLogs("portal.views.pages", "WARNING"):
                self.assert_health_degraded()

    def test_a_full_disk_pages_are_served_and_healthz_says_degraded(self):
        full = OSError(errno.ENOSPC, "No space left on device")
        with (
            override_settings(CACHES=file_cache(tempfile.mkdtemp())),
            mock.patch.object(FastFileBasedCache, "_write_content", side_effect=full),
        ):
            self.assert_pages_still_served()
            with self.assertLogs("portal.views.pages", "WARNING"):
                self.assert_health_degraded()
            # Nothing half-written is left behind.
            self.assertEqual(list(Path(cache._dir).iterdir()), [])

    def test_an_unwritable_cache_directory_pages_are_served(self):
        blocker = Path(tempfile.mkdtemp()) / "a-file"
        blocker.write_text("not a directory")
        with override_settings(CACHES=file_cache(str(blocker / "cache"))):
            self.assert_pages_still_served()
            with self.assertLogs("portal.views.pages", "WARNING"):
                self.assert_health_degraded()

    def test_a_damaged_entry_is_read_as_a_miss(self):
        with override_settings(CACHES=file_cache(tempfile.mkdtemp())):
            cache.set("some-key", "value")
            Path(cache._key_to_file("some-key")).write_bytes(b"\x80\x04garbage")
            with self.assertLogs("portal.cache", "WARNING"):
                self.assertIsNone(cache.get("some-key"))

    def test_healthz_says_ok_and_the_cache_is_used_again_once_it_works(self):
        with override_settings(CACHES=file_cache(tempfile.mkdtemp())):
            full = OSError(errno.ENOSPC, "No space left on device")
            with (
                mock.patch.object(FastFileBasedCache, "_write_content", side_effect=full),
                self.assertLogs("portal.cache", "WARNING"),
            ):
                self.client.get("/articles/")
            # The disk has room again: the health check finds the cache working ...
            response = self.client.get("/healthz?strict=1")
            self.assertEqual((response.status_code, response.content), (200, b"ok"))
            # ... and pages are cached again at once: the second request reads one row.
            self.client.get("/articles/")
            with self.assertNumQueries(1):
                self.client.get("/articles/")
