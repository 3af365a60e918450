"""Settings fail safe: no debug unless asked for, no default secret key in production."""

import ast
import os
import secrets
import subprocess
import sys

from django.conf import settings


def run_python(*args, **env):
    """Run Python with `args` in the checkout, with `env` and none of the developer's own
    DJANGO_* or DATABASE_URL variables; return the completed process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, *args],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def load_settings(**env):
    """Import hkai.settings in a fresh interpreter with `env`; return the completed process."""
    code = (
        "import hkai.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])"
    )
    return run_python("-c", code, **env)


def https_settings(**env):
    """The HTTPS settings hkai.settings makes of `env` (debug off), as a dict."""
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
        "SILENCED_SYSTEM_CHECKS",
    ]
    code = f"import hkai.settings as s; print({{n: getattr(s, n, None) for n in {names!r}}})"
    result = run_python("-c", code, DJANGO_SECRET_KEY=PRODUCTION_KEY, **env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout)


PRODUCTION_KEY = secrets.token_urlsafe(50)
PRODUCTION = {"DJANGO_SECRET_KEY": PRODUCTION_KEY, "DJANGO_ALLOWED_HOSTS": "hkai.example"}


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


def test_check_deploy_passes_with_https_switched_on():
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DJANGO_HTTPS="1",
        DJANGO_SITE_URL="https://hkai.example",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_about_https_until_it_is_switched_on():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # HSTS
    assert "security.W008" in result.stderr  # SSL redirect


def test_https_switches_on_redirect_hsts_secure_cookies_and_the_proxy_header():
    assert https_settings(DJANGO_HTTPS="1") == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_TRUSTED_ORIGINS": [],
        "SILENCED_SYSTEM_CHECKS": ["security.W021"],
    }


def test_without_https_nothing_redirects_or_trusts_the_proxy():
    values = https_settings()

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is True  # debug is off


def test_finer_variables_override_parts_of_https():
    values = https_settings(
        DJANGO_HTTPS="1",
        DJANGO_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="300",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://hkai.example, https://www.hkai.example",
    )

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://hkai.example", "https://www.hkai.example"]


# What a request through the proxy looks like, and where each one ends up. POSTs go to
# robots.txt, which refuses them (405) once CSRF's Origin check has let them through (else 403).
BEHIND_A_PROXY = """
import django
django.setup()
from django.test import Client

client = Client(enforce_csrf_checks=True)
proxy = {"Host": "hkai.example", "X-Forwarded-Proto": "https"}
token = client.get("/admin/login/", headers=proxy).cookies["csrftoken"].value
for method, path, headers in [
    ("get", "/robots.txt", {"Host": "hkai.example"}),
    ("get", "/healthz", {"Host": "hkai.example"}),
    ("get", "/robots.txt", proxy),
    ("post", "/robots.txt", {**proxy, "Origin": "https://hkai.example"}),
    ("post", "/robots.txt", {**proxy, "Origin": "https://www.hkai.example"}),
    ("post", "/robots.txt", {**proxy, "Origin": "https://elsewhere.example"}),
]:
    data = {"csrfmiddlewaretoken": token} if method == "post" else None
    response = getattr(client, method)(path, data, headers=headers)
    print(method, path, headers.get("X-Forwarded-Proto", "http"), headers.get("Origin", "-"),
          response.status_code, response.get("Location", "-"),
          response.get("Strict-Transport-Security", "-"))
"""


def test_behind_the_proxy_https_is_enforced_except_for_the_health_check():
    result = run_python(
        "-c",
        BEHIND_A_PROXY,
        DJANGO_SETTINGS_MODULE="hkai.settings_test",  # production settings, static unhashed
        DJANGO_ALLOWED_HOSTS="hkai.example",
        DJANGO_HTTPS="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://www.hkai.example",
        DATABASE_URL="sqlite://:memory:",
    )

    assert result.returncode == 0, result.stderr
    hsts = "max-age=31536000; includeSubDomains"
    assert result.stdout.splitlines() == [
        "get /robots.txt http - 301 https://hkai.example/robots.txt -",
        "get /healthz http - 200 - -",
        f"get /robots.txt https - 200 - {hsts}",
        f"post /robots.txt https https://hkai.example 405 - {hsts}",
        f"post /robots.txt https https://www.hkai.example 405 - {hsts}",
        f"post /robots.txt https https://elsewhere.example 403 - {hsts}",
    ]


def test_a_worker_loads_the_views_and_freezes_them_before_its_first_request():
    # What hkai.wsgi loads at start stays for the worker's life: frozen, the garbage
    # collector's full collections no longer scan it.
    code = (
        "import gc, sys; import hkai.wsgi; "
        "print(gc.get_freeze_count() > 50_000, 'portal.views.finders' in sys.modules)"
    )
    done = run_python("-c", code, DJANGO_DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
