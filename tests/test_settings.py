"""Settings fail safe: no debug unless asked for, no default secret key in production."""

import os
import subprocess
import sys

from django.conf import settings


def load_settings(**env):
    """Import hkai.settings in a fresh interpreter with `env`; return the completed process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = (
        "import hkai.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = load_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for_and_hosts_come_from_the_environment():
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="hkai.example, www.hkai.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['hkai.example', 'www.hkai.example'] django.db.backends.sqlite3"
    )


def test_debug_runs_without_a_secret_key_and_database_url_picks_postgresql():
    result = load_settings(DJANGO_DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("True")
    assert result.stdout.strip().endswith("django.db.backends.postgresql")


def test_whitenoise_comes_directly_after_the_security_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware[middleware.index("django.middleware.security.SecurityMiddleware") + 1] == (
        "whitenoise.middleware.WhiteNoiseMiddleware"
    )
