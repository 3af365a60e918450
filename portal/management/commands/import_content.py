"""Load content fixtures: validated in full first, then written in one transaction.

    python manage.py import_content fixtures/*.json
    python manage.py import_content --dry-run new-initiatives.json

Records are matched by natural key (slug, or url for sources), so importing the same files
again changes nothing. The engine lives in `portal.content.importer`.
"""

import sys

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from tqdm import tqdm

from portal.content.busy import DatabaseBusy, is_database_busy
from portal.content.importer import ContentImportError, import_files
from portal.content.schema import SPECS
from portal.downloads import store as downloads
from portal.finders.query import warm_facet_indexes
from portal.search import query as search_query
from portal.search.warming import warm_searches


class TerminalProgress:
    """A progress bar per stage, only where a person is watching (logs get the summary alone)."""

    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self.bar = None

    def start(self, stage, total=None):
        self.close()
        if self.enabled:
            self.bar = tqdm(total=total, desc=stage.capitalize(), unit=" records", leave=False)

    def advance(self, count):
        if self.bar is not None:
            self.bar.update(count)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def refresh_planner_statistics():
    """Update the database's statistics on the portal's tables after a bulk write.

    Without them PostgreSQL plans a freshly imported 100,000 articles as if the tables were
    empty (seconds per page instead of milliseconds, until autovacuum gets round to them).
    SQLite's planner reads a sample (`analysis_limit`), which keeps this to well under a
    second.
    """
    tables = [model._meta.db_table for model in apps.get_app_config("portal").get_models()]
    tables += [
        field.remote_field.through._meta.db_table
        for model in apps.get_app_config("portal").get_models()
        for field in model._meta.local_many_to_many
    ]
    # The import's history, a revision and a version per item: the admin dashboard's "my
    # drafts" starts from a user's revisions, a plan PostgreSQL only finds with statistics
    # (seconds without them at 100,000 articles, milliseconds with).
    tables += [model._meta.db_table for model in apps.get_app_config("reversion").get_models()]
    if connection.vendor == "postgresql":
        # The articles' search vectors (a table of triggers, not a model): unvacuumed, the
        # first search of a common word after an import checked every fresh row's
        # transaction; unanalysed, the planner took a word in nearly every article for a
        # rare one.
        tables += search_query.postgresql_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # VACUUM also marks the freshly written pages all-visible, without which
            # PostgreSQL can't answer from an index alone (the visible ids for the facet
            # indexes read the table instead: seconds, not milliseconds). It can't run
            # inside a transaction, so under one (a test, a caller's atomic) only ANALYZE.
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = (
        "Import content fixtures (Django fixture JSON with natural keys). Every file is "
        "checked before anything is written; on any problem nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Fixture files to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and report what would change, without changing anything.",
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Import only into a database with no content yet; otherwise change nothing. "
            "`make run` uses this so that edits made in the admin survive a restart.",
        )
        parser.add_argument(
            "--note",
            default="",
            help="The change note the public change log shows for this import, in English "
            "(e.g. 'Statuses confirmed after the 2026-27 Budget').",
        )
        parser.add_argument(
            "--note-zh-hant", default="", help="The same change note in Traditional Chinese."
        )

    def handle(self, *args, files, dry_run, only_if_empty, note, note_zh_hant, **options):
        # Another writer holding the database longer than it waits is no fault of the files:
        # say so and that a retry will do, rather than show a traceback.
        try:
            self.run_import(files, dry_run, only_if_empty, {"en": note, "zh-hant": note_zh_hant})
        except DatabaseBusy as error:
            raise CommandError(error.message) from None
        except OperationalError as error:
            if not is_database_busy(error):
                raise
            raise CommandError(DatabaseBusy().message) from None

    def run_import(self, files, dry_run, only_if_empty, note):
        if only_if_empty and any(spec.model._default_manager.exists() for spec in SPECS):
            self.stdout.write(
                "The database already has content, so the files were not imported "
                "(run without --only-if-empty to update it from them)."
            )
            return
        progress = TerminalProgress()
        try:
            report = import_files(files, dry_run=dry_run, progress=progress, note=note)
        except ContentImportError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            if error.total > len(error.problems):
                self.stderr.write(f"  ... and {error.total - len(error.problems)} more")
            raise CommandError(f"{error}.") from None
        finally:
            progress.close()

        heading = "Dry run: nothing was written. Would import:" if dry_run else "Imported:"
        self.stdout.write(heading)
        width = max([len(row[0]) for row in report.rows()] + [5])
        for label, created, updated, unchanged in report.rows():
            self.stdout.write(
                f"  {label:<{width}}  {created} created, {updated} updated, {unchanged} unchanged"
            )
        self.stdout.write(f"Repaired text in {report.repaired_fields} field(s).")
        done = f"{report.records} record(s) from {len(files)} file(s)."
        self.stdout.write(self.style.SUCCESS(("Checked " if dry_run else "Done: ") + done))
        if not dry_run:
            refresh_planner_statistics()
            # So that the first reader after a large import doesn't wait for them (nor for
            # a common word's matches), nor is served the downloads of the content before it.
            warm_facet_indexes()
            warm_searches()
            try:
                downloads.refresh(blocking=True)
            except (OperationalError, OSError) as error:
                # The content is written: the site rebuilds the downloads by itself.
                self.stderr.write(
                    f"The downloads could not be built ({error}); the site rebuilds them "
                    "when they are next asked for, or run manage.py build_downloads."
                )
