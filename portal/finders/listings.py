"""What each public list is, described once, and how one request's query runs against it.

A `Listing` names a list's model, the rows readers may see, what its cards need fetched, its
FilterSet, card template, title and page. The HTML finder, the CSV, JSON and Atom versions,
the site search and the detail pages' "articles that mention it" all read these
descriptions (ARTICLES, INITIATIVES, ORGANISATIONS, SECTORS, TIMELINE).

`FinderQuery` is one request against a listing: its bound FilterSet, the ids that match (from
the facet index, portal.finders.facets), the results in order, the facets with disjunctive counts
and the suggestions when nothing matches. Only the rows of the page shown are read from the
database; counts come from the index. Page depth is bounded (MAX_DEPTH): a reader who needs
result 1,001 of a broad list is better served by a filter, and deep OFFSETs are slow.
"""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Window
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyroaring import BitMap

from portal.caching.generation import content_state
from portal.finders.facets import facet_index
from portal.finders.filters import (
    ArticleFilter,
    InitiativeFilter,
    MilestoneFilter,
    OrganisationFilter,
    SourceFilter,
)
from portal.finders.kinds import is_empty
from portal.models import (
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    Source,
)
from portal.records.description import SEARCH
from portal.records.registry import public_records
from portal.search import lexicon, query

PAGE_SIZE = 20
# Results a reader may page into, on any list and in any format.
MAX_DEPTH = 1000
# Below this many matches the page's rows are read by primary key; above it, through the
# filters in SQL (an index walk in the sort order finds a page of a dense set quickly).
SMALL_RESULT_SET = 2000


# What cards show of an item's sectors; the long description stays in the database.
NAME_FIELDS = ("name_en", "name_zh_hant", "slug")
SECTOR_NAMES = Prefetch("sectors", queryset=Sector.objects.only(*NAME_FIELDS))


@dataclass(frozen=True)
class Listing:
    """One public list. `visible` returns the rows readers may see (a fresh queryset per
    call: `published()` reads the clock); `for_cards` adds what a card shows."""

    name: str
    model: type
    title: str
    card_template: str
    url_name: str
    visible: callable
    select_related: tuple = ()
    prefetch_related: tuple = ()
    filterset_class: type = None
    # Whether readers see every row of the model (so no visibility rule narrows a search).
    all_visible: bool = True

    @property
    def detail_url_name(self):
        """The URL name of one row's page (``portal:article_detail`` for the articles)."""
        return self.url_name.removesuffix("_list") + "_detail"

    def for_cards(self):
        rows = self.visible().prefetch_related(*self.prefetch_related)
        return rows.select_related(*self.select_related) if self.select_related else rows


ARTICLES = Listing(
    name="articles",
    model=Article,
    title=gettext_lazy("Articles"),
    card_template="portal/includes/_article_card.html",
    url_name="portal:article_list",
    visible=lambda: Article.objects.published(),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=ArticleFilter,
    all_visible=False,
)
INITIATIVES = Listing(
    name="initiatives",
    model=Initiative,
    title=gettext_lazy("Initiatives"),
    card_template="portal/includes/_initiative_card.html",
    url_name="portal:initiative_list",
    visible=lambda: Initiative.objects.all(),
    select_related=("lead_organisation",),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=InitiativeFilter,
)
ORGANISATIONS = Listing(
    name="organisations",
    model=Organisation,
    title=gettext_lazy("Organisations"),
    card_template="portal/includes/_organisation_card.html",
    url_name="portal:organisation_list",
    visible=lambda: Organisation.objects.all(),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=OrganisationFilter,
)
SECTORS = Listing(
    name="sectors",
    model=Sector,
    title=gettext_lazy("Sectors"),
    card_template="portal/includes/_sector_card.html",
    url_name="portal:sector_list",
    visible=lambda: Sector.objects.all(),
)
SOURCES = Listing(
    name="sources",
    model=Source,
    title=gettext_lazy("Sources"),
    card_template="portal/includes/_source_card.html",
    url_name="portal:source_list",
    visible=lambda: Source.objects.all(),
    filterset_class=SourceFilter,
)

TIMELINE = Listing(
    name="milestones",
    model=Milestone,
    title=gettext_lazy("Timeline"),
    card_template="portal/includes/_milestone_card.html",
    url_name="portal:milestone_list",
    visible=lambda: Milestone.objects.all(),
    prefetch_related=(
        SECTOR_NAMES,
        Prefetch("initiatives", queryset=Initiative.objects.only(*NAME_FIELDS)),
        Prefetch("organisations", queryset=Organisation.objects.only(*NAME_FIELDS)),
        Prefetch("sources", queryset=Source.objects.only("url", "title", "publisher")),
    ),
    filterset_class=MilestoneFilter,
)

LISTINGS = (ARTICLES, INITIATIVES, ORGANISATIONS, SECTORS, TIMELINE, SOURCES)


def listing_of(model):
    """The Listing of `model`'s public list; KeyError if it has none."""
    for listing in LISTINGS:
        if listing.model is model:
            return listing
    raise KeyError(model)


def filters_by_source(record):
    """Whether the list of the record type `record` (a PublicRecord) filters by source."""
    filterset = listing_of(record.model).filterset_class
    return filterset is not None and "source" in filterset.base_filters


def searched_listings():
    """The lists of the record types that declare SEARCH, in the order the site search
    shows them (navigation order)."""
    return [listing_of(record.model) for record in public_records(SEARCH)]


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

    def _sql(self, by_filters=False):
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
        return list(self._sql()[key])

    def head(self, limit):
        """The first `limit` rows; without a relevance sort, straight from the filters in
        SQL, so a feed never needs the facet index."""
        if self.query.sort_key == "relevance":
            return self[:limit]
        return list(self._sql(by_filters=True)[:limit])

    def iterator(self, chunk_size=500):
        """Every row in order, fetched `chunk_size` at a time: memory stays flat. Only a
        relevance sort needs the facet index (for the ids to rank)."""
        if self.query.sort_key != "relevance":
            yield from self._sql(by_filters=True).iterator(chunk_size=chunk_size)
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


# How many related rows a detail page shows of each list before linking to the rest.
RELATED_SHOWN = 10


@dataclass(frozen=True)
class Related:
    """The first rows of a listing related to one item (in the listing's default order),
    how many there are in all, and the finder address that lists every one."""

    rows: list
    count: int
    url: str


def related_rows(listing, filter_name, obj, state, limit=RELATED_SHOWN):
    """The rows of `listing` that its filter `filter_name` relates to `obj` (e.g. the articles
    that mention an initiative): counted in the facet index, and the first `limit` read with
    one query (plus what their cards need)."""
    ids = facet_index(listing, state).options[filter_name].get(obj.pk, BitMap())
    filterset = listing.filterset_class(data={}, queryset=listing.for_cards())
    sort = filterset.filters["sort"]
    if len(ids) <= SMALL_RESULT_SET:
        rows = listing.for_cards().filter(pk__in=list(ids))
    else:
        rows = filterset.filters[filter_name].filter(listing.for_cards(), [obj])
    first = list(rows.order_by(*sort.ordering(sort.default))[:limit]) if ids else []
    url = f"{reverse(listing.url_name)}?{urlencode({filter_name: obj.slug})}"
    return Related(first, len(ids), url)


# The timeline filter that lists the milestones of each relation.
MILESTONE_FILTERS = {
    "initiatives": "initiative",
    "organisations": "organisation",
    "sectors": "sector",
}


def related_milestones(relation, obj, limit=RELATED_SHOWN):
    """The first `limit` milestones related to `obj` through `relation` ("initiatives",
    "organisations" or "sectors"), oldest first, as a `Related` whose address is the timeline
    filtered to `obj`. One query: the total rides on each row as a window count."""
    rows = list(
        Milestone.objects.filter(**{relation: obj})
        .annotate(total=Window(Count("pk")))
        .order_by("date", "title_en")[:limit]
    )
    url = f"{reverse(TIMELINE.url_name)}?{urlencode({MILESTONE_FILTERS[relation]: obj.slug})}"
    return Related(rows, rows[0].total if rows else 0, url)


def sectors_with_counts(sectors, state):
    """`sectors` (a list), each given `article_count`, `initiative_count` and
    `organisation_count` from the facet indexes: no counting queries."""
    indexes = {
        attribute: facet_index(listing, state).options["sector"]
        for attribute, listing in (
            ("article_count", ARTICLES),
            ("initiative_count", INITIATIVES),
            ("organisation_count", ORGANISATIONS),
        )
    }
    for sector in sectors:
        for attribute, options in indexes.items():
            setattr(sector, attribute, len(options.get(sector.pk, ())))
    return sectors


def warm_facet_indexes():
    """Build every finder's facet index for the current content and put it in the shared
    cache (import_content calls this after writing)."""
    state = content_state()
    for listing in (ARTICLES, INITIATIVES, ORGANISATIONS, TIMELINE):
        facet_index(listing, state).load()
