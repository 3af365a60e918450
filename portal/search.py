"""Full-text search over the portal's content, on the database's own text-search engine.

PostgreSQL: `to_tsvector('english', ...)` matched against `websearch_to_tsquery`, served by a
GIN expression index per model; ranked with `ts_rank` over title-weighted vectors.
SQLite: an FTS5 table per model, kept in step with the content table by triggers; ranked
with `bm25`. Both indexes are created by migration `0002_full_text_search`, which repeats the
field lists below as a snapshot (migrations must not change when this module does).

`search(queryset, text)` is the one entry point: it returns the matching rows annotated with
`search_rank` (higher is better). Any text is safe to pass: it is never spliced into SQL.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField
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


def search(queryset, text):
    """Return the rows of `queryset` that match `text`, annotated with `search_rank`.

    Text with no searchable words matches nothing.
    """
    terms = search_terms(text)
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, " ".join(terms))
    return _search_sqlite(queryset, terms)
