"""Telling "the database is busy, try again" apart from every other database error.

A write that waits for another writer's lock longer than the database allows fails with an
`OperationalError` ("database is locked" on SQLite; a lock or statement timeout, a deadlock
or a serialization failure on PostgreSQL). Nothing is wrong with the data or the code, so
people get a message that says to try again, never a traceback.
"""

import sqlite3

from django.db import OperationalError

# PostgreSQL's codes for "another transaction was in the way":
# https://www.postgresql.org/docs/current/errcodes-appendix.html
BUSY_SQLSTATES = {
    "55P03",  # lock_not_available (lock_timeout, NOWAIT)
    "57014",  # query_canceled (statement_timeout)
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
}
# SQLite's primary result codes (the low byte of extended codes such as SQLITE_BUSY_SNAPSHOT).
BUSY_SQLITE_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class DatabaseBusy(Exception):
    """The database stayed locked by someone else for too long; nothing was written."""

    def __init__(self, message=None):
        self.message = message or (
            "The database is busy: another process is writing to it. Nothing was imported; "
            "try again in a minute, or once the other import has finished."
        )
        super().__init__(self.message)


def is_database_busy(error):
    """Whether `error` (a Django database error) means a lock wait ran out, not bad data."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if (sqlstate := getattr(cause, "sqlstate", None)) is not None:
        return sqlstate in BUSY_SQLSTATES
    if (code := getattr(cause, "sqlite_errorcode", None)) is not None:
        return code & 0xFF in BUSY_SQLITE_CODES
    return "database is locked" in str(error)
