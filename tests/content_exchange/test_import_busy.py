"""`import_content` while another process holds the database: a message to try again, never a
traceback, and nothing written."""

import io
import os
import sqlite3
import subprocess
import sys
from unittest import skipUnless

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from portal.models import Sector
from tests.content_files import valid_records, write_json

BUSY = "The database is busy: another process is writing to it. Nothing was imported"

# manage.py, with the database's busy timeout cut to a second whatever settings.py chooses,
# so the test waits one second for the lock rather than the real timeout.
CHILD = """
import sys
import django
from django.conf import settings
options = settings.DATABASES["default"].setdefault("OPTIONS", {})
options["timeout"] = 1
options["init_command"] = ";".join(
    filter(None, [options.get("init_command"), "PRAGMA busy_timeout = 1000"])
)
django.setup()
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "import_content", *sys.argv[1:]])
"""


class BusyTestCase(TestCase):
    @pytest.fixture(autouse=True)
    def _tmp_path(self, tmp_path):
        self.tmp = tmp_path


@skipUnless(connection.vendor == "sqlite", "SQLite's own locking")
class SQLiteBusyTests(BusyTestCase):
    def test_a_write_lock_held_elsewhere_gives_a_message_to_try_again(self):
        # Copy the test database's schema to a file of this test's own, which another
        # connection can lock and a child process can import into. Read through a connection
        # of its own: this test's connection is inside the test's transaction.
        database = self.tmp / "portal.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        with sqlite3.connect(database) as copy:
            source.backup(copy)
        copy.close()
        source.close()
        fixture = write_json(self.tmp, "valid.json", valid_records())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hkai.settings_test",
            "DATABASE_URL": f"sqlite:///{database}",
        }

        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # The write lock another import would hold.
        try:
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(fixture)],
                env=env,
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        self.assertEqual(child.returncode, 1, child.stderr)
        self.assertIn(f"CommandError: {BUSY}", child.stderr)
        self.assertNotIn("Traceback", child.stderr)
        with sqlite3.connect(database) as check:
            self.assertEqual(check.execute("SELECT COUNT(*) FROM portal_sector").fetchone(), (0,))
        check.close()


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's own locking")
class PostgreSQLBusyTests(BusyTestCase):
    def test_a_lock_held_elsewhere_gives_a_message_to_try_again(self):
        fixture = write_json(self.tmp, "valid.json", valid_records())
        with connection.cursor() as cursor:
            # For this test's transaction only: wait a tenth of a second, not for ever.
            cursor.execute("SET LOCAL lock_timeout = '100ms'")
        with psycopg.connect(**connection.get_connection_params()) as holder:
            holder.execute(f"LOCK TABLE {Sector._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            with self.assertRaisesMessage(CommandError, BUSY):
                call_command("import_content", str(fixture), stdout=io.StringIO())
            holder.rollback()
