"""Settings for HKAI Portal, read from the environment and safe by default.

Variables:
- DJANGO_DEBUG: "1"/"true" turns debug on. Off unless asked for.
- DJANGO_SECRET_KEY: required when debug is off.
- DJANGO_ALLOWED_HOSTS: comma-separated host names, each as the Host header carries it (a
  port only where one is used); default: localhost on port 8000 and without a port.
- DJANGO_SITE_URL: the site's own scheme and host (https://hkai.example), from which every
  absolute address is made; warned about when debug is off and it is unset.
- DATABASE_URL: e.g. postgres://postgres@127.0.0.1:5432/hkai. Without it, a SQLite file
  in the checkout (db.sqlite3).
- REDIS_URL: e.g. redis://127.0.0.1:6379/0, the cache shared by every app server. Without it,
  a file cache in DJANGO_CACHE_DIR (default .cache/ in the checkout), shared by the workers
  of one machine.
- DJANGO_PAGE_CACHE: "0" turns the public page cache off (HTTP validators stay).
- DJANGO_PAGE_MAX_AGE: seconds browsers and proxies may keep a public page (default 60).
- DJANGO_DOWNLOADS_DIR, DJANGO_DOWNLOADS_BACKGROUND, DJANGO_LIVE_EXPORTS: where whole-data
  downloads are built, whether workers rebuild them in the background, and how many
  downloads may stream from the database at once (portal.downloads).
- DJANGO_HTTPS: "1" when served over HTTPS behind a proxy: SSL redirect, HSTS, secure cookies,
  X-Forwarded-Proto trusted. Finer: DJANGO_SSL_REDIRECT, DJANGO_HSTS_SECONDS,
  DJANGO_HSTS_INCLUDE_SUBDOMAINS, DJANGO_HSTS_PRELOAD, DJANGO_SECURE_COOKIES.
- DJANGO_CSRF_TRUSTED_ORIGINS: comma-separated origins (https://host) allowed to post forms.
- DJANGO_PROXY_COUNT: proxies that append to X-Forwarded-For (default 1 with DJANGO_HTTPS).
- DJANGO_REVIEW_REQUIRED: "0" lets editors publish without a Publisher's review (on by default).
- DJANGO_HOUSE_BYLINE: the byline a new article starts with (default "HKAI Portal editors").
"""

import datetime
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.http.request import split_domain_port
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    """Return the boolean value of an environment variable ("1", "true", "yes", "on")."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    """Return a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for local development."
        )
    # Debug only: a random key made once per checkout and kept out of git, so local sessions
    # survive restarts and no key is ever written into the code.
    _dev_key_file = BASE_DIR / ".dev-secret-key"
    if not _dev_key_file.exists():
        _dev_key_file.write_text(secrets.token_urlsafe(50))
        _dev_key_file.chmod(0o600)
    SECRET_KEY = _dev_key_file.read_text().strip()

# Host headers are matched exactly (portal.middleware.ExactHostMiddleware): a port, other
# letter case or a trailing dot is refused unless written here. The first is make run's.
HOST_HEADERS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    "127.0.0.1:8000,localhost:8000,[::1]:8000,localhost,127.0.0.1,[::1]",
)
# Django's own check sees the host without its port.
ALLOWED_HOSTS = list(dict.fromkeys(split_domain_port(host)[0] or host for host in HOST_HEADERS))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "reversion",
    "reversion_compare",
    "axes",
    "portal",
]

MIDDLEWARE = [
    # First, so that every response carries the Content-Security-Policy header, static files
    # (whitenoise) and HTTPS redirects included.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the host: a Host header not written in DJANGO_ALLOWED_HOSTS (another
    # port, letter case, a trailing dot) is a 400.
    "portal.middleware.ExactHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as whitenoise's docs require.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions and before CommonMiddleware, as Django's i18n docs require.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's "database is locked" becomes a 503 with Retry-After (hkai.urls.handler500
    # does the same for errors raised outside views).
    "portal.middleware.DatabaseBusyMiddleware",
    # Below LocaleMiddleware, so its 404 is seen first: an address that moved answers 301.
    "portal.middleware.MovedPageMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first, so a locked-out account is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins lock out for 15 minutes: five for one username from one address, twenty
# from one address whatever the usernames (credential stuffing), or thirty for one username
# whatever the addresses (guessing spread over many). The limits: portal/lockout.py.
AXES_FAILURE_LIMIT = "portal.lockout.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
# The client's address, from X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies.
AXES_CLIENT_IP_CALLABLE = "portal.lockout.client_address"
# A successful sign-in clears its own username's failures from its address, nothing else.
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "portal.lockout.LockoutHandler"
# Every failure is also logged (at most 200 per username), so that an account's owner is
# told on signing in how often someone failed to sign in as them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 200
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# reversion-compare's compare page: a foreign key has changed when the id it holds has. By
# default it compares the versions' whole field dicts, so every edit listed every relation.
REVERSION_COMPARE_FOREIGN_OBJECTS_AS_ID = True

ROOT_URLCONF = "hkai.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # csp_nonce, which the admin's templates put on their inline <style>.
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "hkai.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# SQLite, so that pages keep answering while an import writes. PostgreSQL needs none of this
# and remains the choice for production. https://docs.djangoproject.com/en/6.1/ref/databases/#sqlite-notes
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Write-ahead log: readers see the last commit while a writer works, instead of
        # waiting for it. NORMAL sync is safe in WAL mode, and cheaper than FULL.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # Take the write lock when a transaction begins, waiting for it if need be. A
        # deferred transaction that read first fails at once when it comes to write while
        # another connection writes ("database is locked"), whatever the timeout.
        "transaction_mode": "IMMEDIATE",
        # Seconds to wait for the write lock: longer than an import's write bursts, shorter
        # than gunicorn's 30-second worker timeout, so a request that waits in vain gets a
        # 503 (portal.middleware) rather than a killed worker.
        "timeout": 20,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The username doubled, one character repeated, the site's own name (portal.passwords).
    {"NAME": "portal.passwords.GuessablePasswordValidator"},
]

# English at the usual URLs, Traditional Chinese (Hong Kong) under /zh-hant/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Hong_Kong"
# "30 November 2026" in English (hkai/formats/en), "2026年11月30日" in Chinese (Django's own).
FORMAT_MODULE_PATH = ["hkai.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content-hashed names, served by whitenoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache behind public pages and facet indexes (portal.caching.pages,
# portal.finders.facets). Entries are keyed by the content generation, so an edit is seen on
# the next request whatever the backend; it must be shared by every process that serves pages.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Both fail open (portal.caching.backends): a cache error is logged and the page rendered
# without the cache. A Redis server that does not answer is given up on within a second.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.caching.backends.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "portal.caching.backends.FastFileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache" / "django")),
            # At most DJANGO_CACHE_MAX_ENTRIES files: past it, a write first deletes a third
            # of them, chosen at random (Django's culling).
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("DJANGO_CACHE_MAX_ENTRIES", "20000")),
                "CULL_FREQUENCY": 3,
            },
        }
    }
PAGE_CACHE = env_flag("DJANGO_PAGE_CACHE", True)
# How long browsers and proxies may reuse a public page: short, since an edit must show soon
# even there (the server's own cache is never stale). Never past a scheduled publish time.
PAGE_CACHE_MAX_AGE = int(os.environ.get("DJANGO_PAGE_MAX_AGE", "60"))
# How long the server keeps a page when no article is scheduled (a new generation makes
# older entries unreachable anyway; this only bounds how long they take up room).
PAGE_CACHE_TIMEOUT = 24 * 60 * 60

# Whole-data downloads (/data/*.csv and .json, the data package, each list's unfiltered CSV)
# are built once per content generation into files here and served from disk
# (portal.downloads); a worker that finds them out of date serves the previous files and
# rebuilds them in a background thread, unless DJANGO_DOWNLOADS_BACKGROUND=0 (then only
# `manage.py build_downloads` and `import_content` build them). Local to each machine.
DOWNLOADS_DIR = Path(os.environ.get("DJANGO_DOWNLOADS_DIR", str(BASE_DIR / ".cache" / "downloads")))
DOWNLOADS_BACKGROUND = env_flag("DJANGO_DOWNLOADS_BACKGROUND", True)
# Downloads streamed from the database while they are sent (a filtered list's CSV, or a
# whole file before its first build) at once on one machine; past it, 503 with Retry-After,
# so that most workers are always free for pages.
LIVE_EXPORTS = int(os.environ.get("DJANGO_LIVE_EXPORTS", "2"))

# --- HTTPS ---------------------------------------------------------------------------------
# DJANGO_HTTPS=1: the site is served over HTTPS by a proxy (load balancer, nginx) that ends
# TLS and forwards plain HTTP here with X-Forwarded-Proto. It turns on everything
# `manage.py check --deploy` asks for; the finer DJANGO_* variables below override a part.
# https://docs.djangoproject.com/en/6.1/howto/deployment/checklist/
HTTPS = env_flag("DJANGO_HTTPS")
if HTTPS:
    # Believe the proxy's X-Forwarded-Proto. Safe only because the proxy sets this header
    # itself, replacing any a client sent.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", HTTPS)
# Load balancers check /healthz over plain HTTP, and would take a redirect for a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# A year of HSTS, subdomains included. Start lower (DJANGO_HSTS_SECONDS=300) while trying
# HTTPS out: browsers remember the header for as long as it says.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading bakes HTTPS-only into browsers and takes months to undo, so only when asked for;
# not asking is a decision, so check --deploy's reminder (W021) is silenced.
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Session and CSRF cookies only over HTTPS: with DJANGO_HTTPS, and whenever debug is off
# (DJANGO_SECURE_COOKIES=0 to sign in over plain HTTP, e.g. `make serve` on a LAN address).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", HTTPS or not DEBUG)
# Proxies in front of the site that append the address they were reached from to
# X-Forwarded-For: then the client's address is read from there (portal.lockout), not
# REMOTE_ADDR, which is the proxy's. One with DJANGO_HTTPS; DJANGO_PROXY_COUNT overrides.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1" if HTTPS else "0"))
# Origins allowed to post forms (the admin's sign-in) when the proxy's public address is not
# the host Django sees, e.g. "https://hkai.example,https://www.hkai.example".
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")


# --- The site's own address ----------------------------------------------------------------
# Feeds, sitemaps, canonical and hreflang links, citations and the data package give absolute
# addresses, made from this and never from the request (portal.records.addresses.absolute_url),
# so a forged Host or X-Forwarded-Proto cannot put another address into a cached page.
# Without DJANGO_SITE_URL: the first allowed host, over HTTPS with DJANGO_HTTPS; with debug
# off that is warned about (portal.checks), since it is only a guess.
SITE_URL_FROM_ENVIRONMENT = bool(os.environ.get("DJANGO_SITE_URL", "").strip())


def _site_url(value):
    """`value` as scheme://host[:port], or ImproperlyConfigured if it is anything else."""
    parts = urlsplit(value.strip().rstrip("/"))
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts[2:] != ("", "", ""):
        raise ImproperlyConfigured(
            f"DJANGO_SITE_URL must be a scheme and host such as https://hkai.example, "
            f"not {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


SITE_URL = _site_url(
    os.environ.get("DJANGO_SITE_URL", "").strip()
    or f"{'https' if HTTPS else 'http'}://"
    + next((host for host in HOST_HEADERS if host != "*" and host[:1] != "."), "localhost")
)
# The site's own host is always accepted.
if urlsplit(SITE_URL).netloc not in HOST_HEADERS:
    HOST_HEADERS.append(urlsplit(SITE_URL).netloc)
    ALLOWED_HOSTS.append(split_domain_port(urlsplit(SITE_URL).netloc)[0])

# --- Content-Security-Policy ---------------------------------------------------------------
# On every response: scripts, styles, images and fonts from this site only, and no inline
# script at all (a JSON-LD <script type="application/ld+json"> is data, never run). An inline
# <style> needs the request's nonce, which the admin's templates add. No plugins, no <base>,
# no framing by other sites, forms post only here. A view that needs more says so with
# django.views.decorators.csp.csp_override (portal.admin.base: the history page).
# https://docs.djangoproject.com/en/6.1/ref/csp/
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    # The pages' empty favicon is a data: URL.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}


# --- Limits on the admin's import page (/admin/import/) ------------------------------------
# An upload is checked, and on confirmation imported, inside one web request, which has to
# finish well within the server's timeout (gunicorn's default is 30 s). Past either limit
# the page refuses the upload and says to run `manage.py import_content`, which has none.
# - DJANGO_IMPORT_MAX_UPLOAD_MB: the files of one upload together, in MB (default 20).
# - DJANGO_IMPORT_MAX_RECORDS: the records of one upload, all files together (default 20000).
def _env_positive_int(name, default):
    """Return a whole-number environment variable above zero, or `default` when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number above 0, not {value!r}.")
    return number


IMPORT_MAX_UPLOAD_MB = _env_positive_int("DJANGO_IMPORT_MAX_UPLOAD_MB", 20)
IMPORT_MAX_RECORDS = _env_positive_int("DJANGO_IMPORT_MAX_RECORDS", 20_000)


# --- Corrections ------------------------------------------------------------------------------
# Where readers send corrections (the About page shows it as a mailto link). The default is a
# placeholder on a reserved domain (RFC 2606), never a real organisation's address: set
# DJANGO_CORRECTIONS_EMAIL to a mailbox someone reads before going live.
CORRECTIONS_EMAIL = (
    os.environ.get("DJANGO_CORRECTIONS_EMAIL", "").strip() or "corrections@hkai-portal.example"
)


# --- Review ------------------------------------------------------------------------------------
# With review on, Editors submit articles for review and a Publisher approves (publishes or
# schedules) or sends them back; Editors' changes to published initiatives, organisations and
# milestones are flagged "needs review" for a Publisher (portal.admin.review). A site with one
# editor turns it off: Editors then publish directly. Run `manage.py setup_roles` after changing
# it, which gives or takes the Editor role's permission to publish (portal.roles).
REVIEW_REQUIRED = env_flag("DJANGO_REVIEW_REQUIRED", default=True)
# The byline a new article's form starts with: the house's own, as the fixtures give it.
HOUSE_BYLINE = os.environ.get("DJANGO_HOUSE_BYLINE", "").strip() or "HKAI Portal editors"
