"""Fixture files uploaded to the admin's import page, and the limits on them.

- `PendingImport`: one upload's files, kept in a private directory until the editor who
  uploaded them confirms or discards the import.
- `remove_stale_uploads()`: removes uploads older than PENDING_MAX_AGE, whatever left them
  behind (nobody confirmed, or the request died in a crash or a server timeout).
- `with_upload_limit(view)`: stops reading an upload once its files pass
  settings.IMPORT_MAX_UPLOAD_MB; `upload_too_large(request)` then says so.
"""

import datetime
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect

SESSION_KEY = "portal_pending_imports"
# Uploads nobody confirmed or discarded are removed when someone next opens the import page.
PENDING_MAX_AGE = datetime.timedelta(days=1)


def uploads_root():
    """Where uploads wait for confirmation: the system's temporary directory, never MEDIA,
    so nothing uploaded can be fetched over the web."""
    return Path(tempfile.gettempdir()) / "hkai-imports"


def max_upload_bytes():
    """The most an upload's files may hold together, from settings.IMPORT_MAX_UPLOAD_MB."""
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


@dataclass
class PendingImport:
    """Uploaded files waiting for confirmation, owned by one editor's session.

    The files are stored as 001.json, 002.json, ... in a directory named after a random
    token; only the session that uploaded them knows the token's original file names.
    """

    token: str
    names: list

    @property
    def directory(self):
        return uploads_root() / self.token

    @property
    def paths(self):
        return [self.directory / f"{number:03d}.json" for number in range(1, len(self.names) + 1)]

    @classmethod
    def create(cls, request, uploads):
        """Save `uploads` to a new private directory and remember it in the session.

        If saving fails part way, nothing of it stays on disk.
        """
        pending = cls(secrets.token_urlsafe(16), [upload.name for upload in uploads])
        uploads_root().mkdir(mode=0o700, parents=True, exist_ok=True)
        pending.directory.mkdir(mode=0o700)
        try:
            for upload, path in zip(uploads, pending.paths, strict=True):
                # Django has already streamed large uploads to disk; copying chunks keeps it so.
                with path.open("wb") as stored:
                    for chunk in upload.chunks():
                        stored.write(chunk)
        except BaseException:
            shutil.rmtree(pending.directory, ignore_errors=True)
            raise
        pending_imports = {
            token: entry
            for token, entry in request.session.get(SESSION_KEY, {}).items()
            if (uploads_root() / token).is_dir()  # Forget uploads since removed as stale.
        }
        pending_imports[pending.token] = {"user": request.user.pk, "names": pending.names}
        request.session[SESSION_KEY] = pending_imports
        return pending

    @classmethod
    def find(cls, request, token):
        """Return this session's upload `token`, or None (unknown, another's, or gone)."""
        entry = request.session.get(SESSION_KEY, {}).get(token)
        if not entry or entry["user"] != request.user.pk:
            return None
        pending = cls(token, entry["names"])
        return pending if pending.directory.is_dir() else None

    def discard(self, request):
        """Remove the files and forget the upload; safe to call more than once."""
        shutil.rmtree(self.directory, ignore_errors=True)
        pending_imports = request.session.get(SESSION_KEY, {})
        pending_imports.pop(self.token, None)
        request.session[SESSION_KEY] = pending_imports


def remove_stale_uploads(now=None):
    """Remove every upload older than PENDING_MAX_AGE; return how many were removed.

    Uploads are removed as soon as their import ends, however it ends; what is left here
    was cut off mid-request (a server timeout kills a worker before any cleanup can run)
    or never confirmed.
    """
    root = uploads_root()
    if not root.is_dir():
        return 0
    cutoff = (now or time.time()) - PENDING_MAX_AGE.total_seconds()
    removed = 0
    for directory in root.iterdir():
        try:
            stale = directory.stat().st_mtime < cutoff
        except FileNotFoundError:  # Removed meanwhile, e.g. by another worker.
            continue
        if stale:
            shutil.rmtree(directory, ignore_errors=True)
            removed += 1
    return removed


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload once its files together pass `max_upload_bytes()`.

    The rest of the request is read and thrown away rather than cut off, so the browser
    gets the page that explains the limit instead of a connection reset.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # The handlers after this one store the file.


def with_upload_limit(view):
    """`view`, with `UploadLimitHandler` first among the request's upload handlers.

    Handlers must be in place before anything reads the request body, and CSRF protection
    reads it: so the view is exempt from the middleware's check and checks the token itself,
    just after, as Django's docs show:
    https://docs.djangoproject.com/en/stable/topics/http/file-uploads/#modifying-upload-handlers-on-the-fly
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def limited(request, *args, **kwargs):
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        return protected(request, *args, **kwargs)

    return limited


def upload_too_large(request):
    """Whether the request's files passed the limit, so that reading them stopped.

    Only known once the body has been read (by `request.POST` or `request.FILES`).
    """
    return any(
        isinstance(handler, UploadLimitHandler) and handler.exceeded
        for handler in request.upload_handlers
    )
