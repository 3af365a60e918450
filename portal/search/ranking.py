"""One relevance model for every searched record type, so the site search can show one list.

A result's place is decided, in order, by:

1. an exact name: the query is a record's name, short name, Chinese name or other name
   (`NameIndex`, built per content generation): that record comes first, the "best match";
2. a name the query mostly spells out: every word of the query is in one of a record's
   names and makes up at least NAMED_SHARE of it ("university of hong kong" names The
   University of Hong Kong, and less of the Chinese University of Hong Kong), the fuller
   share first, so a record a reader names loosely is not buried under articles that use
   the same words in their titles;
3. a heading match: the title or name, summary or short name has a query word (the ranks of
   portal.search.query.Matches), stronger matches (STRONG of the type's best) first;
4. a match in the body alone;

and, at an equal place, records before references (the sources, which are what records cite,
not pages to read: `Candidates.reference`), sourced records before unsourced ones (`sourced`:
a record citing sources; an article whose text, outside an editor's note, has a footnote),
then the heading score, then the newest row. Scores of different tables are not comparable
as they are (bm25 and ts_rank depend on each table's statistics), so each type's scores are
divided by its best one.

Cost: the best matches are a dictionary look-up; the heading matches are sorted (those
of a common word are a quarter of the articles, scored already); the body-only matches are
read newest first from the end of their bitmaps, only as many as the page needs.
"""

import heapq
from dataclasses import dataclass, field

from pyroaring import BitMap

from portal.models import Article, Initiative, Organisation, Sector
from portal.search.synonyms import fold, name_key, tokens
from portal.search.words import STOPWORDS

BEST, NAMED, HEADING, BODY = 4, 3, 2, 1
# A query that spells out at least this share of a name's words (or, in Chinese, of its
# characters) names that record, short of an exact match.
NAMED_SHARE = 0.5
# A heading score at least this share of its type's best counts as a strong match.
STRONG = 0.5
# Rows read per table for names (as portal.search.lexicon.MAX_RECORDS).
MAX_NAMED = 5_000
NAMED_FIELDS = {
    Organisation: ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases"),
    Initiative: ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases"),
    Sector: ("name_en", "name_zh_hant"),
}


def name_parts(text):
    """(the words, the CJK text) of a name or query as names are compared: words folded as
    in name_key, without stopwords and bare numbers ("2.0" says which blueprint, not what
    it is called); CJK runs joined, since Chinese names are not split into words."""
    words, cjk = [], []
    for token in tokens(text):
        if token.isascii():
            if token not in STOPWORDS and not token.isdigit():
                words.append(fold(token))
        else:
            cjk.append(token)
    return frozenset(words), "".join(cjk)


def named_share(query, name):
    """How much of `name` the `query` spells out (both as name_parts), from 0 to 1: 0 unless
    every query word is one of the name's words and the query's Chinese is in its Chinese."""
    query_words, query_cjk = query
    name_words, name_cjk = name
    if not (query_words or query_cjk) or not query_words <= name_words:
        return 0
    if query_cjk not in name_cjk:
        return 0
    return (len(query_words) + len(query_cjk)) / ((len(name_words) + len(name_cjk)) or 1)


class NameIndex:
    """Which records have a given name, short name or other name, in either language:
    `entries` {name key: [(model label, pk)]} for exact names (portal.search.synonyms.name_key:
    case and plurals folded), and `parts` [(model label, pk, name_parts)] for names a query
    spells out in part."""

    def __init__(self, entries, parts=()):
        self.entries = entries
        self.parts = parts

    @classmethod
    def build(cls):
        """One query per named model (NAMED_FIELDS), each bounded to MAX_NAMED rows."""
        entries, parts = {}, []
        for model, fields in NAMED_FIELDS.items():
            for pk, *names in model.objects.order_by("pk").values_list("pk", *fields)[:MAX_NAMED]:
                for text in names:
                    for name in (text or "").splitlines():
                        if key := name_key(name):
                            entries.setdefault(key, []).append((model._meta.label, pk))
                            parts.append((model._meta.label, pk, name_parts(name)))
        return cls(entries, parts)

    def named(self, text):
        """{model label: [pk]} of the records whose name is `text`."""
        found = {}
        for label, pk in self.entries.get(name_key(text), ()):
            found.setdefault(label, []).append(pk)
        return found

    def partly_named(self, text):
        """{model label: {pk: share}} of the records with a name that `text` spells out at
        least NAMED_SHARE of (named_share), each with its best share."""
        query = name_parts(text)
        found = {}
        if not any(query):
            return found
        for label, pk, parts in self.parts:
            share = named_share(query, parts)
            if share >= NAMED_SHARE:
                shares = found.setdefault(label, {})
                shares[pk] = max(share, shares.get(pk, 0))
        return found


def sourced_ids(model):
    """BitMap of the rows of `model` that cite sources: for the articles, those whose text
    has a footnote outside an editor's note (the stored `has_footnotes`, one statement read
    from its index: the same cost at any number of articles); for the other types, those
    with a source; none for a type that cites nothing (the sources themselves)."""
    if not hasattr(model, "sources"):
        return BitMap()
    if model is not Article:
        through = model.sources.through
        column = f"{model._meta.model_name}_id"
        return BitMap(through.objects.values_list(column, flat=True).distinct())
    rows = Article.objects.order_by().filter(has_footnotes=True)
    return BitMap(rows.values_list("pk", flat=True))


@dataclass
class Candidates:
    """One type's part of a search: its `key` (a label to tell types apart), the ids that
    may be shown (`ids`), its Matches (`found`), the exact-name ids (`best`), its sourced
    ids and where it comes among types at an equal place (`order`, lower first); a
    `reference` type (the sources) comes after every record type at an equal place; the
    records the query names in part (`named`, {pk: share}: NameIndex.partly_named)."""

    key: str
    ids: BitMap
    found: object
    best: BitMap
    sourced: BitMap
    order: int
    reference: bool = False
    named: dict = field(default_factory=dict)


def ranked(candidates, limit):
    """[(key, pk)] of the first `limit` results of every type together, best first (see
    the module docstring)."""
    places = []
    for c in candidates:
        best = c.best & c.ids
        record = not c.reference
        places += [(BEST, 1, record, 1, 0.0, -c.order, pk, c.key) for pk in best]
        named = {pk: share for pk, share in c.named.items() if pk in c.ids and pk not in best}
        places += [
            (NAMED, share, record, pk in c.sourced, 0.0, -c.order, pk, c.key)
            for pk, share in named.items()
        ]
        scored = [
            (pk, s)
            for pk, s in c.found.scores.items()
            if pk in c.ids and pk not in best and pk not in named
        ]
        top = max((s for _pk, s in scored), default=0) or 1
        for pk, score in scored:
            share = score / top
            strong = share >= STRONG
            places.append((HEADING, strong, record, pk in c.sourced, share, -c.order, pk, c.key))
    first = heapq.nlargest(limit, places)
    if len(first) >= limit:
        return [(key, pk) for *_rank, pk, key in first]
    # The body-only matches: records before references, sourced before unsourced, each
    # newest first, type by type.
    rest = []
    for reference, sourced in ((False, True), (False, False), (True, True), (True, False)):
        for c in sorted(candidates, key=lambda c: c.order):
            if c.reference != reference:
                continue
            body = c.ids - c.best - BitMap(c.named) - BitMap(c.found.scores)
            body = body & c.sourced if sourced else body - c.sourced
            wanted = limit - len(first) - len(rest)
            if wanted <= 0:
                break
            rest += [(c.key, pk) for pk in list(body[max(0, len(body) - wanted) :])[::-1]]
    return [(key, pk) for *_rank, pk, key in first] + rest[: limit - len(first)]
