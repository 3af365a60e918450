"""The site's own "not found" and "server error" pages (hkai.urls' handler404 and handler500),
with the header, search and language switch of every page, in the language of the address.

Neither is ever cached: a missing page may exist a moment later, and an error page must not
stand in for a page that works again. The 500 page is rendered without the database, which
may be what failed: no context processors run (some read the session or the user), and its
template, like base.html, runs no query.
"""

import logging
import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from portal.middleware import busy_response, is_database_busy

logger = logging.getLogger(__name__)

# If even the branded page cannot be rendered (a broken template, a missing translation
# catalogue), this is still better than the bare error a WSGI server gives.
PLAIN_SERVER_ERROR = (
    "<!doctype html><html lang=en><title>Server error</title>"
    "<h1>Server error</h1><p>Please try again in a few minutes.</p></html>"
)
# The words of a missing address worth searching for: /initiatives/inno-hk/ suggests "inno hk".
MAX_SUGGESTED_WORDS = 6


def suggested_search(path):
    """Words from the last part of `path` that may find what the reader looked for, or ""."""
    last = next((part for part in reversed(path.split("/")) if part), "")
    words = last.replace("-", " ").replace("_", " ").split()
    return " ".join(words[:MAX_SUGGESTED_WORDS])[:200]


def page_not_found(request, exception):
    """handler404: a 404 page that suggests a search and links to the main sections."""
    response = render(
        request, "404.html", {"suggested_query": suggested_search(request.path)}, status=404
    )
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: the busy answer (503) when the database was busy (see portal.middleware:
    e.g. a session saved by SessionMiddleware, which process_exception never sees), otherwise
    the branded 500 page, rendered without the database."""
    if is_database_busy(sys.exception()):
        return busy_response()
    try:
        # A plain context (no `request=`): context processors are not run.
        html = render_to_string("500.html", {"request": request})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        html = PLAIN_SERVER_ERROR
    response = HttpResponseServerError(html)
    add_never_cache_headers(response)
    return response
