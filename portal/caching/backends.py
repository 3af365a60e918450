"""The default cache when no Redis server is configured (settings.CACHES).

Django's file-based cache compresses every entry at zlib's default level (6). The largest
entries are the facet indexes' parts (portal.finders.facets): bitmaps that compress little
whatever the level, and at level 6 compressing them took a good part of a large list's first
request, several times longer than at level 1, for files only slightly larger.
Reading is unchanged: zlib reads any level, so entries written by either backend read back in
the other.

Both backends the settings use fail open (`FailOpenMixin`): a cache that errs is skipped,
never a reason for a page to fail.
"""

import logging
import pickle
import time
import zlib

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

COMPRESSION_LEVEL = 1  # zlib's fastest


# --- Fail open ------------------------------------------------------------------------------
# The cache only saves work: every page can be rendered without it. So an error from the
# cache (Redis stopped or slow, a full or unwritable disk, a damaged file) is logged and the
# request goes on as on a miss; a write that fails is skipped. After an error the backend is
# left alone for FAILURE_PAUSE_SECONDS in this process, so that each page does not wait for
# a dead server again. /healthz asks the cache directly (`cache_problem`) and says so.

logger = logging.getLogger("portal.cache")

FAILURE_PAUSE_SECONDS = 5
HEALTH_KEY = "healthz:probe"

# Where a cache failed last, and when (time.monotonic()), per process: {location: time}.
_failed_at = {}


def forget_failures():
    """Let every cache be tried again at once (tests, or after a repair)."""
    _failed_at.clear()


class FailOpenMixin:
    """A cache backend whose errors (`cache_errors`) are logged and read as a miss."""

    cache_errors = (OSError,)

    def __init__(self, location, params):
        super().__init__(location, params)
        self._failure_key = f"{type(self).__name__}:{location}"

    def _paused(self):
        failed = _failed_at.get(self._failure_key)
        return failed is not None and time.monotonic() - failed < FAILURE_PAUSE_SECONDS

    def _guard(self, operation, fallback, *args, **kwargs):
        if self._paused():
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except self.cache_errors as error:
            _failed_at[self._failure_key] = time.monotonic()
            logger.warning(
                "Cache %s failed (%s: %s); serving without the cache for %s s.",
                operation,
                type(error).__name__,
                error,
                FAILURE_PAUSE_SECONDS,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._guard("delete_many", None, keys, version)

    def probe(self):
        """Write and read back a small entry, bypassing the guard; raises what the cache
        raises, or RuntimeError if the entry did not come back."""
        token = time.time_ns()
        super().set(HEALTH_KEY, token, 60)
        if super().get(HEALTH_KEY) != token:
            raise RuntimeError("an entry written was not read back")
        _failed_at.pop(self._failure_key, None)


class FailOpenRedisCache(FailOpenMixin, RedisCache):
    """Django's Redis cache, failing open (settings.CACHES with REDIS_URL)."""

    cache_errors = (RedisError, OSError)


def cache_problem(backend=None):
    """None if the cache (default: the default cache) can store and read an entry now, else a
    short description of what went wrong, for /healthz."""
    backend = backend or caches[DEFAULT_CACHE_ALIAS]  # The backend itself, not a proxy.
    try:
        if isinstance(backend, FailOpenMixin):
            backend.probe()
        else:
            backend.set(HEALTH_KEY, 1, 60)
    except Exception as error:  # Whatever the backend raises: /healthz must answer.
        return f"{type(error).__name__}: {error}"[:200]
    return None


class FastFileBasedCache(FailOpenMixin, FileBasedCache):
    """FileBasedCache that compresses at COMPRESSION_LEVEL, failing open (a full or
    unwritable disk, or a damaged entry, is a miss)."""

    cache_errors = (OSError, EOFError, zlib.error, pickle.UnpicklingError)

    def _createdir(self):
        # Django makes the directory when the backend is made and before each write: a
        # disk that refuses must not stop the backend being made (the write fails instead).
        try:
            super()._createdir()
        except OSError as error:
            logger.warning("Cache directory %s unusable: %s", self._dir, error)

    def _write_content(self, file, timeout, value):
        # As Django's own (FileBasedCache._write_content), with the level set.
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESSION_LEVEL))
