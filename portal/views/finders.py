"""The finders: filterable lists of articles, initiatives, organisations and milestones (the
timeline). Site search is `portal.views.search`.

Every page is fully described by its query string. What a list is comes from
`portal.finders.listings` (its rows, filters, card and title) and how a query runs against it from
`finders.query.FinderQuery`; this module only turns that into a page: results, facets, removable
chips, the problems with the input, and which filter to drop when nothing matches.
"""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from portal.caching.pages import request_state
from portal.finders.cards import fetch_when_rendered
from portal.finders.comparison import MAX_ITEMS, MIN_ITEMS
from portal.finders.listings import (
    ARTICLES,
    INITIATIVES,
    ORGANISATIONS,
    SOURCES,
    TIMELINE,
    filters_by_source,
)
from portal.finders.query import PAGE_SIZE, FinderQuery
from portal.finders.querystrings import query_with, sorted_query, with_query
from portal.records.addresses import absolute_url
from portal.reference.cited_by import attach_citations
from portal.search.snippets import attach_snippets


def format_links(request, listing):
    """The other formats of the finder page for this query: [{"title", "url", "feed"}], each
    URL carrying the page's query string without the page number (a feed or a download is
    the whole list, not one page of it)."""
    singular = listing.url_name.removesuffix("_list")
    encoded = query_with(request.GET, drop=("page", "more"))
    formats = [(_("Atom feed"), "feed"), (_("CSV"), "csv"), (_("JSON"), "json")]
    return [
        {
            "title": title,
            "url": with_query(reverse(f"{singular}_{name}"), encoded),
            "feed": name == "feed",
        }
        for title, name in formats
    ]


def page_number(request):
    """The requested page number (1 if none); 404 for anything that is not a whole number
    of at least 1, as Django's paginator would."""
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        raise Http404(_("That page number is not a whole number.")) from None
    if number < 1:
        raise Http404(_("Page numbers start at 1."))
    return number


# Filters whose single value makes a page of its own (the lists of one sector, which sector
# pages link to and the sitemap lists): such a page is its own canonical address.
LANDING_FILTERS = {"sector"}


class FinderView(TemplateView):
    """A list page with facets. Subclasses set `listing`; `has_formats` where the list also
    answers as Atom, CSV and JSON."""

    template_name = "portal/finder.html"
    listing = None
    has_formats = False
    page_size = PAGE_SIZE
    # A template drawing the page's rows, in place of a list of cards.
    results_template = None
    intro = ""
    # Whether the page links to /network/, the map of who works with whom.
    links_to_network = False

    def get(self, request, *args, **kwargs):
        query = FinderQuery(self.listing, request.GET, request_state(request))
        number = page_number(request)
        problems = [
            f"{self.label(query, name)}: {message}" if name != "__all__" else message
            for name, messages in query.problems.items()
            for message in messages
        ]
        status = 400 if query.too_many else 200
        first_result = (number - 1) * self.page_size + 1
        depth_problem = query.depth_problem(first_result) if query.valid else ""
        if depth_problem:
            problems.append(depth_problem)
            status = 400
        cards_only = self.results_template is None
        rows_read = query.filterset.queryset
        if cards_only:  # What cards show of related rows is read only for cards not in memory.
            rows_read = rows_read.prefetch_related(None)
        paginator = Paginator(query.results(rows_read), self.page_size)
        page = None
        if not problems:
            try:
                page = paginator.page(number)
            except InvalidPage as error:
                raise Http404(str(error)) from None
        more = request.GET.get("more")
        rows = self.with_details(page.object_list) if page else []
        if cards_only:
            rows = fetch_when_rendered(rows, self.listing.prefetch_related)
        if query.search_text:  # Where each result matched: one query for the page's rows.
            rows = attach_snippets(rows, query.search_text, query.thesaurus)
        context = self.get_context_data(
            title=self.listing.title,
            card_template=self.listing.card_template,
            results_template=self.results_template,
            intro=self.intro,
            filter=query.filterset,
            page_obj=page,
            paginator=paginator if page else None,
            object_list=rows,
            searching=bool(query.search_text),
            sort_key=query.sort_key if query.valid else None,
            result_count=paginator.count if page else 0,
            facets=query.facets(expand=more),
            problems=problems,
            unknown_parameters=query.filterset.unknown_parameters(),
            canonical_url=self.canonical_url(query),
            format_links=format_links(request, self.listing) if self.has_formats else [],
            **self.chips_and_suggestions(query, page),
        )
        return self.render_to_response(context, status=status)

    def with_details(self, rows):
        """The rows of the page shown, with anything more their cards need (a fixed number
        of queries); as they are by default."""
        return rows

    @staticmethod
    def label(query, name):
        filters = query.filterset.filters
        return filters[name].label if name in filters else name

    def chips_and_suggestions(self, query, page):
        """Removable chips for the active filters, and, when nothing matches, the removals
        that would bring results back. Links keep every other parameter but the page."""
        if not query.valid:
            return {"chips": [], "suggestions": []}
        active = query.filterset.active_filters()
        GET = self.request.GET

        def without(name, value):
            return "?" + query_with(GET, drop=("page",), remove=(name, value))

        chips = [(label, without(name, value)) for name, value, label in active]
        suggestions = []
        if page is not None and not page.object_list:
            suggestions = [
                (label, without(name, value), count)
                for label, name, value, count in query.suggestions(active)
            ]
        return {"chips": chips, "suggestions": suggestions}

    def canonical_url(self, query):
        """The list this page is a view of: the unfiltered list, or the list of one value of
        a LANDING_FILTERS filter (one sector), with its page number; any other filter, sort
        or search points to the unfiltered list's first page, so that search engines index
        the lists rather than every combination of filters."""
        GET = self.request.GET
        used = [name for name in query.filterset.filters if any(GET.getlist(name))]
        if not used:
            kept = {"page"}
        elif len(used) == 1 and used[0] in LANDING_FILTERS and len(GET.getlist(used[0])) == 1:
            kept = {used[0], "page"}
        else:
            kept = set()
        return absolute_url(with_query(self.request.path, sorted_query(GET, kept)))


class ArticleListView(FinderView):
    listing = ARTICLES
    has_formats = True


class InitiativeListView(FinderView):
    """The initiatives, each card with a "Compare" box for the compare page's form."""

    listing = INITIATIVES
    has_formats = True
    links_to_network = True
    extra_context = {
        "compare_choice": {
            "url": reverse_lazy("portal:initiative_compare"),
            "min": MIN_ITEMS,
            "max": MAX_ITEMS,
        }
    }


class OrganisationListView(FinderView):
    listing = ORGANISATIONS
    links_to_network = True


class SourceListView(FinderView):
    """Every source, filterable by type of publisher and publisher, each with what cites it."""

    listing = SOURCES

    def with_details(self, rows):
        return attach_citations(list(rows), filters_by_source)


class TimelineView(FinderView):
    """Milestones grouped by year, oldest first by default: a timeline is read as a story,
    each step after what led to it (the feed, for subscribers, is newest first)."""

    listing = TIMELINE
    has_formats = True
    # Most years fit on one page, so a year's milestones are seldom split between pages.
    page_size = 50
    results_template = "portal/includes/_timeline_results.html"
    intro = gettext_lazy(
        "What changed in Hong Kong's AI policy, and when: strategies announced, centres "
        "launched, money set aside and rules issued, each with the sources that date it. "
        "Dates are only as precise as the sources: some give the day, some the month, some "
        "only the year."
    )


article_list_view = ArticleListView.as_view()
initiative_list_view = InitiativeListView.as_view()
organisation_list_view = OrganisationListView.as_view()
source_list_view = SourceListView.as_view()
timeline_view = TimelineView.as_view()
