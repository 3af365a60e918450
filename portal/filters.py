"""The one place where the public lists' filters, sorting and facet counts are defined.

Each FilterSet describes a finder: the filters a reader can apply (slugs in URLs, repeatable
where "any of" makes sense), how results sort, and which filters are shown as facets. Facet
counts are disjunctive: an option's count is what choosing it would give with the *other*
filters applied. Invalid input makes the form invalid; views then show the form's errors.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Count, F, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from portal.models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Article,
    Initiative,
    Organisation,
    Sector,
    count_of,
    in_current_language,
)
from portal.search import MAX_QUERY_LENGTH, search


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    # The label's language where it differs from the page's (an untranslated name), else "".
    lang: str = ""


@dataclass(frozen=True)
class Facet:
    name: str
    legend: str
    options: list
    # "checkbox" where several values may be chosen (any of them matches), else "radio".
    input_type: str = "checkbox"

    def as_json(self):
        """The options as JSON-ready dicts (the "Any" choice is a form control, not data)."""
        return [
            {"value": o.value, "label": o.label, "count": o.count} for o in self.options if o.value
        ]


class SearchFilter(django_filters.CharFilter):
    """Full-text search; leaves a `search_rank` annotation for sorting by relevance."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_QUERY_LENGTH, label=_("Search"), **kwargs)

    def filter(self, qs, value):
        return search(qs, value) if value and value.strip() else qs


class AnyOfFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows related to any of the chosen objects (by slug) through any of `relations`.

    Filters with a `pk IN (subquery)` rather than joins, so results never repeat and
    sorting needs no DISTINCT.
    """

    def __init__(self, *, relations, queryset, **kwargs):
        self.relations = relations
        super().__init__(queryset=queryset, to_field_name="slug", **kwargs)

    def condition(self, target, lookup="exact"):
        """The Q that relates a row to `target` (a primary key, a list of them, an OuterRef)."""
        condition = Q()
        for relation in self.relations:
            condition |= Q(**{f"{relation}__{lookup}": target})
        return condition

    def filter(self, qs, value):
        if not value:
            return qs
        related = self.model._default_manager.filter(self.condition([o.pk for o in value], "in"))
        return qs.filter(pk__in=related.values("pk"))


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, **kwargs)


class SortFilter(django_filters.ChoiceFilter):
    """Orders the results. With a search term the default is relevance; without, `default`."""

    def __init__(self, *, orderings, default, **kwargs):
        self.orderings = orderings
        self.default = default
        choices = [(key, label) for key, (label, _fields) in orderings.items()]
        super().__init__(choices=choices, label=_("Sort by"), empty_label=None, **kwargs)

    def filter(self, qs, value):
        searching = bool((self.parent.form.cleaned_data.get("q") or "").strip())
        if value == "relevance" and not searching:
            value = None  # Nothing to be relevant to: fall back to the usual order.
        value = value or ("relevance" if searching else self.default)
        return qs.order_by(*self.orderings[value][1])


def _label_and_lang(obj):
    """An option's name in the page's language, and "en" if it had to fall back to English."""
    text, language = in_current_language(obj, "name")
    return text, ("en" if language != (get_language() or settings.LANGUAGE_CODE) else "")


def chip_label(filter_, value):
    """How an active filter reads in chips, feed titles and suggestions, e.g. "Sector: Health"."""
    return gettext("%(filter)s: %(value)s") % {"filter": filter_.label, "value": value}


class FinderFilterSet(django_filters.FilterSet):
    """Adds facets, active-filter chips and parameter bookkeeping to a FilterSet."""

    # Filters shown as facets, in display order. Subclasses set this.
    facet_names = ()
    # Parameters a finder URL may carry besides the filters.
    page_parameters = ("page", "page_size")

    def filtered_without(self, name):
        """The queryset with every valid filter applied except `name` (and sorting)."""
        queryset = self.queryset.all()
        for filter_name, value in self.form.cleaned_data.items():
            if filter_name not in (name, "sort"):
                queryset = self.filters[filter_name].filter(queryset, value)
        return queryset

    def facets(self):
        """Every facet with every option and its disjunctive count; fixed queries per facet."""
        self.form.is_valid()
        return [self._facet(name) for name in self.facet_names]

    def _facet(self, name):
        filter_ = self.filters[name]
        base = self.filtered_without(name)
        selected = self._selected_values(name)
        if isinstance(filter_, AnyOfFilter):
            options = filter_.queryset.annotate(
                result_count=count_of(base.filter(filter_.condition(OuterRef("pk"))))
            )
            rows = [(o.slug, *_label_and_lang(o), o.result_count) for o in options]
        elif isinstance(filter_, YearFilter):
            rows = self._year_rows(filter_, base)
        else:
            counts = dict(
                base.order_by()
                .values_list(filter_.field_name)
                .annotate(n=Count("pk", distinct=True))
            )
            rows = [
                (str(v), str(label), "", counts.get(v, 0)) for v, label in filter_.extra["choices"]
            ]
        options = [
            FacetOption(v, label, count, v in selected, lang) for v, label, lang, count in rows
        ]
        if isinstance(filter_, AnyOfFilter):
            return Facet(name, str(filter_.label), options)
        # One value at a time: an "Any" choice lets readers without JavaScript clear it.
        any_option = FacetOption("", str(_("Any")), base.count(), not (selected - {""}))
        return Facet(name, str(filter_.label), [any_option, *options], input_type="radio")

    def _year_rows(self, filter_, base):
        def by_year(queryset):
            return dict(
                queryset.order_by()
                .annotate(_year=ExtractYear(filter_.field_name))
                .values_list("_year")
                .annotate(n=Count("pk", distinct=True))
            )

        counts, every_year = by_year(base), by_year(self.queryset)
        return [(str(y), str(y), "", counts.get(y, 0)) for y in sorted(every_year, reverse=True)]

    def _selected_values(self, name):
        return set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()

    def active_filters(self):
        """[(parameter, value, label)] for each valid filter value in use, for chips."""
        self.form.is_valid()
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, "", [], ()):
                continue
            filter_ = self.filters[name]
            if isinstance(filter_, AnyOfFilter):
                active += [(name, obj.slug, chip_label(filter_, obj)) for obj in value]
            elif isinstance(filter_, django_filters.ChoiceFilter):
                choice = dict(filter_.extra["choices"]).get(value, value)
                active.append((name, str(value), chip_label(filter_, choice)))
            elif isinstance(filter_, SearchFilter):
                quoted = gettext("“%(text)s”") % {"text": value}
                active.append((name, value, chip_label(filter_, quoted)))
            else:
                active.append((name, str(value), chip_label(filter_, value)))
        return active

    def unknown_parameters(self):
        """Parameters in the URL that this finder does not understand (they are ignored)."""
        known = set(self.filters) | set(self.page_parameters)
        return sorted(key for key in self.data if key not in known)


class ArticleFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    initiative = AnyOfFilter(
        label=_("Initiative"), relations=["initiatives"], queryset=Initiative.objects.all()
    )
    organisation = AnyOfFilter(
        label=_("Organisation"), relations=["organisations"], queryset=Organisation.objects.all()
    )
    year = YearFilter(field_name="publish_at", lookup_expr="year", label=_("Year published"))
    sort = SortFilter(
        default="newest",
        orderings={
            "newest": (_("Newest first"), ("-publish_at", "title_en")),
            "oldest": (_("Oldest first"), ("publish_at", "title_en")),
            "title": (_("Title (A to Z)"), ("title_en", "-publish_at")),
            "relevance": (_("Relevance"), ("-search_rank", "-publish_at")),
        },
    )

    facet_names = ("sector", "initiative", "organisation", "year")

    class Meta:
        model = Article
        fields = []


class InitiativeFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    kind = django_filters.ChoiceFilter(
        field_name="kind", choices=Initiative.Kind.choices, label=_("Kind")
    )
    status = django_filters.ChoiceFilter(
        field_name="status", choices=Initiative.Status.choices, label=_("Status")
    )
    organisation = AnyOfFilter(
        label=_("Organisation (lead or partner)"),
        relations=["lead_organisation", "partners"],
        queryset=Organisation.objects.all(),
    )
    active_in = YearFilter(method="filter_active_in", label=_("Active in year"))
    sort = SortFilter(
        default="name",
        orderings={
            "name": (_("Name (A to Z)"), ("name_en",)),
            # Undated rows last on every database (PostgreSQL would put them first).
            "newest": (_("Newest first"), (F("start_year").desc(nulls_last=True), "name_en")),
            "oldest": (_("Oldest first"), (F("start_year").asc(nulls_last=True), "name_en")),
            "relevance": (_("Relevance"), ("-search_rank", "name_en")),
        },
    )

    facet_names = ("sector", "kind", "status", "organisation")

    class Meta:
        model = Initiative
        fields = []

    def filter_active_in(self, queryset, name, year):
        """Initiatives that ran in `year`: started by then, and not ended before it."""
        return queryset.filter(start_year__lte=year).filter(
            Q(end_year__isnull=True) | Q(end_year__gte=year)
        )


class OrganisationFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    kind = django_filters.ChoiceFilter(
        field_name="kind", choices=Organisation.Kind.choices, label=_("Kind")
    )
    sort = SortFilter(
        default="name",
        orderings={
            "name": (_("Name (A to Z)"), ("name_en",)),
            "newest": (_("Newest first"), (F("founded_year").desc(nulls_last=True), "name_en")),
            "oldest": (_("Oldest first"), (F("founded_year").asc(nulls_last=True), "name_en")),
            "relevance": (_("Relevance"), ("-search_rank", "name_en")),
        },
    )

    facet_names = ("sector", "kind")

    class Meta:
        model = Organisation
        fields = []
