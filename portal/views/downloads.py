"""Serving whole files (portal.downloads): from disk when built, streamed when not.

A built file is sent as it lies on disk (`FileResponse`: Content-Length, and the server's
sendfile where it has one), with an ETag and Last-Modified of that very file, so a
conditional request is answered 304 without reading it, and with no query but the content
state's. A file built for an earlier content state is served as it is (marked to be
revalidated: `max-age=0`) while a background thread builds the current one
(portal.downloads.rebuild). Only when no version was ever built is the file streamed from
the database, holding one of the machine's few live-export slots (portal.downloads.limits),
so at most LIVE_EXPORTS workers are ever busy with it; the rebuild makes it a file for
every later request.
"""

import hashlib

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from portal.caching.pages import request_state
from portal.downloads import store
from portal.downloads.limits import limited
from portal.downloads.rebuild import request_rebuild


def _disposition(response, whole):
    if whole.filename:
        response["Content-Disposition"] = f'attachment; filename="{whole.filename}"'
    elif "Content-Disposition" in response:
        del response["Content-Disposition"]
    return response


def _file_response(request, whole, built):
    stat = built.path.stat()
    identity = f"{built.version}|{get_language()}|{whole.path}"
    etag = quote_etag(hashlib.sha256(identity.encode()).hexdigest()[:32])
    last_modified = int(stat.st_mtime)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(built.path.open("rb"), content_type=whole.content_type)
        _disposition(response, whole)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if not built.current:
        # The current version is being built: caches must ask again before reusing this.
        patch_cache_control(response, max_age=0, must_revalidate=True)
    return response


def whole_file_response(request, whole):
    """The response for `whole` (a WholeFile) in the request's language."""
    state = request_state(request)
    language = get_language()
    built = store.find(whole, language, state)
    if built is None or not built.current:
        request_rebuild()
    if built is not None:
        try:
            return _file_response(request, whole, built)
        except FileNotFoundError:
            # Pruned between finding and opening it: a newer version exists by now.
            built = store.find(whole, language, state)
            if built is not None:
                return _file_response(request, whole, built)

    def stream():
        response = StreamingHttpResponse(whole.text(state), content_type=whole.content_type)
        return _disposition(response, whole)

    return limited(stream)
