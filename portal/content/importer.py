"""Validate fixture files, then write them in one transaction with bulk queries.

`import_files(paths)` reads every file twice, streaming: the first pass (`check`) checks every
record and every reference and raises `ContentImportError` listing all problems before anything
is written; the second pass (`write`) writes, model by model in dependency order, in batches.
Memory grows with the number of distinct natural keys, never with the size of the files.
"""

from pathlib import Path

from django.db import IntegrityError, OperationalError, transaction

from portal.changelog.recording import ImportSummaries
from portal.content.busy import DatabaseBusy, is_database_busy
from portal.content.check import (
    MAX_PROBLEMS_LISTED,
    ContentImportError,
    Problem,
    TooManyRecords,
    check_files,
)
from portal.content.permissions import PUBLISH_PERMISSION, publishing_problems
from portal.content.write import History, ImportReport, RecordOutcome, write_files

__all__ = [
    "ContentImportError",
    "ImportReport",
    "Problem",
    "RecordOutcome",
    "TooManyRecords",
    "import_files",
]


class _NoProgress:
    def start(self, stage, total=None):
        pass

    def advance(self, count):
        pass


def import_files(
    paths, *, dry_run=False, progress=None, max_records=None, user=None, names=None, note=None
):
    """Import fixture files; return an `ImportReport`.

    Raises `ContentImportError` (nothing written) if any record is invalid, `DatabaseBusy`
    (nothing written) if another writer kept the database locked for longer than it waits,
    and `TooManyRecords` as soon as the files hold more than `max_records`, if given.
    All writes happen in one transaction; with `dry_run` it is rolled back, so the report says
    what would happen. Each created or changed record gets its own revision in its history
    ("Imported from <file>", by `user` if given; `names` lists the files' names to show
    there, in the order of `paths`, where those differ) and a row in the public change log,
    which lists the import as one entry per record type with its change note (`note`,
    {language code: text}) and a link to its items.
    A `user` without the permission to publish may not publish, schedule or unpublish an
    article (`ContentImportError`, see portal.content.permissions).
    `progress`, if given, is told of each stage (`start("checking")`, then
    `start("writing", total)`) and of each batch of records done (`advance(n)`).
    """
    names = dict(zip((Path(p) for p in paths), names or (), strict=False))
    history = History(user, names, ImportSummaries(note))
    paths = [Path(path) for path in paths]
    progress = progress or _NoProgress()
    try:
        progress.start("checking")
        plan = check_files(paths, progress, max_records)
        if user is not None and not user.has_perm(PUBLISH_PERMISSION):
            if problems := publishing_problems(paths, Problem):
                raise ContentImportError(problems[:MAX_PROBLEMS_LISTED], len(problems))
        progress.start("writing", plan.records)
        report = ImportReport(repaired_fields=plan.repaired_fields, records=plan.records)
        with transaction.atomic():
            write_files(paths, plan, report, progress, history)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        # Validation should catch everything; the database's constraints are the backstop.
        problem = Problem(", ".join(map(str, paths)), f"the database refused the data: {error}")
        raise ContentImportError([problem], 1) from error
    except OperationalError as error:
        if is_database_busy(error):
            raise DatabaseBusy() from error
        raise
    return report
