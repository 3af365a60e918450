"""Public pages served from a cache that is never stale, with HTTP validators to match.

`public_page(view)` wraps every public view. For an anonymous GET or HEAD it:
- reads the content state (portal.caching.generation: one small query), whose key changes with any
  write to content and when a scheduled article's time comes;
- answers a conditional GET whose `If-None-Match` names the current ETag with 304 (an ETag
  is this address's and language's; only 200s carry one, so a 404 is never a 304);
- otherwise serves the page from the cache under (code version, content key, day, path and
  the parameters pages read, in a fixed order: portal.caching.keys), or renders it and stores
  it, for at most PAGE_CACHE_TIMEOUT and never past the next scheduled publish date (a
  request with a parameter no page reads is not stored);
- marks the response `Cache-Control: public, max-age=...` (PAGE_CACHE_MAX_AGE, cut short
  before a scheduled article appears), with the ETag and `Vary: Cookie`.
Logged-in users (editors checking their work) bypass the cache and get `private, no-cache`.
Streamed responses (CSV, built files) get the headers but are not stored, and keep an ETag
of their own. Only 200s are stored; 5xx answers are marked no-store.

The cache itself is Django's (settings.CACHES: Redis with REDIS_URL, else files shared by
the workers of one machine), so an entry written by one process serves them all, and the
content key makes an edit in any process visible to all on the very next request.
"""

import hashlib
from functools import cache as memoize
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language

from portal.caching.generation import content_state
from portal.caching.keys import canonical_query

# What a cached page depends on besides the content: templates, code, styles, translations.
CODE_DIRS = ("templates", "portal", "static", "locale", "hkai")


@memoize
def code_version():
    """A short hash of the files that shape pages, so a deploy never serves pages rendered
    by the previous code. Computed once per process from names, sizes and change times."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for top in CODE_DIRS:
        for path in sorted((base / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()[:12]


def request_state(request):
    """The content state for this request, read once however often it is asked for."""
    if not hasattr(request, "_content_state"):
        request._content_state = content_state()
    return request._content_state


def _day():
    """Today's date: detail pages say when the reader accessed them (their citation), so a
    page is rendered afresh, and given a new ETag, once a day."""
    return timezone.localdate().strftime("%Y%m%d")


def _address(request):
    """The page's address as the cache sees it: path (language prefix included) and the
    parameters pages read in a fixed order, or the raw query string if it has others."""
    query = canonical_query(request.GET)
    return f"{request.path}?{request.META.get('QUERY_STRING', '') if query is None else query}"


def _etag(request, state):
    """A validator for this address and language in this content state and day: two
    addresses never share one, so a conditional request can only be answered 304 for the
    very page whose 200 the client holds."""
    address = hashlib.sha256(f"{get_language()}|{_address(request)}".encode()).hexdigest()[:16]
    return quote_etag(f"{code_version()}-{state.key}-{_day()}-{address}")


def _max_age(state):
    left = state.seconds_left()
    return settings.PAGE_CACHE_MAX_AGE if left is None else min(settings.PAGE_CACHE_MAX_AGE, left)


def _cache_key(request, state):
    """The page's key, or None when the request is not to be stored (portal.caching.keys)."""
    if canonical_query(request.GET) is None:
        return None
    # The site's own origin, never the request's: links in the page are made from it.
    path = hashlib.sha256(f"{settings.SITE_URL}|{_address(request)}".encode()).hexdigest()[:32]
    return f"page:{code_version()}:{state.key}:{_day()}:{path}"


def _timeout(state):
    """How long the cache keeps a page: PAGE_CACHE_TIMEOUT, and never past the next
    scheduled publish time (the content key changes then anyway; this frees the room)."""
    left = state.seconds_left()
    return settings.PAGE_CACHE_TIMEOUT if left is None else min(left, settings.PAGE_CACHE_TIMEOUT)


def _public_headers(response, state, etag):
    if response.status_code >= 500:
        # A moment's refusal (a busy database, every export slot taken): not to be kept.
        patch_cache_control(response, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=_max_age(state))
    # Only a page's own answer carries its validator: a 404 (or any error) has none, so no
    # conditional request can turn it into a 304. A view that sends a file of its own
    # (portal.views.downloads) gives that file's validator, which is kept.
    if response.status_code in (200, 304) and not response.has_header("ETag"):
        response["ETag"] = etag
    patch_vary_headers(response, ("Cookie",))
    return response


def public_page(view):
    """Serve `view` through the page cache and HTTP validators (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
            return response
        state = request_state(request)
        etag = _etag(request, state)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return _public_headers(HttpResponseNotModified(), state, etag)
        key = _cache_key(request, state) if settings.PAGE_CACHE else None
        response = cache.get(key) if key else None
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                key
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                cache.set(key, response, _timeout(state))
        return _public_headers(response, state, etag)

    return wrapper
