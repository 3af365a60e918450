"""Facet indexes: for one public list and one content generation, the ids of the rows readers
may see, and for every facet option the ids of those rows that have it, as compressed bitmaps.

Why bitmaps: a finder shows, for every option of every facet, how many results choosing it
would give with the other filters applied (disjunctive counts), plus the total and what
removing each active filter would give. In SQL that is a grouped count over a relation table
per facet, on every request, growing with the content. With the ids of
each option in a roaring bitmap (pyroaring), each count is one intersection of two in-memory
sets, whatever the filters. The price is building the index once per content
generation: a fixed number of grouped queries (one per facet, plus the visible rows), shared
by all processes through the cache and kept in each process's memory until content changes.

Which facets there are and how their rows are found is the FilterSet's business: each
indexed filter implements `index_groups(queryset)` (see portal.finders.filters).
"""

import threading
from collections.abc import Mapping

from django.db import connection
from django.db.models import CharField, StringAgg, Value
from django.db.models.functions import Cast
from pyroaring import BitMap

from portal.caching.memo import CACHE_TIMEOUT, Memo
from portal.search.query import id_bitmap

# The in-process copy: {listing name: FacetIndex}. Guarded by a lock so that threads of one
# process share one index (and each index guards its own parts).
_memo = {}
_memo_lock = threading.Lock()


def _ids_aggregate(id_field):
    """An aggregate of `id_field` over a group that `id_bitmap` turns into a BitMap: an array of
    integers on PostgreSQL, else one comma-separated string (SQLite's group_concat). Either
    way one value per group, not a row per id: a fraction of the time for 100,000 ids."""
    if connection.vendor == "postgresql":
        # Imported here: django.contrib.postgres pulls in psycopg's types, which a SQLite
        # process never needs.
        from django.contrib.postgres.aggregates import ArrayAgg

        return ArrayAgg(id_field)
    return StringAgg(Cast(id_field, CharField()), Value(","))


def id_set(queryset, id_field="pk"):
    """A BitMap of `id_field` over `queryset`, in one query."""
    return id_bitmap(queryset.order_by().aggregate(ids=_ids_aggregate(id_field))["ids"])


def id_lists(queryset, group_by, id_field="pk"):
    """{group value: BitMap of `id_field`} over `queryset`, grouped by the column `group_by`,
    in one query."""
    rows = queryset.order_by().values_list(group_by).annotate(ids=_ids_aggregate(id_field))
    return {value: id_bitmap(ids) for value, ids in rows if ids}


def id_lists_by_range(queryset, field, ranges):
    """{key: BitMap of the ids of `queryset` whose `field` is in [start, end)} for `ranges`,
    {key: (start, end)}, in one statement: a UNION ALL of one range per key. With an index
    on `field` (after the queryset's own equality filters), each range is one stretch of
    that index: no per-row expression, no grouping, and no sorting."""
    if not ranges:
        return {}
    # Each range's conditions come first: of several bounds on one column, SQLite bounds
    # the index range by the first, and a queryset's own (e.g. "published by now") would
    # make every range run on to the end of the index.
    in_range = queryset.model._base_manager.filter
    selects = [
        (in_range(**{f"{field}__gte": start, f"{field}__lt": end}) & queryset)
        .order_by()
        .annotate(_key=Value(key))
        .values("_key")  # Grouped by a constant: one group, the whole range.
        .annotate(ids=_ids_aggregate("pk"))
        .values_list("_key", "ids")
        for key, (start, end) in ranges.items()
    ]
    rows = selects[0].union(*selects[1:], all=True).order_by() if len(selects) > 1 else selects[0]
    return {key: id_bitmap(ids) for key, ids in rows if ids}


class FacetIndex:
    """The visible rows of one list (`universe`), each indexed filter's option bitmaps
    (`options[filter name][value]`), and the option objects of relation facets by key
    (`objects[filter name][pk]`, for their labels), for one content generation.

    Each part (the universe, a facet's bitmaps, a facet's option objects) is read or built
    when first used, and shared on its own through the cache: a page that needs one facet
    (the home page's sector counts) neither builds nor reads the others. Each part costs a
    fixed number of queries to build: one for the universe, one grouped query per relation
    of a facet (two for years), one for a relation facet's option objects. A facet whose
    groups partition the visible rows (`partitions_rows`: each in exactly one group, as an
    article's year) gives the universe as their union: one query fewer.
    """

    def __init__(self, key, filterset_class, visible):
        self.key = key
        self.visible = visible  # A callable giving the queryset of the rows readers may see.
        self.filters = {
            name: filter_
            for name, filter_ in filterset_class.base_filters.items()
            if getattr(filter_, "index_groups", None) is not None
        }
        # Each part by name, under this generation's key (portal.caching.memo).
        self._parts = Memo(CACHE_TIMEOUT)
        self.options = _Parts(self.filters, self._options)
        labelled = [name for name, f in self.filters.items() if hasattr(f, "option_objects")]
        self.objects = _Parts(labelled, self._objects)
        partitions = [n for n, f in self.filters.items() if getattr(f, "partitions_rows", False)]
        self._partition = partitions[0] if partitions else None

    @property
    def universe(self):
        if self._partition and "universe" not in self._parts:
            self.options[self._partition]  # Building it (if not cached) gives the universe.
        return self._part("universe", lambda: id_set(self.visible()))

    def load(self):
        """Read or build every part now (what a finder page uses); return the index."""
        self.universe  # noqa: B018 (read for its effect: loading the part)
        for name in self.options:
            self.options[name]
        for name in self.objects:
            self.objects[name]
        return self

    def count(self, name, value, within):
        """How many rows of the bitmap `within` have option `value` of facet `name`."""
        ids = self.options[name].get(value)
        return ids.intersection_cardinality(within) if ids is not None else 0

    def _part(self, part_name, build):
        """Part `part_name`: from this object, else the shared cache, else built (and shared)."""
        return self._parts.get(part_name, f"{self.key}:{part_name}", build)

    def _remember(self, part_name, value):
        """Keep a built part here and share it through the cache."""
        self._parts.put(part_name, f"{self.key}:{part_name}", value)

    def _options(self, name):
        def build():
            if name == self._partition:
                groups = self.filters[name].index_groups(self.visible())
                # The visible rows, each in one group: nothing to narrow, and their union is
                # the universe (one query fewer where it is not known yet).
                if "universe" not in self._parts:
                    self._remember("universe", BitMap.union(BitMap(), *groups.values()))
                return {value: ids for value, ids in groups.items() if ids}
            universe = self.universe
            groups = self.filters[name].index_groups(self.visible())
            # Relation tables hold hidden rows' links too: only the visible ones count.
            visible_groups = ((value, ids & universe) for value, ids in groups.items())
            return {value: ids for value, ids in visible_groups if ids}

        return self._part(f"options:{name}", build)

    def _objects(self, name):
        return self._part(f"objects:{name}", self.filters[name].option_objects)


class _Parts(Mapping):
    """A read-only mapping of filter name to one kind of part of a FacetIndex, each loaded
    when first read (`in`, `len` and iteration load nothing)."""

    def __init__(self, names, load):
        self._names = tuple(names)
        self._load = load

    def __contains__(self, name):
        return name in self._names

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        return self._load(name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


def facet_index(listing, state):
    """`listing`'s FacetIndex for the content `state`, kept in this process's memory until the
    content changes (its parts are loaded as they are used)."""
    key = f"facets:{listing.name}:{state.key}"
    with _memo_lock:
        remembered = _memo.get(listing.name)
        if remembered and remembered.key == key:
            return remembered
        index = FacetIndex(key, listing.filterset_class, listing.visible)
        _memo[listing.name] = index
        return index


def forget_indexes():
    """Drop this process's copies (tests call it between cases: a rolled-back transaction
    can bring a generation number back with different content)."""
    with _memo_lock:
        _memo.clear()
