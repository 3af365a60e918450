"""Middleware of the portal's own.

A busy database answers 503 "try again in a few seconds", never a 500 with a traceback.

SQLite lets one connection write at a time: a request that must write while an import holds
the lock waits for it (the busy timeout in settings), then fails with "database is locked".
PostgreSQL reports a lock wait that timed out (lock_timeout) or a deadlock the same way, as
an OperationalError. Either way the same request will most likely work a moment later,
which is what 503 with Retry-After tells browsers, crawlers and load balancers.

An address that moved (records merged) answers 301 to the new one (MovedPageMiddleware).

A Host header is taken only as DJANGO_ALLOWED_HOSTS writes it (ExactHostMiddleware).
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from portal.models import Redirect

RETRY_AFTER_SECONDS = 10
# SQLite's result codes for "busy" and "locked"; extended codes keep them in the low byte.
# https://www.sqlite.org/rescode.html
SQLITE_BUSY_CODES = {5, 6}
# PostgreSQL's lock_not_available (lock_timeout, NOWAIT) and deadlock_detected.
# https://www.postgresql.org/docs/current/errcodes-appendix.html
POSTGRESQL_BUSY_STATES = {"55P03", "40P01"}


def is_database_busy(error):
    """Whether `error` says the database was too busy to answer (so retrying may work),
    rather than that the query or the data was wrong."""
    if not isinstance(error, OperationalError):
        return False
    # Django re-raises the driver's error as its own, with the original as the cause.
    driver_error = error.__cause__
    sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in SQLITE_BUSY_CODES
    return getattr(driver_error, "sqlstate", None) in POSTGRESQL_BUSY_STATES


def busy_response():
    """A short plain-text 503 that asks the client to retry, and is never cached."""
    response = HttpResponse(
        _("The site is busy saving changes. Please try again in a few seconds."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def raw_host(request):
    """The host and port the request names, as sent (Django's own reading of it, before it
    drops the port, the letter case and a trailing dot)."""
    meta = request.META
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        return meta["HTTP_X_FORWARDED_HOST"]
    if "HTTP_HOST" in meta:
        return meta["HTTP_HOST"]
    host, port = meta["SERVER_NAME"], str(meta["SERVER_PORT"])
    return host if port == ("443" if request.is_secure() else "80") else f"{host}:{port}"


def host_is_configured(host):
    """Whether `host` (a Host header) is written exactly so in settings.HOST_HEADERS or
    ALLOWED_HOSTS, or is a subdomain of a ".example.com" entry without port or capitals."""
    allowed = [*settings.HOST_HEADERS, *settings.ALLOWED_HOSTS]
    if "*" in allowed or host in allowed:
        return True
    plain = ":" not in host and host == host.lower() and not host.endswith(".")
    return plain and any(
        entry.startswith(".") and (host.endswith(entry) or host == entry[1:]) for entry in allowed
    )


class ExactHostMiddleware:
    """Refuses (400, as Django does for a host not allowed at all) a request whose Host is
    not one the site is configured for, character for character.

    Django takes "LOCALHOST.:31337" for "localhost", so a page rendered for that request
    could be stored in the cache for everyone. Absolute addresses no longer come from the
    request (settings.SITE_URL), and this also keeps such requests out altogether.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = raw_host(request)
        if not host_is_configured(host):
            raise DisallowedHost(f"Host {host!r} is not written so in DJANGO_ALLOWED_HOSTS.")
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """Turns a view's busy-database error into `busy_response()`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response() if is_database_busy(exception) else None


class MovedPageMiddleware:
    """Answers a 404 for an address that moved (a `portal.models.Redirect`, or an address
    under it) with a 301 to its new address, in the same language, query string kept.

    Only 404s pay for the lookup, as with django.contrib.redirects, which needs the sites
    framework: that would make feeds and sitemaps take their domain from the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        return moved_page_response(request) or response


def moved_page_response(request):
    """A permanent redirect for `request` if its address (or one above it) moved, else None."""
    prefix, path = "", request.path
    if "\x00" in path:
        return None  # No stored address holds a NUL, and PostgreSQL refuses one in a query.
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and path.startswith(f"/{code}/"):
            prefix, path = f"/{code}", path[len(code) + 1 :]
            break
    # The address itself and each address above it: /a/b/c.ris, /a/b/, /a/.
    parts = path.split("/")
    candidates = [path] + ["/".join(parts[:i]) + "/" for i in range(len(parts) - 1, 1, -1)]
    candidates = [c for c in dict.fromkeys(candidates) if len(c) <= 200]
    moved = (
        Redirect.objects.filter(old_path__in=candidates)
        .order_by("-old_path")  # the longest (most specific) old address first
        .values_list("old_path", "new_path")
        .first()
    )
    if moved is None:
        return None
    old_path, new_path = moved
    target = prefix + new_path + path[len(old_path) :]
    if query := request.META.get("QUERY_STRING"):
        target += "?" + query
    return HttpResponsePermanentRedirect(target)
