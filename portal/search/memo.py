"""PostgreSQL: the articles' matches of a search that finds many, remembered in the database
and brought up to date from the rows written since (migration 0032).

Why: a finder counts and facets every match, so a search reads the id of every matching
article and the rank of every heading match. For a word in nearly every article that is
linear in the archive: 206 ms at 300,000 articles against 52 at 100,000 (in process). Here
such a result is read back as two compressed bitmaps and an array of ranks, and only the
search rows written since it was made are tested again: the cost follows the edits since,
not the size of the archive.

Why it stays right: every search row carries the id of the transaction that last wrote it
(`written_in`, set by the trigger that keeps the search table: 0019, 0032). A result is
stored with the oldest transaction its statement could not see (`written_before`: the xmin
of that statement's snapshot), so every row written since is at or after it and is tested
again on the next read: re-testing is always safe, a row seen already gives the same
answer. Rows deleted since are still among the ids; callers intersect the ids with the rows
readers may see (the facet indexes' universe), which deleted rows are not in.

What is kept: results of at least MIN_MATCHES matches (a smaller one costs less to read than
to remember), at most MAX_ROWS of them, the newest kept. A result with more than
MAX_CORRECTIONS rows written since it was made (after an import) is read afresh and
replaced; one brought up to date from more than REMEMBER_AGAIN is stored again as it now
is, so that later reads test only what is written after. Reading afresh is what happens
without a memo: the same statements (portal.search.query.SearchSQL).
"""

import hashlib
import json
import logging
from array import array
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction
from pyroaring import BitMap

logger = logging.getLogger(__name__)

MEMO_TABLE = "portal_search_memo"
# Results with fewer matches are read afresh each time (tens of milliseconds at most).
MIN_MATCHES = 5_000
# Rows written since a result was made that are tested again on reading it; past this
# many (an import), the result is read afresh and replaced.
MAX_CORRECTIONS = 2_000
# A result brought up to date from more rows than this is stored again as it now is.
REMEMBER_AGAIN = 200
# Results kept, the most recently made first: searches that find this many are few (the
# archive's common words and their combinations), each about half a MB at 300,000 articles.
MAX_ROWS = 100
# Ranks are stored as the floats Python read them as (64 bits): stored and read back, a
# rank is the same number.
RANK_TYPECODE = "d"


def key_of(search_sql):
    """The memo's key for the statements of one search: their SQL and parameters. Case is
    folded: PostgreSQL folds it in every tsquery, so "Hong" and "hong" share a result."""
    parts = [search_sql.ids(), search_sql.ranks()]
    text = json.dumps([[sql, [str(p).lower() for p in params]] for sql, params in parts])
    return hashlib.sha256(text.encode()).hexdigest()


def read(cursor, search_sql, text):
    """(BitMap of every matching id, {id: rank} of the ranked ones) for `search_sql` over
    the articles' search table: remembered and brought up to date, or read afresh (and then
    remembered, if it found MIN_MATCHES or more). `text` is the search as the reader typed
    it, kept for warming (portal.search.warming).

    Statements: two, as reading afresh (the memo is looked up in the statement that reads
    the ids when there is none); a result remembered (again), one more; one out of date,
    three more."""
    key = key_of(search_sql)
    ids_sql, ids_params = search_sql.ids()
    cursor.execute(
        "SELECT memo.written_before, memo.ids, memo.ranked_ids, memo.ranks,"
        " pg_snapshot_xmin(pg_current_snapshot()),"
        f" CASE WHEN memo.key IS NULL THEN ({ids_sql}) END"
        f" FROM (SELECT %s::text AS key) AS wanted LEFT JOIN {MEMO_TABLE} AS memo"
        " ON memo.key = wanted.key",
        [*ids_params, key],
    )
    written_before, stored_ids, ranked_ids, ranks, horizon, ids = cursor.fetchone()
    if stored_ids is not None:
        rows_sql, rows_params = search_sql.rows("written_in >= %s LIMIT %s")
        cursor.execute(
            f"SELECT written.*, pg_snapshot_xmin(pg_current_snapshot()) FROM ({rows_sql})"
            " AS written",
            [*rows_params, written_before, MAX_CORRECTIONS + 1],
        )
        written = cursor.fetchall()
        if len(written) <= MAX_CORRECTIONS:
            ids, scores = _corrected(stored_ids, ranked_ids, ranks, written)
            if len(written) > REMEMBER_AGAIN and _later(written[0][-1], written_before):
                # Up to date as of this statement's horizon: kept so, later reads test
                # only what is written after it.
                _remember(cursor, key, text, written[0][-1], ids, scores)
            return ids, scores
        # Too much has changed: read afresh, with this statement's horizon.
        cursor.execute(f"SELECT ({ids_sql}), pg_snapshot_xmin(pg_current_snapshot())", ids_params)
        ids, horizon = cursor.fetchone()
    found = BitMap(ids or ())
    scores = search_sql.read_ranks(cursor)
    if len(found) >= MIN_MATCHES and _later(horizon, written_before):
        _remember(cursor, key, text, horizon, found, scores)
    return found, scores


def _later(horizon, written_before):
    """Whether a result read at `horizon` would test fewer rows again than the one stored
    (None: none is). Not while a long transaction (an import) holds the horizon back:
    storing would cost a write on every read and save nothing."""
    return written_before is None or int(horizon) > int(written_before)


def _corrected(stored_ids, ranked_ids, ranks, written):
    """The stored result with the rows written since tested again: [(id, matches, rank or
    None, horizon)]."""
    ids = BitMap.deserialize(bytes(stored_ids))
    values = array(RANK_TYPECODE)
    values.frombytes(bytes(ranks))
    scores = dict(zip(BitMap.deserialize(bytes(ranked_ids)), values, strict=True))
    for pk, matches, rank, _horizon in written:
        ids.discard(pk)
        scores.pop(pk, None)
        if matches:
            ids.add(pk)
        if rank:  # Neither NULL (not ranked) nor 0.
            scores[pk] = rank
    return ids, scores


def _remember(cursor, key, text, horizon, ids, scores):
    """Store one result (and drop the oldest past MAX_ROWS), in one statement. A failure is
    logged, not raised: the reader has the result either way."""
    stored = BitMap(ids)
    stored.run_optimize()
    ranked = sorted(scores.items())
    ranked_ids = BitMap(pk for pk, _rank in ranked)
    ranked_ids.run_optimize()
    ranks = array(RANK_TYPECODE, (rank for _pk, rank in ranked)).tobytes()
    # Inside a transaction (a test's, or a request's), a savepoint, so that a failure leaves
    # it usable; outside one, the statement is a transaction of its own.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            cursor.execute(
                f"WITH saved AS (INSERT INTO {MEMO_TABLE}"
                " (key, query, written_before, ids, ranked_ids, ranks)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET"
                " query = EXCLUDED.query, written_before = EXCLUDED.written_before,"
                " ids = EXCLUDED.ids, ranked_ids = EXCLUDED.ranked_ids,"
                " ranks = EXCLUDED.ranks, made_at = clock_timestamp() RETURNING key)"
                f" DELETE FROM {MEMO_TABLE} WHERE key NOT IN (SELECT key FROM saved)"
                f" AND key IN (SELECT key FROM {MEMO_TABLE} ORDER BY made_at DESC, key"
                " OFFSET %s)",
                [
                    key,
                    text,
                    horizon,
                    stored.serialize(),
                    ranked_ids.serialize(),
                    ranks,
                    MAX_ROWS - 1,
                ],
            )
    except DatabaseError:
        logger.warning("A search's result could not be remembered", exc_info=True)


def remembered_searches():
    """The searches (as typed) whose results are remembered, the most recent first."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT query FROM {MEMO_TABLE} ORDER BY made_at DESC, key")
        return [query for (query,) in cursor.fetchall()]
