"""Site search: every searched record type in one ranked list (portal.search.ranking), with
facets for type, sector and year, disjunctive like the finders' and counted in the same facet
indexes (portal.finders.facets), so they cost no query.

/search/?q=cyberport&type=organisations&sector=banking-finance&year=2024
- `type`: any of the searched lists' names (articles, initiatives, organisations, sectors,
  milestones, sources);
- `sector`: any of the sectors' slugs (a sector record matches its own slug);
- `year`: one year, of an article's publication or a milestone's date (other types have
  no such year, so choosing one leaves them out).
Each takes at most MAX_VALUES_PER_FILTER values; the list pages to result MAX_DEPTH.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from pyroaring import BitMap

from portal.caching.pages import request_state
from portal.finders.facets import facet_index
from portal.finders.filters import MAX_VALUES_PER_FILTER
from portal.finders.kinds import Facet, FacetOption, option_label
from portal.finders.listings import SECTORS, SOURCES, TIMELINE, searched_listings
from portal.finders.query import MAX_DEPTH, PAGE_SIZE, rows_by_id
from portal.finders.querystrings import with_query
from portal.search import lexicon
from portal.search.query import MAX_QUERY_LENGTH, matches
from portal.search.ranking import Candidates, ranked
from portal.search.simplified import traditional
from portal.search.snippets import attach_snippets
from portal.views.finders import page_number

# A search with fewer results than this is offered a near spelling that finds more.
FEW_RESULTS = 3
# Each list's year facet: the filter of its facet index that groups its rows by year.
YEAR_FILTERS = {"articles": "year", TIMELINE.name: "from"}
SECTOR_FILTER = "sector"


def search_matches(q, state, thesaurus):
    """[(listing, its portal.search.query.Matches, ids readers may see)] for each searched list:
    the search's statements per list, visibility from the facet index."""
    results = []
    # References (the sources) last: in the type facet, and at an equal place in the list.
    for listing in sorted(searched_listings(), key=lambda listing: listing is SOURCES):
        found = matches(listing.model, q, thesaurus)
        ids = found.ids
        if not listing.all_visible:  # Only what readers may see.
            ids = facet_index(listing, state).universe & ids
        results.append((listing, found, ids))
    return results


def did_you_mean(q, total, state, thesaurus):
    """A near spelling of `q` that finds more than its `total` results, or "": offered only
    below FEW_RESULTS, from the vocabulary of names and titles (portal.search.lexicon) and
    with any Simplified Chinese written in Traditional (portal.search.simplified), and
    checked by running it (one search per list)."""
    if total >= FEW_RESULTS:
        return "", None
    spelt = traditional(q)
    suggestion = lexicon.vocabulary(state).suggestion(spelt) or (spelt if spelt != q else "")
    if not suggestion:
        return "", None
    found = search_matches(suggestion, state, thesaurus)
    if sum(len(ids) for _l, _r, ids in found) > total:
        return suggestion, found
    return "", None


class Narrowing:
    """The reader's type, sector and year choices, as bitmaps per list."""

    def __init__(self, request, state, listings):
        self.problems = []
        names = [listing.name for listing in listings]
        self.types = [t for t in self._values(request, "type") if t in names]
        self.sector_slugs = self._values(request, SECTOR_FILTER)
        self.year = None
        if raw := request.GET.get("year", "").strip():
            try:
                self.year = int(raw)
            except ValueError:
                self.problems.append(_("The year must be a whole number, such as 2024."))
        self.state = state
        self.sectors = self._sector_options(listings)

    def _values(self, request, name):
        values = [v for v in request.GET.getlist(name) if v]
        if len(values) > MAX_VALUES_PER_FILTER:
            self.problems.append(
                _("Choose at most %(limit)d values of “%(name)s”.")
                % {"limit": MAX_VALUES_PER_FILTER, "name": name}
            )
            return []
        return list(dict.fromkeys(values))

    def _sector_options(self, listings):
        """{sector pk: Option} of every sector, from the first facet index that has them."""
        for listing in listings:
            if listing.filterset_class and SECTOR_FILTER in listing.filterset_class.facet_names:
                return dict(facet_index(listing, self.state).objects[SECTOR_FILTER])
        return {}

    def sector_ids(self, listing, pks):
        """The rows of `listing` in any of the sectors `pks` (a sector, itself)."""
        if listing is SECTORS:
            return BitMap(pks)
        if not (listing.filterset_class and SECTOR_FILTER in listing.filterset_class.facet_names):
            return BitMap()
        options = facet_index(listing, self.state).options[SECTOR_FILTER]
        return BitMap.union(BitMap(), *(options.get(pk, BitMap()) for pk in pks))

    def year_ids(self, listing, year):
        name = YEAR_FILTERS.get(listing.name)
        if name is None:
            return BitMap()
        return facet_index(listing, self.state).options[name].get(year, BitMap())

    def years_of(self, listing):
        name = YEAR_FILTERS.get(listing.name)
        return facet_index(listing, self.state).options[name] if name else {}

    @property
    def chosen_sectors(self):
        return [pk for pk, option in self.sectors.items() if option.slug in self.sector_slugs]

    def within(self, listing, ids, by_sector=True, by_year=True):
        """`ids` of `listing` narrowed by the sector and year choices (those asked for)."""
        if by_sector and self.sector_slugs:
            ids = ids & self.sector_ids(listing, self.chosen_sectors)
        if by_year and self.year is not None:
            ids = ids & self.year_ids(listing, self.year)
        return ids

    def facets(self, found):
        """The type, sector and year facets: each option counted with the other choices
        applied but not its own facet's (so a reader sees what choosing it would add)."""
        chosen_types = [(lst, ids) for lst, _f, ids in found if self.type_chosen(lst)]
        types = [
            FacetOption(name, str(lst.title), len(self.within(lst, ids)), name in self.types)
            for lst, _f, ids in found
            for name in [lst.name]
        ]
        sectors = []
        for pk, option in self.sectors.items():
            count = sum(
                len(self.within(lst, ids, by_sector=False) & self.sector_ids(lst, [pk]))
                for lst, ids in chosen_types
            )
            if count or option.slug in self.sector_slugs:
                label, lang = option_label(option)
                sectors.append(
                    FacetOption(option.slug, label, count, option.slug in self.sector_slugs, lang)
                )
        counted = {}
        for lst, ids in chosen_types:
            narrowed = self.within(lst, ids, by_year=False)
            for year, year_ids in self.years_of(lst).items():
                counted[year] = counted.get(year, 0) + year_ids.intersection_cardinality(narrowed)
        years = [
            FacetOption(str(y), str(y), n, y == self.year)
            for y, n in sorted(counted.items(), reverse=True)
            if n or y == self.year
        ]
        any_year = FacetOption("", _("Any"), 0, self.year is None)
        return [
            Facet("type", _("Type"), types),
            Facet(SECTOR_FILTER, _("Sector"), sectors),
            Facet("year", _("Year"), [any_year, *years], input_type="radio"),
        ]

    def type_chosen(self, listing):
        return not self.types or listing.name in self.types


class RankedResults:
    """The results in order, sliceable for Django's Paginator: only the rows of the page
    shown are read (one query per type on the page)."""

    def __init__(self, candidates, listings, total):
        self.candidates = candidates
        self.listings = {listing.name: listing for listing in listings}
        self.total = total

    def count(self):
        return min(self.total, MAX_DEPTH)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        order = ranked(self.candidates, key.stop)[key]
        rows = {}
        for name in dict.fromkeys(name for name, _pk in order):
            listing = self.listings[name]
            wanted = [pk for n, pk in order if n == name]
            for row in rows_by_id(listing.for_cards(), wanted):
                row.search_type = listing
                rows[(name, row.pk)] = row
        return [rows[item] for item in order if item in rows]


def search_view(request):
    """Search across content types, one list ranked by relevance, a record named exactly
    first ("best match").

    Template: ``portal/search.html``. Context: ``q``, ``page_obj`` (its rows carry
    ``search_type``, their Listing, and ``search_snippet``), ``best`` (the best-matching
    records shown first on page 1), ``facets``, ``problem``, ``total``, ``suggestion`` (a
    near spelling: when nothing matched, its results are shown) and ``suggestion_url``.
    Queries: per type the search's statements (portal.search.query.SEARCH_STATEMENTS), one
    per type on the page for its rows (and their related names); counts and facets come
    from the facet indexes, names and sourced rows from per-generation indexes. A search
    with few results costs one more search per type (see did_you_mean).
    """
    q = request.GET.get("q", "").strip()
    problem = ""
    if len(q) > MAX_QUERY_LENGTH:
        problem = _("Search terms can be at most %(limit)d characters long.") % {
            "limit": MAX_QUERY_LENGTH
        }
    context = {"q": q, "facets": [], "page_obj": None, "total": 0, "suggestion": ""}
    if q and not problem:
        state = request_state(request)
        thesaurus = lexicon.thesaurus(state)
        listings = searched_listings()
        narrowing = Narrowing(request, state, listings)
        found = search_matches(q, state, thesaurus)
        searched = q
        total = sum(len(ids) for _l, _f, ids in found)
        suggestion, corrected = did_you_mean(q, total, state, thesaurus)
        if not total and corrected:  # Nothing matched as typed: show the near spelling's.
            found, searched = corrected, suggestion
        problem = " ".join(narrowing.problems)
        name_index = lexicon.names(state)
        named = name_index.named(searched)
        partly_named = name_index.partly_named(searched)
        candidates = []
        for order, (listing, matched, ids) in enumerate(found):
            if not narrowing.type_chosen(listing):
                continue
            label = listing.model._meta.label
            best = BitMap(named.get(label, ()))
            named_in_part = partly_named.get(label, {})
            visible = ids | best | BitMap(named_in_part) if listing.all_visible else ids
            candidates.append(
                Candidates(
                    listing.name,
                    narrowing.within(listing, visible),
                    matched,
                    best,
                    lexicon.sourced(state, listing.model),
                    order,
                    reference=listing is SOURCES,
                    named=named_in_part,
                )
            )
        total = sum(len(c.ids) for c in candidates)
        paginator = Paginator(RankedResults(candidates, listings, total), PAGE_SIZE)
        number = page_number(request)
        if number > max(1, paginator.num_pages):
            raise Http404(_("That page is past the last result."))
        page = paginator.page(number)
        page.object_list = attach_snippets(
            page.object_list, searched, thesaurus, marked=searched == q
        )
        best_keys = {(c.key, pk) for c in candidates for pk in c.best & c.ids}
        for row in page.object_list:
            row.best_match = (row.search_type.name, row.pk) in best_keys
        context.update(
            page_obj=page,
            paginator=paginator,
            total=total,
            facets=narrowing.facets(found),
            searched=searched,
            suggestion=suggestion,
            corrected=searched != q,
            suggestion_url=with_query(reverse("portal:search"), urlencode({"q": suggestion})),
        )
    context["problem"] = problem
    return render(request, "portal/search.html", context, status=400 if problem else 200)
