"""Fixture files uploaded to the admin's import page, waiting for the editor to confirm.

- `PendingImport`: one upload's files, kept in a private directory until the editor who
  uploaded them confirms or discards the import.
- `remove_stale_uploads()`: removes uploads older than PENDING_MAX_AGE.
"""

import datetime
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SESSION_KEY = "portal_pending_imports"
# Uploads nobody confirmed or discarded are removed when someone next uploads.
PENDING_MAX_AGE = datetime.timedelta(days=1)


def uploads_root():
    """Where uploads wait for confirmation: the system's temporary directory, never MEDIA,
    so nothing uploaded can be fetched over the web."""
    return Path(tempfile.gettempdir()) / "hkai-imports"


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
        """Save `uploads` to a new private directory and remember it in the session."""
        remove_stale_uploads()
        pending = cls(secrets.token_urlsafe(16), [upload.name for upload in uploads])
        uploads_root().mkdir(mode=0o700, parents=True, exist_ok=True)
        pending.directory.mkdir(mode=0o700)
        for upload, path in zip(uploads, pending.paths, strict=True):
            # Django has already streamed large uploads to disk; copying chunks keeps it so.
            with path.open("wb") as stored:
                for chunk in upload.chunks():
                    stored.write(chunk)
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
        shutil.rmtree(self.directory, ignore_errors=True)
        pending_imports = request.session.get(SESSION_KEY, {})
        pending_imports.pop(self.token, None)
        request.session[SESSION_KEY] = pending_imports


def remove_stale_uploads():
    """Remove every upload older than PENDING_MAX_AGE."""
    if not uploads_root().is_dir():
        return
    cutoff = time.time() - PENDING_MAX_AGE.total_seconds()
    for directory in uploads_root().iterdir():
        if directory.stat().st_mtime < cutoff:
            shutil.rmtree(directory, ignore_errors=True)
