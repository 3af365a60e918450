"""Facet indexes: for one public list and one content generation, the ids of the rows readers
may see, and for every facet option the ids of those rows that have it, as compressed bitmaps.

Why bitmaps: a finder shows, for every option of every facet, how many results choosing it
would give with the other filters applied (disjunctive counts), plus the total and what
removing each active filter would give. In SQL that is a grouped count over a relation table
per facet, tens of milliseconds each at 100,000 articles, on every request. With the ids of
each option in a roaring bitmap (pyroaring), each count is one intersection of two in-memory
sets: microseconds, whatever the filters. The price is building the index once per content
generation: a fixed number of grouped queries (one per facet, plus the visible rows), shared
by all processes through the cache and kept in each process's memory until content changes.

Which facets there are and how their rows are found is the FilterSet's business: each
indexed filter implements `index_groups(queryset)` (see portal.filters).
"""

import threading

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, StringAgg, Value
from django.db.models.functions import Cast
from pyroaring import BitMap

# The in-process copy: {listing name: (state key, FacetIndex)}. Guarded by a lock so that
# threads of one process build an index once.
_memo = {}
_memo_lock = threading.Lock()
# Long enough to outlive most content generations; a new generation uses a new key anyway.
CACHE_TIMEOUT = 24 * 60 * 60


def _ids_aggregate(id_field):
    """An aggregate of `id_field` over a group that `_bitmap` turns into a BitMap: an array of
    integers on PostgreSQL, else one comma-separated string (SQLite's group_concat). Either
    way one value per group, not a row per id: a fraction of the time for 100,000 ids."""
    if connection.vendor == "postgresql":
        # Imported here: django.contrib.postgres pulls in psycopg's types, which a SQLite
        # process never needs.
        from django.contrib.postgres.aggregates import ArrayAgg

        return ArrayAgg(id_field)
    return StringAgg(Cast(id_field, CharField()), Value(","))


def _bitmap(ids):
    if not ids:
        return BitMap()
    return BitMap(map(int, ids.split(","))) if isinstance(ids, str) else BitMap(ids)


def id_set(queryset, id_field="pk"):
    """A BitMap of `id_field` over `queryset`, in one query."""
    return _bitmap(queryset.order_by().aggregate(ids=_ids_aggregate(id_field))["ids"])


def id_lists(queryset, group_by, id_field="pk"):
    """{group value: BitMap of `id_field`} over `queryset`, grouped by the column `group_by`,
    in one query."""
    rows = queryset.order_by().values_list(group_by).annotate(ids=_ids_aggregate(id_field))
    return {value: _bitmap(ids) for value, ids in rows if ids}


class FacetIndex:
    """The visible rows of one list (`universe`), each indexed filter's option bitmaps
    (`options[filter name][value]`), and the option objects of relation facets by key
    (`objects[filter name][pk]`, for their labels)."""

    def __init__(self, universe, options, objects):
        self.universe = universe
        self.options = options
        self.objects = objects

    @classmethod
    def build(cls, filterset_class, visible):
        """Index `visible` (a queryset of the rows readers may see) for every filter of
        `filterset_class` that can be indexed. A fixed number of queries.

        A filter whose groups partition the visible rows (`partitions_rows`: each row in
        exactly one group, like an article's year) gives the visible ids as their union,
        which saves reading them in a query of their own."""
        indexed = {
            name: filter_
            for name, filter_ in filterset_class.base_filters.items()
            if getattr(filter_, "index_groups", None) is not None
        }
        groups = {}
        partition = next(
            (n for n, f in indexed.items() if getattr(f, "partitions_rows", False)), None
        )
        if partition:
            groups[partition] = indexed[partition].index_groups(visible)
            universe = BitMap.union(BitMap(), *groups[partition].values())
        else:
            universe = id_set(visible)
        options, objects = {}, {}
        for name, filter_ in indexed.items():
            if name not in groups:
                groups[name] = filter_.index_groups(visible)
            visible_groups = ((value, ids & universe) for value, ids in groups[name].items())
            options[name] = {value: ids for value, ids in visible_groups if ids}
            if option_objects := getattr(filter_, "option_objects", None):
                objects[name] = option_objects()
        return cls(universe, options, objects)

    def count(self, name, value, within):
        """How many rows of the bitmap `within` have option `value` of facet `name`."""
        ids = self.options[name].get(value)
        return ids.intersection_cardinality(within) if ids is not None else 0


def facet_index(listing, state):
    """`listing`'s FacetIndex for the content `state`: from this process's memory, else the
    shared cache, else built (and shared)."""
    key = f"facets:{listing.name}:{state.key}"
    with _memo_lock:
        remembered = _memo.get(listing.name)
        if remembered and remembered[0] == key:
            return remembered[1]
        index = cache.get(key)
        if index is None:
            index = FacetIndex.build(listing.filterset_class, listing.visible())
            cache.set(key, index, CACHE_TIMEOUT)
        _memo[listing.name] = (key, index)
        return index


def forget_indexes():
    """Drop this process's copies (tests call it between cases: a rolled-back transaction
    can bring a generation number back with different content)."""
    with _memo_lock:
        _memo.clear()
