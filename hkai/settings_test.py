"""Settings for the test suite: production settings with test-only conveniences.

Debug stays off, as in production, so tests see what readers see.
"""

import os

# Test-only key; production settings refuse to start without a real one.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
# The Django test client's host, so absolute addresses read as they did before SITE_URL.
os.environ.setdefault("DJANGO_SITE_URL", "http://testserver")

from hkai.settings import *  # noqa: E402, F403

# Hashing passwords properly is slow by design; tests don't need that.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The manifest storage needs `collectstatic` to have run; tests serve files unhashed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests don't run collectstatic; without this whitenoise warns that staticfiles/ is missing.
WHITENOISE_AUTOREFRESH = True

# A cache of the suite's own, emptied before each test (tests/conftest.py); on the file
# backend in a fresh directory unless one is named, so a run never reads a development
# server's pages. (With REDIS_URL, point it at a Redis database kept for tests.)
if not REDIS_URL and not os.environ.get("DJANGO_CACHE_DIR"):  # noqa: F405
    import tempfile

    CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="hkai-test-cache-")  # noqa: F405

# Downloads built into a fresh directory (emptied before each test, tests/conftest.py). No
# background builds: a thread would read the database outside the test's transaction;
# tests build the files themselves, or turn it on where committed data is read.
if not os.environ.get("DJANGO_DOWNLOADS_DIR"):
    import tempfile

    DOWNLOADS_DIR = Path(tempfile.mkdtemp(prefix="hkai-test-downloads-"))  # noqa: F405
DOWNLOADS_BACKGROUND = False
# The test client closes a streamed response (freeing its live-export slot) only when a test
# reads it to the end; many read only the headers. Servers always close it. Tests of the
# limit set their own.
LIVE_EXPORTS = 50

# SQLite: a test database in a file rather than in memory, so that tests can reach it from
# another process (tests/test_caching.py: an edit made elsewhere shows on the next request).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
