"""The finders: filterable lists of articles, initiatives and organisations, and site search.

Every page is fully described by its query string. Filtering is defined in `portal.filters`;
this module only turns a FilterSet into what the page shows: results, facet counts, removable
chips, the problems with the input, and which filter to drop when nothing matches.
"""

from urllib.parse import quote

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView

from portal.filters import ArticleFilter, InitiativeFilter, OrganisationFilter
from portal.models import Article, Initiative, Organisation, Sector
from portal.search import MAX_QUERY_LENGTH, search
from portal.views.pages import SECTOR_NAMES


def query_without(query, parameter, value=None):
    """`query` (a QueryDict) as a query string without `parameter` (or just its `value`).

    The page number is dropped too: the results change, so page 3 may no longer exist.
    """
    query = query.copy()
    if value is None:
        query.pop(parameter, None)
    else:
        query.setlist(parameter, [v for v in query.getlist(parameter) if v != value])
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def format_links(request, kind):
    """The other formats of the finder page `kind` ("articles" or "initiatives") for this query.

    Returns [{"title", "url", "feed"}], each URL carrying the page's query string without the
    page number (a feed or a download is the whole list, not one page of it).
    """
    singular = {"articles": "article", "initiatives": "initiative"}[kind]
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    suffix = f"?{encoded}" if encoded else ""
    formats = [(_("Atom feed"), "feed"), (_("CSV"), "csv"), (_("JSON"), "json")]
    return [
        {
            "title": title,
            "url": reverse(f"portal:{singular}_{name}") + suffix,
            "feed": name == "feed",
        }
        for title, name in formats
    ]


class FinderMixin:
    """Shared by the list pages and their other formats: a bound, validated FilterSet."""

    strict = True

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, even with no parameters, so the default sort order applies.
        kwargs["data"] = self.request.GET
        return kwargs

    def filtered_queryset(self):
        """The matching rows, or none when the input is invalid (strict, as django-filter)."""
        filterset = self.filterset
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()


class FinderView(FinderMixin, FilterView):
    """A list page with facets. Subclasses set `filterset_class`, `title`, `card_template`."""

    paginate_by = 20
    template_name = "portal/finder.html"
    title = ""
    card_template = ""
    # "articles" or "initiatives": the finders that also answer as Atom, CSV and JSON.
    format_kind = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, query = self.filterset, self.request.GET
        paginator = context["paginator"]
        result_count = paginator.count if paginator else len(context["object_list"])
        active = filterset.active_filters()
        context.update(
            title=self.title,
            card_template=self.card_template,
            result_count=result_count,
            facets=filterset.facets(),
            chips=[(label, query_without(query, name, value)) for name, value, label in active],
            problems=self.problems(),
            unknown_parameters=filterset.unknown_parameters(),
            suggestions=self.suggestions(active) if result_count == 0 else [],
            canonical_url=self.canonical_url(),
            format_links=format_links(self.request, self.format_kind) if self.format_kind else [],
        )
        return context

    def canonical_url(self):
        """This page's address with only the parameters the finder understands, in a fixed order.

        Tracking parameters (utm_*, etc.) and repeated orderings of the same filters then
        share one canonical address.
        """
        query = self.request.GET.copy()
        for name in self.filterset.unknown_parameters():
            query.pop(name)
        ordered = sorted((k, v) for k in query for v in query.getlist(k) if v)
        encoded = "&".join(f"{quote(k)}={quote(v)}" for k, v in ordered)
        return self.request.build_absolute_uri(
            self.request.path + (f"?{encoded}" if encoded else "")
        )

    def problems(self):
        """Readable messages for invalid parameters, naming the filter and the value."""
        filterset = self.filterset
        messages = []
        for name, errors in filterset.errors.items():
            label = filterset.filters[name].label if name in filterset.filters else name
            for error in errors:
                messages.append(f"{label}: {error}")
        return messages

    def suggestions(self, active):
        """For each filter in use, how many results there would be without it.

        Returns [(label, link, count)] for the removals that bring results back. Runs one
        query per active filter value: bounded by the URL, not by the data.
        """
        query = self.request.GET
        found = []
        for name, value, label in active:
            without = query_without(query, name, value)
            data = query.copy()
            data.setlist(name, [v for v in data.getlist(name) if v != value])
            filterset = self.filterset_class(data=data, queryset=self.filterset.queryset)
            if filterset.is_valid() and (count := filterset.qs.count()):
                found.append((label, without, count))
        return found


class ArticleListView(FinderView):
    filterset_class = ArticleFilter
    title = gettext_lazy("Articles")
    card_template = "portal/includes/_article_card.html"
    format_kind = "articles"

    def get_queryset(self):
        return Article.objects.published().prefetch_related(SECTOR_NAMES)


class InitiativeListView(FinderView):
    filterset_class = InitiativeFilter
    title = gettext_lazy("Initiatives")
    card_template = "portal/includes/_initiative_card.html"
    format_kind = "initiatives"

    def get_queryset(self):
        return Initiative.objects.select_related("lead_organisation").prefetch_related(SECTOR_NAMES)


class OrganisationListView(FinderView):
    filterset_class = OrganisationFilter
    title = gettext_lazy("Organisations")
    card_template = "portal/includes/_organisation_card.html"

    def get_queryset(self):
        return Organisation.objects.prefetch_related(SECTOR_NAMES)


# How many results of each type the search page shows before linking to the full list.
SEARCH_GROUP_SIZE = 5


def search_view(request):
    """Search across content types, grouped by type, best matches first.

    Template: ``portal/search.html``. Context: ``q``, ``groups`` (a list of dicts with
    ``title``, ``card_template``, ``results``, ``count`` and ``more_url``), ``problem``.
    """
    q = request.GET.get("q", "").strip()
    problem = ""
    if len(q) > MAX_QUERY_LENGTH:
        problem = _("Search terms can be at most %(limit)d characters long.") % {
            "limit": MAX_QUERY_LENGTH
        }
    groups = []
    if q and not problem:
        sources = [
            (
                _("Articles"),
                "portal/includes/_article_card.html",
                "portal:article_list",
                Article.objects.published().prefetch_related(SECTOR_NAMES),
            ),
            (
                _("Initiatives"),
                "portal/includes/_initiative_card.html",
                "portal:initiative_list",
                Initiative.objects.select_related("lead_organisation").prefetch_related(
                    SECTOR_NAMES
                ),
            ),
            (
                _("Organisations"),
                "portal/includes/_organisation_card.html",
                "portal:organisation_list",
                Organisation.objects.prefetch_related(SECTOR_NAMES),
            ),
            (
                _("Sectors"),
                "portal/includes/_sector_card.html",
                "portal:sector_list",
                Sector.objects.all(),
            ),
        ]
        for title, card_template, list_url, queryset in sources:
            matches = search(queryset, q).order_by("-search_rank")
            count = matches.count()
            groups.append(
                {
                    "title": title,
                    "card_template": card_template,
                    "results": list(matches[:SEARCH_GROUP_SIZE]) if count else [],
                    "count": count,
                    "list_url": list_url,
                }
            )
    status = 400 if problem else 200
    context = {
        "q": q,
        "groups": groups,
        "problem": problem,
        "total": sum(group["count"] for group in groups),
    }
    return render(request, "portal/search.html", context, status=status)


article_list_view = ArticleListView.as_view()
initiative_list_view = InitiativeListView.as_view()
organisation_list_view = OrganisationListView.as_view()
