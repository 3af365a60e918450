"""How many downloads may stream from the database at once on one machine.

A download streamed while it is sent (a filtered list's CSV, or a whole file not built
yet) keeps a worker busy for as long as it runs. Each holds one of LIVE_EXPORTS slots: lock
files under DOWNLOADS_DIR/.slots, locked with flock, so every worker process of the machine
shares the count and a worker that dies frees its slot with it. A request that finds every
slot taken is answered 503 with Retry-After (`busy_response`), and the other workers stay
free for pages.
"""

import logging

from django.conf import settings
from django.core.files import locks
from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.downloads.store import root

logger = logging.getLogger("portal.downloads")

RETRY_AFTER_SECONDS = 10


class Slot:
    """One held slot; `release()` frees it (also done by closing its file)."""

    def __init__(self, file):
        self._file = file

    def release(self):
        if not self._file.closed:
            locks.unlock(self._file)
            self._file.close()


class Unlimited:
    """What `take_slot` gives when the slots cannot be used at all."""

    def release(self):
        pass


def take_slot():
    """A free Slot, or None when all LIVE_EXPORTS are taken. A directory that cannot hold
    the lock files is logged and lets the export run: a misconfigured disk should not
    refuse every filtered download."""
    directory = root() / ".slots"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for number in range(settings.LIVE_EXPORTS):
            file = open(directory / f"{number}.lock", "a+b")  # noqa: SIM115 - held past here
            if locks.lock(file, locks.LOCK_EX | locks.LOCK_NB):
                return Slot(file)
            file.close()
    except OSError as error:
        logger.error("Live-export slots unusable in %s (%s); not limiting.", directory, error)
        return Unlimited()
    return None


class HeldWhileSent:
    """An iterable of a streamed response's chunks that holds `slot` until the response is
    closed (Django closes it once sent, or when the client goes away)."""

    def __init__(self, chunks, slot):
        self._chunks = iter(chunks)
        self._slot = slot

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._chunks)

    def close(self):
        try:
            if hasattr(self._chunks, "close"):
                self._chunks.close()
        finally:
            self._slot.release()


def busy_response():
    """503 with Retry-After, saying why and when to try again."""
    response = HttpResponse(
        _(
            "Too many downloads are being prepared at the moment. Please try again in "
            "%(seconds)s seconds."
        )
        % {"seconds": RETRY_AFTER_SECONDS}
        + "\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def limited(make_response):
    """`make_response()` (a streamed response) holding a slot while it is sent, or the
    503 when no slot is free. The slot is taken before any query runs."""
    slot = take_slot()
    if slot is None:
        return busy_response()
    try:
        response = make_response()
    except BaseException:
        slot.release()
        raise
    if not response.streaming:
        slot.release()
        return response
    response.streaming_content = HeldWhileSent(response.streaming_content, slot)
    return response
