"""Junk in query strings cannot fill the page cache (portal.caching.keys, portal.caching).

Only parameters some page reads make a cache key, in a fixed order; a request with any
other parameter is answered but not stored; an entry lives at most PAGE_CACHE_TIMEOUT even
when the next scheduled article is years away; the file cache culls past MAX_ENTRIES.
"""

import datetime
import pickle
import tempfile
import uuid
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase, override_settings

from tests.factories import NOW, make_article, make_sector


def cache_files():
    return sorted(Path(cache._dir).glob("*.djcache"))


def expiries():
    """Each file cache entry's expiry time (the first thing Django pickles in it)."""
    found = []
    for path in cache_files():
        with path.open("rb") as handle:
            found.append(pickle.load(handle))
    return found


@time_machine.travel(NOW, tick=False)
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "portal.caching.backends.FastFileBasedCache",
            "LOCATION": tempfile.mkdtemp(prefix="hkai-keys-"),
        }
    }
)
class PageCacheKeyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_sector(name="Finance", slug="finance")
        make_article(title="Harbour AI story", slug="harbour")

    def setUp(self):
        cache.clear()

    def test_made_up_parameters_add_no_entries(self):
        self.client.get("/articles/")
        before = cache_files()
        for _ in range(50):
            response = self.client.get(f"/articles/?utm_{uuid.uuid4().hex}=1")
            self.assertContains(response, "Harbour AI story")
        self.client.get(f"/articles/?sector=finance&cachebuster={uuid.uuid4().hex}")
        self.assertEqual(cache_files(), before)

    def test_reordered_parameters_share_one_entry(self):
        self.client.get("/articles/?sector=finance&year=2026")
        with self.assertNumQueries(1):  # The content state; the page comes from the cache.
            response = self.client.get("/articles/?year=2026&sector=finance")
        self.assertEqual(response.status_code, 200)

    def test_an_entry_lives_a_day_at_most_even_with_an_article_scheduled_years_ahead(self):
        later = NOW + datetime.timedelta(days=4 * 365)
        make_article(title="Future story", slug="future", publish_at=later)
        self.assertNotContains(self.client.get("/articles/"), "Future story")
        self.assertTrue(expiries())
        for expiry in expiries():
            self.assertLessEqual(expiry - NOW.timestamp(), settings.PAGE_CACHE_TIMEOUT)
        # The key still changes when the article's time comes.
        with time_machine.travel(later + datetime.timedelta(seconds=1), tick=False):
            self.assertContains(self.client.get("/articles/"), "Future story")

    def test_an_entry_ends_at_a_scheduled_publish_time_sooner_than_a_day(self):
        make_article(slug="soon", publish_at=NOW + datetime.timedelta(minutes=10))
        self.client.get("/about/")
        self.assertTrue(expiries())
        self.assertLessEqual(max(expiries()) - NOW.timestamp(), 600)


class FileCacheBoundTests(TestCase):
    def test_the_settings_bound_the_file_cache(self):
        options = settings.CACHES["default"].get("OPTIONS", {})
        if "redis" in settings.CACHES["default"]["BACKEND"].lower():
            self.skipTest("Redis is bounded by its own maxmemory (README, Deploy)")
        self.assertEqual(options["MAX_ENTRIES"], 20_000)
        self.assertEqual(options["CULL_FREQUENCY"], 3)

    @time_machine.travel(NOW, tick=False)
    def test_past_max_entries_a_write_culls(self):
        make_article(slug="any")
        bounded = {
            "default": {
                "BACKEND": "portal.caching.backends.FastFileBasedCache",
                "LOCATION": tempfile.mkdtemp(prefix="hkai-bound-"),
                "OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 3},
            }
        }
        with override_settings(CACHES=bounded):
            for n in range(40):
                self.assertEqual(self.client.get(f"/search/?q=word{n}").status_code, 200)
            self.assertLessEqual(len(cache_files()), 10)
