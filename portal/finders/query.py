"""One request's query against a listing (portal.finders.listings), and its results.

`FinderQuery` holds the request's bound FilterSet, the ids that match (from the facet index,
portal.finders.facets), the results in order, the facets with disjunctive counts (each
filter draws its own: portal.finders.kinds) and the suggestions when nothing matches. Only
the rows of the page shown are read from the database; counts come from the index. Page
depth is bounded (MAX_DEPTH): a reader who needs result 1,001 of a broad list is better
served by a filter, and deep OFFSETs are slow.
"""

from functools import cached_property

from django.utils.translation import gettext as _
from pyroaring import BitMap

from portal.caching.generation import content_state
from portal.finders.facets import facet_index
from portal.finders.kinds import is_empty
from portal.finders.listings import ARTICLES, INITIATIVES, ORGANISATIONS, TIMELINE
from portal.search import lexicon, query

PAGE_SIZE = 20
# Results a reader may page into, on any list and in any format.
MAX_DEPTH = 1000
# Below this many matches the page's rows are read by primary key; above it, through the
# filters in SQL (an index walk in the sort order finds a page of a dense set quickly).
SMALL_RESULT_SET = 2000


def rows_by_id(queryset, ids):
    """The rows of `queryset` with primary keys `ids`, in the order of `ids`."""
    found = {obj.pk: obj for obj in queryset.filter(pk__in=list(ids)).order_by()}
    return [found[pk] for pk in ids if pk in found]


class Results:
    """The rows of a FinderQuery in order: sliceable and countable like a queryset, so
    Django's Paginator takes it; the count comes from the index, not from a COUNT query."""

    def __init__(self, query, queryset):
        self.query = query
        self.queryset = queryset

    def count(self):
        return len(self.query.matches)

    def __len__(self):
        return self.count()

    def as_queryset(self, by_filters=False):
        """The matching rows in order, as a queryset (not for relevance): by primary key
        when there are few, else (or when `by_filters`) through the filters in SQL."""
        query = self.query
        ordering = query.ordering
        if not by_filters and len(query.matches) <= SMALL_RESULT_SET:
            return self.queryset.filter(pk__in=list(query.matches)).order_by(*ordering)
        filterset = query.filterset
        rows = self.queryset
        for name, value in query.active.items():
            rows = filterset.filters[name].filter(rows, value)
        return rows.order_by(*ordering)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        if self.query.sort_key == "relevance":
            ranked = self.query.found.ranked(self.query.matches, key.stop)
            return rows_by_id(self.queryset, ranked[key])
        return list(self.as_queryset()[key])

    def head(self, limit):
        """The first `limit` rows; without a relevance sort, straight from the filters in
        SQL, so a feed never needs the facet index."""
        if self.query.sort_key == "relevance":
            return self[:limit]
        return list(self.as_queryset(by_filters=True)[:limit])

    def iterator(self, chunk_size=500):
        """Every row in order, fetched `chunk_size` at a time: memory stays flat. Only a
        relevance sort needs the facet index (for the ids to rank)."""
        if self.query.sort_key != "relevance":
            yield from self.as_queryset(by_filters=True).iterator(chunk_size=chunk_size)
            return
        ids = self.query.found.ranked(self.query.matches)
        for start in range(0, len(ids), chunk_size):
            yield from rows_by_id(self.queryset, ids[start : start + chunk_size])


class FinderQuery:
    """One request's query against a listing (see the module docstring).

    `problems` is {parameter: message} for input that cannot be used; `status` the HTTP
    status that goes with it (400 for an oversized query, else 200 with the problems shown).
    """

    def __init__(self, listing, data, state):
        self.listing = listing
        self.state = state
        self.filterset = listing.filterset_class(data=data, queryset=listing.for_cards())
        self.too_many = self.filterset.too_many_values()
        self.valid = not self.too_many and self.filterset.is_valid()
        self._ids = {}
        # Searches match synonyms and the records' other names, however the rows are read.
        self.thesaurus = lexicon.thesaurus(state) if self.search_text else None
        self.filterset.thesaurus = self.thesaurus

    @property
    def problems(self):
        """{parameter: [message]} for every parameter that cannot be used."""
        if self.too_many:
            return {name: [message] for name, message in self.too_many.items()}
        return {name: list(errors) for name, errors in self.filterset.errors.items()}

    @cached_property
    def index(self):
        return facet_index(self.listing, self.state)

    @cached_property
    def active(self):
        """{filter name: cleaned value} for every filter in use (not the sort)."""
        if not self.valid:
            return {}
        return {
            name: value
            for name, value in self.filterset.form.cleaned_data.items()
            if name != "sort" and not is_empty(value)
        }

    @cached_property
    def search_text(self):
        return (self.active.get("q") or "").strip()

    @cached_property
    def found(self):
        """The search's `portal.search.query.Matches` (every matching row, and the ranks), its
        terms also matching their synonyms and the records' other names."""
        return query.matches(self.listing.model, self.search_text, self.thesaurus)

    @cached_property
    def sort_key(self):
        sort = self.filterset.filters["sort"]
        value = self.filterset.form.cleaned_data.get("sort") if self.valid else None
        return sort.resolve(value, bool(self.search_text))

    @property
    def is_whole_list(self):
        """Whether the query asks for every visible row in the list's own order: no filter,
        no search, the default sort (parameters the list does not read change nothing)."""
        default = self.filterset.filters["sort"].resolve(None, searching=False)
        return self.valid and not self.active and self.sort_key == default

    @property
    def ordering(self):
        return self.filterset.filters["sort"].ordering(self.sort_key)

    def ids_for(self, name, value):
        """The BitMap of visible rows that filter `name` with `value` lets through."""
        filter_ = self.filterset.filters[name]
        if name in self.index.options:
            ids = BitMap()
            for key in filter_.value_keys(value):
                ids |= self.index.options[name].get(key, BitMap())
            return ids
        if name not in self._ids:
            self._ids[name] = filter_.ids(self, value)
        return self._ids[name]

    def matching(self, changes=None):
        """The ids matching every active filter, with `changes` ({name: value, or None to
        drop the filter}) applied first."""
        filters = {**self.active, **(changes or {})}
        ids = self.index.universe
        for name, value in filters.items():
            if not is_empty(value):
                ids = ids & self.ids_for(name, value)
        return ids

    @cached_property
    def matches(self):
        return self.matching() if self.valid else BitMap()

    def results(self, queryset=None):
        """The matching rows in order, as `Results` over `queryset` (default: for cards)."""
        return Results(self, queryset if queryset is not None else self.filterset.queryset)

    def depth_problem(self, first_result):
        """A message if a page starting at result number `first_result` exists but is past
        MAX_DEPTH (a page past the last result is simply not found)."""
        if first_result <= MAX_DEPTH or first_result > len(self.matches):
            return ""
        return _(
            "Only the first %(limit)s results can be paged through. Choose filters or "
            "search within these results to narrow the list."
        ) % {"limit": f"{MAX_DEPTH:,}"}

    def facets(self, expand=None):
        """Every facet, options with disjunctive counts; long facets show their top options
        (and the chosen ones) unless `expand` names them. No queries beyond the index."""
        if not self.valid:
            return []
        self.index.load()  # Every part, even a facet with no options: a fixed query count.
        return [
            self.filterset.filters[name].facet(name, self, name == expand)
            for name in self.filterset.facet_names
        ]

    def suggestions(self, active):
        """For each active filter value (`active`: the FilterSet's active_filters()), how
        many results there would be without it: [(label, value, parameter, count)] for the
        removals that bring results back. Counted in the index: no queries."""
        found = []
        for name, value, label in active:
            rest = self.filterset.filters[name].without(self.active[name], value)
            count = len(self.matching({name: rest}))
            if count:
                found.append((label, name, value, count))
        return found


def warm_facet_indexes():
    """Build every finder's facet index for the current content and put it in the shared
    cache (import_content calls this after writing)."""
    state = content_state()
    for listing in (ARTICLES, INITIATIVES, ORGANISATIONS, TIMELINE):
        facet_index(listing, state).load()
