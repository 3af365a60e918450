"""Full-text search over the portal's content, on the database's own text-search engine.

English words: PostgreSQL's stored, title-weighted `search_document` column (migration 0008)
matched against `websearch_to_tsquery` through its GIN index, ranked with `ts_rank` over the
stored `search_heading` (0010).
Chinese: each model's `search_cjk` column holds its Chinese text as two-character tokens
(portal.cjk); a Chinese search term must match all of its own pairs (a single character
matches as a prefix), through a second GIN index ('simple' configuration) on PostgreSQL and
an extra FTS5 column on SQLite. Mixed queries ("HKMA 沙盒") need both parts to match.
SQLite: an FTS5 table per model, kept in step with the content table by triggers; ranked
with `bm25`. PostgreSQL's columns and indexes come from migrations. SQLite's are
ensured after every `migrate` (see `ensure_sqlite_index`), because SQLite migrations that
alter a table rebuild it, and a rebuilt table has lost its triggers.

`search(queryset, text)` filters a queryset to the matching rows; `matches(model, text)` gives
every matching row and the relevance of those whose heading matches, for sorting and facet
counts (portal.listings).
Any text is safe to pass: it is never spliced into SQL.
"""

import heapq
import re
from contextlib import contextmanager

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from pyroaring import BitMap

from portal.cjk import bigrams, split_query_term
from portal.models import Article, Initiative, Organisation, Sector

SEARCHABLE_MODELS = (Article, Initiative, Organisation, Sector)
# The fields searched, most important first (their order sets the ranking weights).
SEARCH_FIELDS = {model: model.SEARCH_FIELDS for model in SEARCHABLE_MODELS}
CJK_FIELD = "search_cjk"
TEXT_SEARCH_CONFIG = "english"
# PostgreSQL's four weight classes, for the first, second, third and later fields.
WEIGHTS = ("A", "B", "C", "D")
# Ranking reads the first fields of SEARCH_FIELDS only (two languages of two fields): the
# same fields as PostgreSQL's stored `search_heading` (migration 0010).
HEADING_FIELDS = 4
# Longer input adds nothing to a search and only costs time.
MAX_QUERY_LENGTH = 200

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(text):
    """Return the words in `text` that a search looks for, in order."""
    return _WORD.findall((text or "")[:MAX_QUERY_LENGTH])


class ParsedQuery:
    """A search split into English-style words and Chinese tokens (pairs, and lone characters
    that match as prefixes)."""

    def __init__(self, text):
        self.words, self.pairs, self.prefixes = [], [], []
        for term in search_terms(text):
            words, runs = split_query_term(term)
            self.words += words
            for run in runs:
                (self.prefixes if len(run) == 1 else self.pairs).extend(bigrams(run))

    def __bool__(self):
        return bool(self.words or self.pairs or self.prefixes)


def _postgresql_parts(model, query):
    """[(match SQL, rank SQL, params)] for the English words and the Chinese tokens of `query`.

    Words match the stored, weighted `search_document` (migration 0008) and are ranked by the
    small stored `search_heading` (0010: titles or names, then summaries or short names), so
    ranking every match of a common word reads a few lexemes per row, not whole bodies.
    Chinese tokens use the 'simple' vector of `search_cjk`, written exactly as its GIN
    expression index (0007).
    """
    table = model._meta.db_table
    parts = []
    if query.words:
        document = f'"{table}"."search_document"'
        heading = f'"{table}"."search_heading"'
        tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
        parts.append(
            (
                f"{document} @@ {tsquery}",
                f"ts_rank({heading}, {tsquery})",
                [TEXT_SEARCH_CONFIG, " ".join(query.words)],
            )
        )
    if query.pairs or query.prefixes:
        # Tokens are CJK characters only (see portal.cjk), so quoting them is enough.
        raw = " & ".join(
            [f"'{pair}'" for pair in query.pairs] + [f"'{char}':*" for char in query.prefixes]
        )
        vector = f"to_tsvector('simple'::regconfig, COALESCE(\"{table}\".\"{CJK_FIELD}\", ''))"
        tsquery = "to_tsquery('simple'::regconfig, %s)"
        parts.append((f"{vector} @@ {tsquery}", f"ts_rank({vector}, {tsquery})", [raw]))
    return parts


def _postgresql_condition(model, query):
    """(SQL, params): the row matches every part of `query`."""
    parts = _postgresql_parts(model, query)
    return " AND ".join(m for m, _r, _p in parts), [p for _m, _r, ps in parts for p in ps]


def _postgresql_rank(model, query):
    """(SQL, params): the row's relevance, summed over the parts of `query`."""
    parts = _postgresql_parts(model, query)
    return " + ".join(r for _m, r, _p in parts), [p for _m, _r, ps in parts for p in ps]


def fts5_phrase(text):
    """`text` as an FTS5 phrase: quoted, any quote doubled."""
    return '"{}"'.format(text.replace('"', '""'))


def fts5_match_expression(query):
    """An FTS5 MATCH string requiring every word and Chinese token, each quoted as a phrase."""

    parts = [fts5_phrase(word) for word in query.words]
    parts += [f"{CJK_FIELD} : {fts5_phrase(pair)}" for pair in query.pairs]
    parts += [f"{CJK_FIELD} : {fts5_phrase(char)} *" for char in query.prefixes]
    return " AND ".join(parts)


def _sqlite_weights(model):
    # bm25 weights: earlier fields count more, like PostgreSQL's weight classes.
    columns = [*SEARCH_FIELDS[model], CJK_FIELD]
    return ", ".join(str(10.0 / (i // 2 + 1)) for i in range(len(columns)))


def _sqlite_index_statements(model):
    table = model._meta.db_table
    fields = [*SEARCH_FIELDS[model], CJK_FIELD]
    fts = f"{table}_fts"
    columns = ", ".join(fields)
    new_values = ", ".join(f"new.{f}" for f in fields)
    old_values = ", ".join(f"old.{f}" for f in fields)
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
    )
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new_values});"
    table_sql = (
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{table}', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    triggers = {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"{fts}_update": f"AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
    }
    return fts, fields, table_sql, triggers


def ensure_sqlite_index(connection):
    """Make every FTS5 table and trigger match SEARCH_FIELDS, rebuilding what was missing or
    out of date. Safe to run any number of times: when all is in place it only reads."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name for (name,) in cursor.fetchall()}
        for model in SEARCH_FIELDS:
            if model._meta.db_table not in existing:
                continue  # Migrations have not created this model's table yet.
            fts, fields, table_sql, triggers = _sqlite_index_statements(model)
            current_columns = []
            if fts in existing:
                cursor.execute(f"PRAGMA table_info({fts})")
                current_columns = [row[1] for row in cursor.fetchall()]
            if current_columns == fields and all(name in existing for name in triggers):
                continue
            # Missing or built for other columns: start again from the content table.
            for name in triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            cursor.execute(table_sql)
            for name, body in triggers.items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def ensure_index_after_migrate(using, **kwargs):
    """`post_migrate` receiver: keeps SQLite's full-text index complete (see module docs)."""
    from django.db import connections

    if connections[using].vendor == "sqlite":
        ensure_sqlite_index(connections[using])


def search(queryset, text):
    """The rows of `queryset` that match `text`, through the full-text index.

    Text with no searchable words (e.g. "%" or "!?") matches nothing.
    """
    query = ParsedQuery(text)
    if not query:
        return queryset.none()
    model = queryset.model
    if connection.vendor == "postgresql":
        sql, params = _postgresql_condition(model, query)
        return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))
    fts = f"{model._meta.db_table}_fts"
    matching = RawSQL(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (fts5_match_expression(query),)
    )
    return queryset.filter(pk__in=matching)


class Matches:
    """What a search found among one model's rows: `ids`, a BitMap of every match, and
    `scores`, {pk: relevance} of the matches whose heading (HEADING_FIELDS: titles or names,
    then summaries or short names) matches too. Other matches rank below them, at 0.

    Ranking by the heading alone is what PostgreSQL's `search_heading` always did; on
    SQLite it keeps a common word cheap. Scoring every match of a word in 99% of 100,000
    articles read every article's positions, body and all (about 140 ms of CPU); the
    heading matches are a quarter of those, and each is short.
    """

    def __init__(self, ids, scores):
        self.ids = ids
        self.scores = scores

    def __len__(self):
        return len(self.ids)

    def ranked(self, within=None, limit=None):
        """The ids of the matches in `within` (a BitMap; default: all), most relevant first,
        ties broken newest row first; only the first `limit` if given."""
        candidates = self.ids if within is None else self.ids & within
        scored = [pk for pk in self.scores if pk in candidates]
        key = self.scores.__getitem__

        def order(pk):
            return key(pk), pk

        if limit is None:
            best = sorted(scored, key=order, reverse=True)
        else:
            best = heapq.nlargest(limit, scored, key=order)
        wanted = len(candidates) if limit is None else min(limit, len(candidates))
        if len(best) >= wanted:
            return best[:wanted]
        # The rest have no heading match: newest first, read from the end of the bitmap.
        rest = candidates - BitMap(scored)
        more = wanted - len(best)
        return best + list(rest[len(rest) - more :])[::-1]


def matches(model, text):
    """The `Matches` of `text` among `model`'s rows, in SEARCH_STATEMENTS statements. Callers
    intersect the ids with what readers may see.

    The ids come back as one value (an array, or a comma-separated string), not a row per
    match. Ranks: the rows whose heading has any of the English words, through a heading
    index (PostgreSQL: a GIN index on `search_heading`, migration 0018; SQLite: the FTS5
    table with a column filter). Chinese tokens are indexed in one column of their own
    (search_cjk), so a query with them is ranked over all its matches, as before.
    """
    query = ParsedQuery(text)
    if not query:
        return Matches(BitMap(), {})
    if connection.vendor == "postgresql":
        return _postgresql_matches(model, query)
    return _sqlite_matches(model, query)


def _postgresql_matches(model, query):
    """On PostgreSQL the matches are found through the GIN index even when a word is in most
    rows: the planner's costs don't count reading each row's large vector, and a scan of
    the table that tests every row took a second at 100,000 articles; the index, a tenth."""
    table = model._meta.db_table
    condition, condition_params = _postgresql_condition(model, query)
    if query.pairs or query.prefixes:
        rank, rank_params = _postgresql_rank(model, query)
        ranks_sql = (
            f'SELECT array_agg(id), array_agg(rank) FROM (SELECT "{table}"."id" AS id,'
            f' {rank} AS rank FROM "{table}" WHERE {condition}) AS found WHERE rank > 0'
        )
        ranks_params = [*rank_params, *condition_params]
    else:
        heading = f'"{table}"."search_heading"'
        any_word = "websearch_to_tsquery(%s::regconfig, %s)"
        ranks_sql = (
            f'SELECT array_agg("{table}"."id"), array_agg(ts_rank({heading}, {any_word}))'
            f' FROM "{table}" WHERE {heading} @@ {any_word}'
        )
        words = " or ".join(query.words)
        ranks_params = [TEXT_SEARCH_CONFIG, words, TEXT_SEARCH_CONFIG, words]
    with connection.cursor() as cursor, index_scans(cursor):
        cursor.execute(
            f'SELECT array_agg("{table}"."id") FROM "{table}" WHERE {condition}', condition_params
        )
        (ids,) = cursor.fetchone()
        cursor.execute(ranks_sql, ranks_params)
        ranked_ids, ranks = cursor.fetchone()
    return Matches(BitMap(ids or ()), dict(zip(ranked_ids or (), ranks or (), strict=True)))


def _sqlite_matches(model, query):
    table = model._meta.db_table
    fts = f"{table}_fts"
    expression = fts5_match_expression(query)
    if query.pairs or query.prefixes:
        ranked_expression = expression
    else:
        headings = " ".join(SEARCH_FIELDS[model][:HEADING_FIELDS])
        any_word = " OR ".join(fts5_phrase(word) for word in query.words)
        ranked_expression = f"{{{headings}}} : ({any_word})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT group_concat(rowid) FROM {fts} WHERE {fts} MATCH %s", [expression])
        (joined,) = cursor.fetchone()
        ids = BitMap(map(int, joined.split(","))) if joined else BitMap()
        cursor.execute(
            f"SELECT rowid, -bm25({fts}, {_sqlite_weights(model)}) FROM {fts} WHERE {fts} MATCH %s",
            [ranked_expression],
        )
        return Matches(ids, dict(cursor.fetchall()))


# Statements one `matches` call runs, for query counts: the matches, then the ranks; on
# PostgreSQL between the two statements of index_scans.
SEARCH_STATEMENTS = {"postgresql": 4, "sqlite": 2}


@contextmanager
def index_scans(cursor):
    """On PostgreSQL, plan the statements run inside without whole-table scans where an index
    can serve (the setting is restored afterwards, even on an error); elsewhere, nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET enable_seqscan = off")
    try:
        yield
    finally:
        cursor.execute("RESET enable_seqscan")
