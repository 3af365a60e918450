"""Rebuilding downloads in the background, never in the request that finds them stale.

A request that finds no files built for the current content state (after an edit, an
import, a scheduled article's time, a deploy) calls `request_rebuild()` and goes on to serve
the newest files built before. That starts one daemon thread in this process, which becomes
the machine's builder if no other process is one (portal.downloads.store.refresh, without
waiting for the lock: a busy builder rebuilds until the files are current anyway).

Off with DOWNLOADS_BACKGROUND = False: then only `manage.py build_downloads` and
`import_content` build them (e.g. from cron, or a machine of its own).
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections

from portal.downloads import store

logger = logging.getLogger("portal.downloads")

# After a failed build, this process waits this long before trying again, so that a
# broken build (a full disk) is not restarted by every request.
RETRY_PAUSE_SECONDS = 60

_guard = threading.Lock()
_thread = None
_failed_at = None


def request_rebuild():
    """Start a background build unless one runs in this process, builds are off, or the
    last one failed less than RETRY_PAUSE_SECONDS ago. Returns the thread, or None."""
    global _thread
    if not settings.DOWNLOADS_BACKGROUND:
        return None
    with _guard:
        if _thread is not None and _thread.is_alive():
            return None
        if _failed_at is not None and time.monotonic() - _failed_at < RETRY_PAUSE_SECONDS:
            return None
        _thread = threading.Thread(target=_run, name="build-downloads", daemon=True)
        _thread.start()
        return _thread


def _run():
    global _failed_at
    try:
        started = time.monotonic()
        if store.refresh(blocking=False) is not None:
            logger.info("Downloads rebuilt in %.1f s.", time.monotonic() - started)
    except Exception:  # A build that fails must not take the worker with it; logged.
        _failed_at = time.monotonic()
        logger.exception("Building the downloads failed; serving the previous ones.")
    finally:
        # This thread's own database connections, not the request threads'.
        connections.close_all()
