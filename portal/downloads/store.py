"""Built downloads on disk: one directory per content state, holding every whole file
(portal.downloads.files) in every language, made complete before it appears.

    DOWNLOADS_DIR/<version>/<language>/<path>      e.g. .../en/data/articles.csv

A version names what the files were made from: the content state's key (the database's
identity, the content generation, the newest visible publish date: portal.caching), the
code version and SITE_URL. A build writes into a hidden directory and renames it into place
(atomic on POSIX), so a reader finds either a whole version or none, and the files of one
version agree with each other (a data package and its CSVs, for a validator).

One builder at a time on a machine, whatever the process: `refresh()` holds an exclusive
lock on DOWNLOADS_DIR/.build.lock (released by the system if the process dies). After a build
it keeps the new version and the one before it (a reader may be halfway through one of its
files: an open file outlives its removal, a path does not), and removes the rest.
"""

import hashlib
import logging
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import locks
from django.db import connection, transaction
from django.utils import translation

from portal.caching.generation import content_state
from portal.caching.pages import code_version
from portal.downloads.files import WHOLE_FILES

logger = logging.getLogger("portal.downloads")

BUILDING_PREFIX = ".building-"
LOCK_NAME = ".build.lock"
# Builds in one refresh() before giving up on content that keeps changing under it (the
# next request that finds the files out of date starts another).
MAX_ROUNDS = 3
# Other databases' versions (a DOWNLOADS_DIR shared across databases) are removed when older.
FOREIGN_VERSION_AGE = 24 * 60 * 60


def root():
    return Path(settings.DOWNLOADS_DIR)


def version_name(state):
    """The directory name of the files built for `state` with this code and SITE_URL."""
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]
    return f"{state.key}.{code_version()}.{site}"


def _database(name):
    return name.split(".", 1)[0]


def _age_key(directory):
    """Newer content sorts later: by generation, then newest publish date, then build time."""
    parts = directory.name.split(".")
    try:
        generation, stamp = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        generation = stamp = -1
    try:
        built_at = directory.stat().st_mtime
    except FileNotFoundError:  # pruned by another process meanwhile
        built_at = 0
    return generation, stamp, built_at


def versions(state):
    """The built versions of `state`'s database, newest first."""
    database = _database(state.key)
    try:
        found = [
            entry
            for entry in root().iterdir()
            if entry.is_dir()
            and not entry.name.startswith(".")
            and _database(entry.name) == database
        ]
    except OSError:  # none built yet, or the directory unreadable: nothing to serve
        return []
    return sorted(found, key=_age_key, reverse=True)


@dataclass(frozen=True)
class Built:
    """A built file: `path` on disk, `version` its directory's name, `current` whether it
    was built for the content state asked about."""

    path: Path
    version: str
    current: bool


def find(whole, language, state):
    """The built file of `whole` (a WholeFile) in `language` for `state`, else the newest
    built for an earlier state of the same database (`current` False), else None."""
    name = version_name(state)
    current = root() / name / language / whole.path
    if current.is_file():
        return Built(current, name, True)
    for version in versions(state):
        older = version / language / whole.path
        if older.is_file():
            return Built(older, version.name, version.name == name)
    return None


def is_built(state):
    return (root() / version_name(state)).is_dir()


def _write(path, chunks):
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="": the CSV lines end in CRLF already, and must be written as they are.
    with open(path, "w", encoding="utf-8", newline="") as file:
        for chunk in chunks:
            file.write(chunk)


@contextmanager
def _consistent_reads():
    """On PostgreSQL, one REPEATABLE READ transaction, so that every file of a version is
    read from the same snapshot of the database. SQLite (and a caller's transaction) read
    as they are: `refresh` checks that the content state did not move during the build."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    else:
        yield


def build(state=None):
    """Build every whole file in every language for `state` (default: the current content
    state, read in the same snapshot as the files) and move them into place; return the
    version's directory. A version already built is left as it is."""
    with _consistent_reads():
        state = state or content_state()
        target = root() / version_name(state)
        if target.is_dir():
            return target
        building = root() / f"{BUILDING_PREFIX}{uuid.uuid4().hex}"
        try:
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    for whole in WHOLE_FILES.values():
                        _write(building / language / whole.path, whole.text(state))
            try:
                building.rename(target)
            except OSError:
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(building, ignore_errors=True)
    return target


@contextmanager
def builder_lock(blocking=True):
    """Hold the machine's one builder lock; yields whether it is held (never False when
    `blocking`)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / LOCK_NAME, "a+b") as file:
        flags = locks.LOCK_EX if blocking else locks.LOCK_EX | locks.LOCK_NB
        held = locks.lock(file, flags)
        try:
            yield held
        finally:
            if held:
                locks.unlock(file)


def refresh(blocking=True):
    """Make the files of the current content state exist, building them if need be (as
    the machine's one builder), then prune. Returns the current version's directory, or
    None when another builder holds the lock and `blocking` is False."""
    with builder_lock(blocking) as held:
        if not held:
            return None
        _remove_unfinished()
        for _round in range(MAX_ROUNDS):
            target = build()
            state = content_state()
            if is_built(state):
                break
            logger.info("Content changed while downloads were built; building again.")
        prune(state)
        return target


def _remove_unfinished():
    """Remove what builds that died left behind (only called by the lock's holder)."""
    for entry in root().glob(f"{BUILDING_PREFIX}*"):
        shutil.rmtree(entry, ignore_errors=True)


def prune(state):
    """Keep `state`'s database's two newest versions; remove its older ones, and other
    databases' versions older than a day."""
    keep = {version.name for version in versions(state)[:2]}
    database = _database(state.key)
    now = time.time()
    for entry in root().iterdir():
        if not entry.is_dir() or entry.name.startswith(".") or entry.name in keep:
            continue
        if _database(entry.name) == database or now - entry.stat().st_mtime > FOREIGN_VERSION_AGE:
            shutil.rmtree(entry, ignore_errors=True)


def remove_all():
    """Remove every built version (tests; or to start afresh)."""
    if root().is_dir():
        for entry in root().iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
