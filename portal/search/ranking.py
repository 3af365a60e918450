"""One relevance model for every searched record type, so the site search can show one list.

A result's place is decided, in order, by:

1. an exact name: the query is a record's name, short name, Chinese name or other name
   (`NameIndex`, built per content generation): that record comes first, the "best match";
2. a heading match: the title or name, summary or short name has a query word (the ranks of
   portal.search.query.Matches), stronger matches (STRONG of the type's best) first;
3. a match in the body alone;

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
from dataclasses import dataclass

from pyroaring import BitMap

from portal.models import Article, Initiative, Organisation, Sector
from portal.search.synonyms import name_key

BEST, HEADING, BODY = 3, 2, 1
# A heading score at least this share of its type's best counts as a strong match.
STRONG = 0.5
# Rows read per table for names (as portal.search.lexicon.MAX_RECORDS).
MAX_NAMED = 5_000
NAMED_FIELDS = {
    Organisation: ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases"),
    Initiative: ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases"),
    Sector: ("name_en", "name_zh_hant"),
}


class NameIndex:
    """{name key: [(model, pk)]}: which records have a given name, short name or other
    name, in either language (portal.search.synonyms.name_key: case and plurals folded)."""

    def __init__(self, entries):
        self.entries = entries

    @classmethod
    def build(cls):
        """One query per named model (NAMED_FIELDS), each bounded to MAX_NAMED rows."""
        entries = {}
        for model, fields in NAMED_FIELDS.items():
            for pk, *names in model.objects.order_by("pk").values_list("pk", *fields)[:MAX_NAMED]:
                for text in names:
                    for name in (text or "").splitlines():
                        if key := name_key(name):
                            entries.setdefault(key, []).append((model._meta.label, pk))
        return cls(entries)

    def named(self, text):
        """{model label: [pk]} of the records whose name is `text`."""
        found = {}
        for label, pk in self.entries.get(name_key(text), ()):
            found.setdefault(label, []).append(pk)
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
    `reference` type (the sources) comes after every record type at an equal place."""

    key: str
    ids: BitMap
    found: object
    best: BitMap
    sourced: BitMap
    order: int
    reference: bool = False


def ranked(candidates, limit):
    """[(key, pk)] of the first `limit` results of every type together, best first (see
    the module docstring)."""
    places = []
    for c in candidates:
        best = c.best & c.ids
        record = not c.reference
        places += [(BEST, 1, record, 1, 0.0, -c.order, pk, c.key) for pk in best]
        scored = [(pk, s) for pk, s in c.found.scores.items() if pk in c.ids and pk not in best]
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
            body = c.ids - c.best - BitMap(c.found.scores)
            body = body & c.sourced if sourced else body - c.sourced
            wanted = limit - len(first) - len(rest)
            if wanted <= 0:
                break
            rest += [(c.key, pk) for pk in list(body[max(0, len(body) - wanted) :])[::-1]]
    return [(key, pk) for *_rank, pk, key in first] + rest[: limit - len(first)]
