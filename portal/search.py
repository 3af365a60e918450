"""Full-text search over the portal's content, on the database's own text-search engine.

English words: PostgreSQL `to_tsvector('english', ...)` matched against `websearch_to_tsquery`,
served by a GIN expression index per model, ranked with `ts_rank` over title-weighted vectors.
Chinese: each model's `search_cjk` column holds its Chinese text as two-character tokens
(portal.cjk); a Chinese search term must match all of its own pairs (a single character
matches as a prefix), through a second GIN index ('simple' configuration) on PostgreSQL and
an extra FTS5 column on SQLite. Mixed queries ("HKMA 沙盒") need both parts to match.
SQLite: an FTS5 table per model, kept in step with the content table by triggers; ranked
with `bm25`. PostgreSQL's indexes come from migration `0002_full_text_search`. SQLite's are
ensured after every `migrate` (see `ensure_sqlite_index`), because SQLite migrations that
alter a table rebuild it, and a rebuilt table has lost its triggers.

`search(queryset, text)` is the one entry point: it returns the matching rows annotated with
`search_rank` (higher is better). Any text is safe to pass: it is never spliced into SQL.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, Q, Value
from django.db.models.expressions import RawSQL

from portal.cjk import bigrams, split_query_term
from portal.models import Article, Initiative, Organisation, Sector

SEARCHABLE_MODELS = (Article, Initiative, Organisation, Sector)
# The fields searched, most important first (their order sets the ranking weights).
SEARCH_FIELDS = {model: model.SEARCH_FIELDS for model in SEARCHABLE_MODELS}
CJK_FIELD = "search_cjk"
TEXT_SEARCH_CONFIG = "english"
# PostgreSQL's four weight classes, for the first, second, third and later fields.
WEIGHTS = ("A", "B", "C", "D")
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


def index_vector(model):
    """The tsvector expression that PostgreSQL's GIN index is built on; queries must match it."""
    return SearchVector(*SEARCH_FIELDS[model], config=TEXT_SEARCH_CONFIG)


def cjk_vector():
    """The tsvector over the Chinese tokens, matching the second GIN index."""
    return SearchVector(CJK_FIELD, config="simple")


def _ranking_vector(model):
    vectors = [
        SearchVector(name, config=TEXT_SEARCH_CONFIG, weight=WEIGHTS[min(i // 2, 3)])
        for i, name in enumerate(SEARCH_FIELDS[model])
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def _search_postgresql(queryset, query):
    model = queryset.model
    rank = Value(0.0, output_field=FloatField())
    condition = Q()
    if query.words:
        words = SearchQuery(
            " ".join(query.words), config=TEXT_SEARCH_CONFIG, search_type="websearch"
        )
        queryset = queryset.annotate(_search_document=index_vector(model))
        condition &= Q(_search_document=words)
        rank = rank + SearchRank(_ranking_vector(model), words)
    if query.pairs or query.prefixes:
        # Tokens are CJK characters only (see portal.cjk), so quoting them is enough.
        raw = " & ".join(
            [f"'{pair}'" for pair in query.pairs] + [f"'{char}':*" for char in query.prefixes]
        )
        chinese = SearchQuery(raw, config="simple", search_type="raw")
        queryset = queryset.annotate(_search_cjk=cjk_vector())
        condition &= Q(_search_cjk=chinese)
        rank = rank + SearchRank(cjk_vector(), chinese)
    return queryset.filter(condition).annotate(search_rank=rank)


def fts5_match_expression(query):
    """An FTS5 MATCH string requiring every word and Chinese token, each quoted as a phrase."""

    def quoted(text):
        return '"{}"'.format(text.replace('"', '""'))

    parts = [quoted(word) for word in query.words]
    parts += [f"{CJK_FIELD} : {quoted(pair)}" for pair in query.pairs]
    parts += [f"{CJK_FIELD} : {quoted(char)} *" for char in query.prefixes]
    return " AND ".join(parts)


def _search_sqlite(queryset, query):
    table = queryset.model._meta.db_table
    fts = f"{table}_fts"
    match = fts5_match_expression(query)
    # bm25 weights: earlier fields count more, like the PostgreSQL weights above.
    columns = [*SEARCH_FIELDS[queryset.model], CJK_FIELD]
    weights = ", ".join(str(10.0 / (i // 2 + 1)) for i in range(len(columns)))
    rank = RawSQL(
        f"SELECT -bm25({fts}, {weights}) FROM {fts} "
        f'WHERE {fts} MATCH %s AND {fts}.rowid = "{table}"."id"',
        (match,),
        output_field=FloatField(),
    )
    matching = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (match,))
    return queryset.filter(pk__in=matching).annotate(search_rank=rank)


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
    """Return the rows of `queryset` that match `text`, annotated with `search_rank`.

    Text with no searchable words (e.g. "%" or "!?") matches nothing, but is still annotated
    so that callers can sort by `search_rank` whatever the text.
    """
    query = ParsedQuery(text)
    if not query:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, query)
    return _search_sqlite(queryset, query)
