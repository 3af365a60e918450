"""Full-text search over the portal's content, on the database's own text-search engine.

PostgreSQL: `to_tsvector('english', ...)` matched against `websearch_to_tsquery`, served by a
GIN expression index per model; ranked with `ts_rank` over title-weighted vectors.
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
from django.db.models import FloatField, Value
from django.db.models.expressions import RawSQL

from portal.models import Article, Initiative, Organisation, Sector

# The fields searched, most important first (their order sets the ranking weights).
SEARCH_FIELDS = {
    Article: ("title", "summary", "body"),
    Initiative: ("name", "short_name", "summary", "description"),
    Organisation: ("name", "short_name", "description"),
    Sector: ("name", "summary", "description"),
}
TEXT_SEARCH_CONFIG = "english"
# PostgreSQL's four weight classes, for the first, second, third and later fields.
WEIGHTS = ("A", "B", "C", "D")
# Longer input adds nothing to a search and only costs time.
MAX_QUERY_LENGTH = 200

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(text):
    """Return the words in `text` that a search looks for, in order."""
    return _WORD.findall((text or "")[:MAX_QUERY_LENGTH])


def index_vector(model):
    """The tsvector expression that PostgreSQL's GIN index is built on; queries must match it."""
    return SearchVector(*SEARCH_FIELDS[model], config=TEXT_SEARCH_CONFIG)


def _ranking_vector(model):
    fields = SEARCH_FIELDS[model]
    vectors = [
        SearchVector(name, config=TEXT_SEARCH_CONFIG, weight=WEIGHTS[min(i, 3)])
        for i, name in enumerate(fields)
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def _search_postgresql(queryset, text):
    query = SearchQuery(text, config=TEXT_SEARCH_CONFIG, search_type="websearch")
    return queryset.annotate(_search_document=index_vector(queryset.model)).filter(
        _search_document=query
    ).annotate(search_rank=SearchRank(_ranking_vector(queryset.model), query))


def fts5_match_expression(terms):
    """An FTS5 MATCH string that finds rows containing every term, each quoted as a phrase."""
    return " ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def _search_sqlite(queryset, terms):
    table = queryset.model._meta.db_table
    fts = f"{table}_fts"
    match = fts5_match_expression(terms)
    # bm25 weights: earlier fields count more, like the PostgreSQL weights above.
    weights = ", ".join(str(10.0 / (i + 1)) for i in range(len(SEARCH_FIELDS[queryset.model])))
    rank = RawSQL(
        f'SELECT -bm25({fts}, {weights}) FROM {fts} WHERE {fts} MATCH %s AND {fts}.rowid = "{table}"."id"',
        (match,),
        output_field=FloatField(),
    )
    matching = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (match,))
    return queryset.filter(pk__in=matching).annotate(search_rank=rank)


def _sqlite_index_statements(model):
    table = model._meta.db_table
    fields = SEARCH_FIELDS[model]
    fts = f"{table}_fts"
    columns = ", ".join(fields)
    new_values = ", ".join(f"new.{f}" for f in fields)
    old_values = ", ".join(f"old.{f}" for f in fields)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new_values});"
    table_sql = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, content='{table}', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    triggers = {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"{fts}_update": f"AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
    }
    return fts, table_sql, triggers


def ensure_sqlite_index(connection):
    """Create any missing FTS5 table or trigger; rebuild an index whose triggers were missing.

    Safe to run any number of times: when everything is in place it only reads the schema.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name for (name,) in cursor.fetchall()}
        for model in SEARCH_FIELDS:
            if model._meta.db_table not in existing:
                continue  # Migrations have not created this model's table yet.
            fts, table_sql, triggers = _sqlite_index_statements(model)
            missing = [name for name in [fts, *triggers] if name not in existing]
            if not missing:
                continue
            cursor.execute(table_sql)
            for name, body in triggers.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            # Rows may have changed while a trigger was missing: index them all afresh.
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
    terms = search_terms(text)
    if not terms:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, " ".join(terms))
    return _search_sqlite(queryset, terms)
