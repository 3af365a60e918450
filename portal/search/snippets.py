"""Highlighted passages for the search results shown: where a row matched, with the matching
words in `<mark>`.

English words are highlighted by the database, which knows their stems ("banks" for
"bank"): FTS5's `snippet()` on SQLite, `ts_headline` on PostgreSQL. Both read whole bodies,
so they run only on the rows of the page shown (one query per list, by primary key), never on
every match. Chinese needs no query: the shown rows are already loaded, and a Chinese term is
found in their text as it is.

The database marks matches with two private-use characters; the passage is HTML-escaped and
only then are those turned into `<mark>` and `</mark>`, balanced whatever the text holds.
"""

import re

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.models import Article, languages
from portal.search.query import (
    CJK_FIELD,
    TEXT_SEARCH_CONFIG,
    ParsedQuery,
    english_tsquery_text,
    fts5_match_expression,
    search_fields,
)

START, STOP = "\ue000", "\ue001"
ELLIPSIS = "…"
# FTS5 counts tokens; ts_headline words. About two lines of a result.
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=2, "
    f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)
# Characters either side of a Chinese match.
CJK_CONTEXT = 40

# What reads as noise in a one-line passage: Markdown footnote marks, link targets,
# emphasis and heading marks, and bare addresses or their slug-like ends (footnotes give
# their sources as URLs; a passage that only matched inside one is no passage).
_FOOTNOTE = re.compile(r"\[\^[^\]\s]*\]:?")
_ADDRESS = re.compile(r"\S*(?:https?://|www\.|\.\w{2,}/)\S*|\S*(?:-[^\s-]+){4,}")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*#`]+|(?<!\w)_+|_+(?!\w)")


def text_fields(model):
    """The long-text fields a passage is taken from, most useful first: the page language's
    body (or description), then its summary, then the same in the other languages. Only
    searched fields: the passage shows where the row matched."""
    names = ("body", "summary") if model is Article else ("description", "summary")
    current = (get_language() or "en").replace("-", "_")
    columns = [c for name in names for c in languages(name) if c in search_fields(model)]
    return sorted(columns, key=lambda c: (not c.endswith(f"_{current}"), columns.index(c)))


def as_html(passage):
    """`passage` (with START/STOP marks) as safe HTML: escaped, Markdown noise removed, marks
    made `<mark>` elements, always balanced. None if nothing in it is marked."""
    passage = _LINK.sub(r"\1", _FOOTNOTE.sub("", passage))
    passage = _MARKUP.sub("", _ADDRESS.sub("", passage))
    if START not in passage:
        return None
    html, open_ = [], False
    for part in re.split(f"([{START}{STOP}])", passage):
        if part == START and not open_:
            html.append("<mark>")
            open_ = True
        elif part == STOP and open_:
            html.append("</mark>")
            open_ = False
        elif part not in (START, STOP):
            html.append(escape(part))
    if open_:
        html.append("</mark>")
    return mark_safe(" ".join("".join(html).split()))


def _sqlite_passages(model, query, ids, fields):
    table = model._meta.db_table
    fts = f"{table}_fts"
    columns = [*search_fields(model), CJK_FIELD]
    calls = ", ".join(
        f"snippet({fts}, {columns.index(field)}, %s, %s, %s, {SNIPPET_TOKENS})" for field in fields
    )
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"SELECT rowid, {calls} FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({placeholders})"
    params = [START, STOP, ELLIPSIS] * len(fields) + [fts5_match_expression(query), *ids]
    return sql, params


def _postgresql_passages(model, query, ids, fields):
    table = model._meta.db_table
    tsquery = "to_tsquery(%s::regconfig, %s)"
    calls = ", ".join(
        f"ts_headline(%s::regconfig, COALESCE(\"{field}\", ''), {tsquery}, %s)" for field in fields
    )
    sql = f'SELECT "id", {calls} FROM "{table}" WHERE "id" = ANY(%s::bigint[])'
    text = english_tsquery_text(query)
    one = [TEXT_SEARCH_CONFIG, TEXT_SEARCH_CONFIG, text, HEADLINE_OPTIONS]
    return sql, [*(one * len(fields)), list(ids)]


def _database_passages(model, query, ids):
    """{pk: safe HTML} for the rows `ids` whose English matches the database can mark, in one
    query; rows with nothing marked are left out."""
    fields = text_fields(model)
    build = _postgresql_passages if connection.vendor == "postgresql" else _sqlite_passages
    sql, params = build(model, query, ids, fields)
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, *passages in cursor.fetchall():
            for passage in passages:
                if html := as_html(passage or ""):
                    found[pk] = html
                    break
    return found


def _cjk_passage(row, runs, fields):
    """A passage of `row`'s text around the first of the Chinese `runs` it holds, each
    occurrence of any of them marked; None if its text holds none."""
    pattern = re.compile("|".join(re.escape(run) for run in sorted(runs, key=len, reverse=True)))
    for field in fields:
        text = getattr(row, field, "") or ""
        if match := pattern.search(text):
            start = max(0, match.start() - CJK_CONTEXT)
            end = min(len(text), match.end() + CJK_CONTEXT)
            window = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text[start:end])
            prefix = ELLIPSIS if start else ""
            suffix = ELLIPSIS if end < len(text) else ""
            return as_html(f"{prefix}{window}{suffix}")
    return None


def attach_snippets(rows, text, thesaurus=None):
    """Set `search_snippet` on each of `rows` (model instances of one model, as loaded for
    their cards): a highlighted passage of where it matched `text`, or None. At most one
    query, whatever the number of rows (none for a search in Chinese only)."""
    rows = list(rows)
    if not rows:
        return rows
    query = ParsedQuery(text, thesaurus)
    model = type(rows[0])
    found = {}
    if query and query.words:
        found = _database_passages(model, query, [row.pk for row in rows])
    runs = query.cjk_runs if query else []
    fields = text_fields(model)
    for row in rows:
        passage = found.get(row.pk)
        if passage is None and runs:
            passage = _cjk_passage(row, runs, fields)
        row.search_snippet = passage
    return rows
