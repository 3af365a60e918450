"""Full-text search over the portal's content, on the database's own text-search engine.

English words: PostgreSQL's stored, title-weighted `search_document` column (migration 0008)
matched against `websearch_to_tsquery` through its GIN index, ranked with `ts_rank` over the
stored `search_heading` (0010).
Chinese: each model's `search_cjk` column holds its Chinese text as two-character tokens
(portal.records.cjk); a Chinese search term must match all of its own pairs (a single character
matches as a prefix), through a second GIN index ('simple' configuration) on PostgreSQL and
an extra FTS5 column on SQLite. Mixed queries ("HKMA 沙盒") need both parts to match.
SQLite: an FTS5 table per model, kept in step with the content table by triggers; ranked
with `bm25` over the heading's columns. PostgreSQL's columns and indexes come from
migrations. SQLite's are ensured after every `migrate` (see `ensure_sqlite_index`), because
SQLite migrations that alter a table rebuild it, and a rebuilt table has lost its triggers.

Each term of a search also matches its equivalents (portal.search.synonyms: abbreviations, and the
records' own names): "LLM" is `("llm" OR "large language model" OR ...)` in FTS5 and
`'llm' | 'larg' <-> 'languag' <-> 'model'` in PostgreSQL.

`search(queryset, text)` filters a queryset to the matching rows; `matches(model, text)` gives
every matching row and the relevance of those whose heading matches, for sorting and facet
counts (portal.finders.listings); `snippets(model, text, ids)` the highlighted passages of a page's
rows. On PostgreSQL the articles' matches of a search that finds many are remembered
(portal.search.memo).
Any text is safe to pass: it is never spliced into SQL (words are letters and digits, quoted).
"""

import heapq
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from pyroaring import BitMap

from portal.models import Article
from portal.records.cjk import bigrams, split_query_term
from portal.records.description import SEARCH
from portal.records.registry import public_records
from portal.search import memo
from portal.search.synonyms import REVIEWED_ONLY
from portal.search.words import STOPWORDS, forms, root


def searched_models():
    """The models of the record types that declare SEARCH, in navigation order."""
    return [record.model for record in public_records(SEARCH)]


def search_fields(model):
    """`model`'s searched columns, most important first (their order sets the weights)."""
    return model.public.search_fields


CJK_FIELD = "search_cjk"
# PostgreSQL: the articles' narrow table of search vectors (migration 0019). Not a Django
# model, so whatever works through the models' tables (refreshing the planner's statistics
# after an import) names it from here: `postgresql_tables()`.
ARTICLE_SEARCH_TABLE = "portal_article_search"
TEXT_SEARCH_CONFIG = "english"
# PostgreSQL's four weight classes, for the first, second, third and later fields.
WEIGHTS = ("A", "B", "C", "D")
# Ranking reads the first searched fields only (two languages of two fields): the
# same fields as PostgreSQL's stored `search_heading` (migration 0010).
HEADING_FIELDS = 4
# Longer input adds nothing to a search and only costs time.
MAX_QUERY_LENGTH = 200

_WORD = re.compile(r"\w+", re.UNICODE)


def postgresql_tables():
    """The tables search reads on PostgreSQL that are not a model's own."""
    return [ARTICLE_SEARCH_TABLE]


def id_bitmap(ids):
    """A BitMap of ids given as a list, or as one comma-separated string (None for none)."""
    if not ids:
        return BitMap()
    if isinstance(ids, str):
        # JSON's parser reads a list of integers a third faster than int() on each piece.
        return BitMap(json.loads(f"[{ids}]"))
    return BitMap(ids)


def search_terms(text):
    """Return the words in `text` that a search looks for, in order."""
    return _WORD.findall((text or "")[:MAX_QUERY_LENGTH])


@dataclass(frozen=True)
class Alternative:
    """One way a term may match: English-style words (a phrase when `exact`, else all of
    them in any order), and Chinese tokens: pairs, and lone characters matched as prefixes."""

    words: tuple
    runs: tuple
    pairs: tuple
    prefixes: tuple
    exact: bool

    @classmethod
    def parse(cls, text, exact):
        words, all_runs, pairs, prefixes = [], [], [], []
        for term in search_terms(text):
            term_words, runs = split_query_term(term)
            words += term_words
            all_runs += runs
            for run in runs:
                (prefixes if len(run) == 1 else pairs).extend(bigrams(run))
        return cls(
            tuple(words), tuple(all_runs), tuple(pairs), tuple(prefixes), exact and len(words) > 1
        )

    def __bool__(self):
        return bool(self.words or self.pairs or self.prefixes)


class ParsedQuery:
    """A search as terms that must all match, each a list of Alternatives: what the reader
    typed, and the equivalent names a Thesaurus knows (portal.search.synonyms)."""

    def __init__(self, text, thesaurus=None):
        thesaurus = thesaurus or REVIEWED_ONLY
        self.terms = []
        expanded = thesaurus.expand((text or "")[:MAX_QUERY_LENGTH])
        # "when was the DPO established": the function words are not what is sought (unless
        # they are all there is).
        sought = [terms for terms in expanded if terms[0][0].lower() not in STOPWORDS]
        for alternatives in sought or expanded:
            parsed = [Alternative.parse(phrase, exact) for phrase, exact in alternatives]
            if parsed := [alternative for alternative in parsed if alternative]:
                self.terms.append(parsed)

    def __bool__(self):
        return bool(self.terms)

    @property
    def words(self):
        """Every English-style word of every alternative (for highlighting)."""
        return [word for term in self.terms for alt in term for word in alt.words]

    @property
    def cjk_runs(self):
        """The reader's own Chinese text and its equivalents' (for highlighting)."""
        return [run for term in self.terms for alt in term for run in alt.runs]


def _quoted_lexemes(alternative):
    """An Alternative's English words as to_tsquery text (None if it has none). Each word is
    \\w+ (search_terms), so quoting it cannot break out of the quotes."""
    if not alternative.words:
        return None
    joiner = " <-> " if alternative.exact else " & "
    return joiner.join(f"'{word}'" for word in alternative.words)


def _cjk_lexemes(alternative):
    """An Alternative's Chinese tokens as to_tsquery text (None if it has none). Tokens are
    CJK characters only (see portal.records.cjk), so quoting them is enough."""
    tokens = [f"'{pair}'" for pair in alternative.pairs]
    tokens += [f"'{char}':*" for char in alternative.prefixes]
    return " & ".join(tokens) or None


def _any_of(texts):
    texts = [t for t in texts if t]
    if len(texts) == 1:
        return texts[0]
    return " | ".join(f"({t})" for t in texts)


@dataclass(frozen=True)
class Vectors:
    """Where PostgreSQL finds one model's search vectors: SQL for the table, its id, and its
    weighted document, heading and Chinese vectors."""

    table: str
    id: str
    document: str
    heading: str
    cjk: str

    @classmethod
    def of(cls, model):
        """The model's own columns (migrations 0007, 0008, 0010)."""
        table = f'"{model._meta.db_table}"'
        return cls(
            table=table,
            id=f'{table}."id"',
            document=f'{table}."search_document"',
            heading=f'{table}."search_heading"',
            cjk=f"to_tsvector('simple'::regconfig, COALESCE({table}.\"{CJK_FIELD}\", ''))",
        )

    @classmethod
    def for_matches(cls, model):
        """Where `matches` reads them: for the articles, the narrow table of their vectors
        (migration 0019, about half the pages to visit for a common word), else the
        model's own columns."""
        if model is not Article:
            return cls.of(model)
        table = f'"{ARTICLE_SEARCH_TABLE}"'
        return cls(
            table,
            f'{table}."article_id"',
            f'{table}."document"',
            f'{table}."heading"',
            f'{table}."cjk"',
        )


def _postgresql_parts(vectors, query):
    """[(match SQL, rank SQL, params)] whose matches must all hold for a row to match `query`.

    Terms whose alternatives are all English words go into one tsquery matched against the
    stored, weighted `search_document` (migration 0008) and ranked by the small stored
    `search_heading` (0010: titles or names, then summaries or short names), so ranking
    every match of a common word reads a few lexemes per row, not whole bodies. Terms all
    in Chinese go into one tsquery on the 'simple' vector of `search_cjk`, written exactly
    as its GIN expression index (0007). A term with alternatives in both ("AI" or
    "人工智能") is one condition of its own, either index serving each side. `vectors`
    names where these are read (a model's own columns, or the articles' search table).
    """
    document, heading, vector = vectors.document, vectors.heading, vectors.cjk
    english = "to_tsquery(%s::regconfig, %s)"
    chinese = "to_tsquery('simple'::regconfig, %s)"
    english_terms, chinese_terms, parts = [], [], []
    for term in query.terms:
        lexemes = [(_quoted_lexemes(a), _cjk_lexemes(a)) for a in term]
        if all(cjk is None for _w, cjk in lexemes):
            english_terms.append(_any_of(w for w, _c in lexemes))
        elif all(words is None for words, _c in lexemes):
            chinese_terms.append(_any_of(c for _w, c in lexemes))
        else:
            parts.append(_mixed_part(lexemes, document, heading, vector, english, chinese))
    if english_terms:
        text = " & ".join(f"({t})" for t in english_terms)
        parts.insert(
            0,
            (
                f"{document} @@ {english}",
                f"ts_rank({heading}, {english})",
                [TEXT_SEARCH_CONFIG, text],
                [TEXT_SEARCH_CONFIG, text],
            ),
        )
    if chinese_terms:
        text = " & ".join(f"({t})" for t in chinese_terms)
        parts.append((f"{vector} @@ {chinese}", f"ts_rank({vector}, {chinese})", [text], [text]))
    return parts


def _mixed_part(lexemes, document, heading, vector, english, chinese):
    """(match SQL, rank SQL, match params, rank params) for a term with alternatives in
    English and Chinese: the English ones in one tsquery, the Chinese ones in another, an
    alternative with both as a pair of conditions. Ranked as what the reader typed is ranked
    (its first alternative): English by the stored heading, Chinese by the `search_cjk`
    vector. So "AI", which also matches 人工智能, costs no more to rank than before: the
    Chinese vector of every match is not built."""
    words_only = _any_of(w for w, c in lexemes if c is None)
    cjk_only = _any_of(c for w, c in lexemes if w is None)
    matches, params = [], []
    if words_only:
        matches.append(f"{document} @@ {english}")
        params += [TEXT_SEARCH_CONFIG, words_only]
    if cjk_only:
        matches.append(f"{vector} @@ {chinese}")
        params.append(cjk_only)
    for words, cjk in lexemes:
        if words and cjk:
            matches.append(f"({document} @@ {english} AND {vector} @@ {chinese})")
            params += [TEXT_SEARCH_CONFIG, words, cjk]
    if lexemes[0][0] is not None:
        rank = (
            f"ts_rank({heading}, {english})",
            [TEXT_SEARCH_CONFIG, _any_of(w for w, _c in lexemes)],
        )
    else:
        rank = (f"ts_rank({vector}, {chinese})", [_any_of(c for _w, c in lexemes)])
    return ("(" + " OR ".join(matches) + ")", rank[0], params, rank[1])


def english_tsquery_text(query):
    """to_tsquery text (english configuration) for every English alternative of `query`,
    any of them: what PostgreSQL's ts_headline highlights. None if there are none."""
    return _any_of(_quoted_lexemes(a) for term in query.terms for a in term)


def _postgresql_condition(vectors, query):
    """(SQL, params): the row matches every part of `query`."""
    parts = _postgresql_parts(vectors, query)
    return " AND ".join(p[0] for p in parts), [x for p in parts for x in p[2]]


def _postgresql_rank(vectors, query):
    """(SQL, params): the row's relevance, summed over the parts of `query`."""
    parts = _postgresql_parts(vectors, query)
    return " + ".join(p[1] for p in parts), [x for p in parts for x in p[3]]


def _fts5_quoted(text):
    return '"{}"'.format(text.replace('"', '""'))


def _fts5_word(word):
    """An FTS5 query for the words `word` matches (portal.search.words): itself, its root as
    a prefix, or its inflected forms."""
    whole, prefix = forms(word)
    if prefix:
        return f"{_fts5_quoted(prefix)} *"
    if len(whole) == 1:
        return _fts5_quoted(whole[0])
    return "(" + " OR ".join(_fts5_quoted(w) for w in whole) + ")"


def _fts5_phrase(words):
    """An FTS5 phrase of `words` in order, its last word also inflected ("large language
    models" for "large language model")."""
    *first, last = [w.lower() for w in words]
    whole, prefix = forms(last)
    if prefix or len(whole) > 1:
        return f"{_fts5_quoted(' '.join([*first, prefix or root(last)]))} *"
    return _fts5_quoted(" ".join([*first, last]))


def _fts5_alternative(alternative):
    if alternative.exact:
        parts = [_fts5_phrase(alternative.words)]
    else:
        parts = [_fts5_word(word) for word in alternative.words]
    parts += [f"{CJK_FIELD} : {_fts5_quoted(pair)}" for pair in alternative.pairs]
    parts += [f"{CJK_FIELD} : {_fts5_quoted(char)} *" for char in alternative.prefixes]
    return " AND ".join(parts)


def fts5_match_expression(query):
    """An FTS5 MATCH string requiring every term of `query`: any of its alternatives, each
    word and Chinese token quoted as a phrase."""
    terms = []
    for term in query.terms:
        alternatives = [_fts5_alternative(a) for a in term]
        if len(alternatives) == 1:
            terms.append(alternatives[0])
        else:
            terms.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
    return " AND ".join(terms)


def _sqlite_weights(model):
    # bm25 weights: earlier fields count more, like PostgreSQL's weight classes.
    columns = [*search_fields(model), CJK_FIELD]
    return ", ".join(str(10.0 / (i // 2 + 1)) for i in range(len(columns)))


def _sqlite_index_statements(model):
    table = model._meta.db_table
    fields = [*search_fields(model), CJK_FIELD]
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
        # Whole words: no stemmer (see portal.search.words for how a word's forms match).
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    triggers = {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"{fts}_update": f"AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
    }
    return fts, fields, table_sql, triggers


def ensure_sqlite_index(connection):
    """Make every searched model's FTS5 table and triggers match its SEARCH_FIELDS and
    tokenizer, rebuilding what was missing or out of date. Safe to run any number of times: when all
    is in place it only reads."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name for (name,) in cursor.fetchall()}
        for model in searched_models():
            if model._meta.db_table not in existing:
                continue  # Migrations have not created this model's table yet.
            fts, fields, table_sql, triggers = _sqlite_index_statements(model)
            current_columns, current_sql = [], None
            if fts in existing:
                cursor.execute(f"PRAGMA table_info({fts})")
                current_columns = [row[1] for row in cursor.fetchall()]
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [fts])
                (current_sql,) = cursor.fetchone()
            up_to_date = current_columns == fields and current_sql == table_sql
            if up_to_date and all(name in existing for name in triggers):
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


def search(queryset, text, thesaurus=None):
    """The rows of `queryset` that match `text`, through the full-text index; each term
    also matches its equivalents in `thesaurus` (default: the reviewed abbreviations).

    Text with no searchable words (e.g. "%" or "!?") matches nothing.
    """
    query = ParsedQuery(text, thesaurus)
    if not query:
        return queryset.none()
    model = queryset.model
    if connection.vendor == "postgresql":
        sql, params = _postgresql_condition(Vectors.of(model), query)
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
    articles read every article's positions, body and all; the
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
        # (score, pk) pairs compare as the order wanted; no key function to call per match.
        scored = [(score, pk) for pk, score in self.scores.items() if pk in candidates]
        if limit is None:
            scored.sort(reverse=True)
            best = [pk for _score, pk in scored]
        else:
            best = [pk for _score, pk in heapq.nlargest(limit, scored)]
        wanted = len(candidates) if limit is None else min(limit, len(candidates))
        if len(best) >= wanted:
            return best[:wanted]
        # The rest have no heading match: newest first, read from the end of the bitmap.
        rest = candidates - BitMap(pk for _score, pk in scored)
        more = wanted - len(best)
        return best + list(rest[len(rest) - more :])[::-1]


def matches(model, text, thesaurus=None):
    """The `Matches` of `text` among `model`'s rows (as `search` finds them), in
    SEARCH_STATEMENTS statements. Callers intersect the ids with what readers may see.

    The ids come back as one value (an array, or a comma-separated string), not a row per
    match. Ranks: when the reader typed English, the rows whose heading has any of the
    English alternatives, through a heading index (PostgreSQL: a GIN index on
    `search_heading`, migration 0018, or for the articles on the heading column of their
    narrow search table, 0019; SQLite: the FTS5 table with a column filter). Chinese
    is indexed in one column of its own (search_cjk), so a search typed in Chinese is
    ranked over all its matches.
    """
    query = ParsedQuery(text, thesaurus)
    if not query:
        return Matches(BitMap(), {})
    if connection.vendor == "postgresql":
        return _postgresql_matches(model, text, query)
    return _sqlite_matches(model, query)


def _typed_in_english(query):
    """Whether every term as the reader typed it (its first alternative) is English words."""
    return all(term[0].words and not (term[0].pairs or term[0].prefixes) for term in query.terms)


@dataclass(frozen=True)
class SearchSQL:
    """One search over one table on PostgreSQL, as SQL (each part a pair of SQL text and its
    parameters): `match`, the condition a row must meet; `ranked`, the condition for a row
    to be ranked; `rank`, its relevance. Ranked rows whose rank is 0 are not kept."""

    vectors: Vectors
    match: tuple
    ranked: tuple
    rank: tuple

    @classmethod
    def of(cls, vectors, query):
        """The statements of `query` over `vectors`. When the reader typed English, the ranked
        rows are those whose heading has any English alternative (a heading index serves
        them, and a body match ranks below them); else the matches, by their rank."""
        match = _postgresql_condition(vectors, query)
        if _typed_in_english(query):
            any_word = "to_tsquery(%s::regconfig, %s)"
            text = english_tsquery_text(query)
            ranked = (f"{vectors.heading} @@ {any_word}", [TEXT_SEARCH_CONFIG, text])
            rank = (f"ts_rank({vectors.heading}, {any_word})", [TEXT_SEARCH_CONFIG, text])
            return cls(vectors, match, ranked, rank)
        return cls(vectors, match, match, _postgresql_rank(vectors, query))

    def ids(self):
        """(SQL, params): one row, the array of every matching id."""
        sql, params = self.match
        return f"SELECT array_agg({self.vectors.id}) FROM {self.vectors.table} WHERE {sql}", params

    def ranks(self):
        """(SQL, params): one row, the arrays of the ranked ids and their ranks."""
        (rank, rank_params), (ranked, ranked_params) = self.rank, self.ranked
        sql = (
            f"SELECT array_agg(id), array_agg(rank) FROM (SELECT {self.vectors.id} AS id,"
            f" {rank} AS rank FROM {self.vectors.table} WHERE {ranked}) AS found WHERE rank > 0"
        )
        return sql, [*rank_params, *ranked_params]

    def read(self, cursor):
        """(BitMap of the matching ids, {id: rank} of the ranked ones): two statements."""
        cursor.execute(*self.ids())
        (ids,) = cursor.fetchone()
        return BitMap(ids or ()), self.read_ranks(cursor)

    def read_ranks(self, cursor):
        """{id: rank} of the ranked rows: one statement."""
        cursor.execute(*self.ranks())
        ranked_ids, ranks = cursor.fetchone()
        return dict(zip(ranked_ids or (), ranks or (), strict=True))

    def rows(self, condition):
        """(SQL, params without those of `condition`): a row per row meeting `condition`
        (SQL on the table): its id, whether it matches, and its rank if it is ranked."""
        (match, match_params), (ranked, ranked_params) = self.match, self.ranked
        rank, rank_params = self.rank
        sql = (
            f"SELECT {self.vectors.id}, {match}, CASE WHEN {ranked} THEN {rank} END"
            f" FROM {self.vectors.table} WHERE {condition}"
        )
        return sql, [*match_params, *ranked_params, *rank_params]


def _postgresql_matches(model, text, query):
    """On PostgreSQL the matches are found through the GIN index even when a word is in most
    rows: the planner's costs don't count reading each row's large vector, and a scan of
    the table that tests every row took a second at 100,000 articles; the index, a tenth.
    The articles' matches of a search that finds many come from portal.search.memo."""
    search_sql = SearchSQL.of(Vectors.for_matches(model), query)
    with connection.cursor() as cursor, index_scans(cursor):
        if model is Article:
            ids, scores = memo.read(cursor, search_sql, text)
        else:
            ids, scores = search_sql.read(cursor)
    return Matches(ids, scores)


def _sqlite_matches(model, query):
    table = model._meta.db_table
    fts = f"{table}_fts"
    expression = fts5_match_expression(query)
    if _typed_in_english(query):
        headings = " ".join(search_fields(model)[:HEADING_FIELDS])
        english = [
            _fts5_alternative(alternative)
            for term in query.terms
            for alternative in term
            if alternative.words and not (alternative.pairs or alternative.prefixes)
        ]
        any_word = " OR ".join(f"({alternative})" for alternative in english)
        ranked_expression = f"{{{headings}}} : ({any_word})"
    else:
        ranked_expression = expression
    with connection.cursor() as cursor:
        # One comma-separated string instead of a row per match: half the time for 100,000.
        cursor.execute(f"SELECT group_concat(rowid) FROM {fts} WHERE {fts} MATCH %s", [expression])
        (joined,) = cursor.fetchone()
        ids = id_bitmap(joined)
        cursor.execute(
            f"SELECT rowid, -bm25({fts}, {_sqlite_weights(model)}) FROM {fts} WHERE {fts} MATCH %s",
            [ranked_expression],
        )
        return Matches(ids, dict(cursor.fetchall()))


# Statements a search adds on PostgreSQL around its queries (index_scans), for query counts.
PLANNER_STATEMENTS = 2
# Statements one `matches` call runs, for query counts: the matches, then the ranks; on
# PostgreSQL between the two statements of index_scans. The articles' on PostgreSQL: as many
# (portal.search.memo: a remembered result and the rows written since), one more when a
# result that finds many is remembered, three more when one is out of date.
SEARCH_STATEMENTS = {"postgresql": 2 + PLANNER_STATEMENTS, "sqlite": 2}


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
