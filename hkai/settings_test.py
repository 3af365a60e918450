"""Settings for the test suite: production settings with test-only conveniences.

Debug stays off, as in production, so tests see what readers see.
"""

import os

# Test-only key; production settings refuse to start without a real one.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")

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
# backend in a fresh directory, so a run never reads a development server's pages.
if not REDIS_URL:  # noqa: F405
    import tempfile

    CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="hkai-test-cache-")  # noqa: F405
else:
    CACHES["default"]["KEY_PREFIX"] = "hkai-tests"  # noqa: F405
