"""The public lists' FilterSets: which filters each finder combines, how its results sort,
and which filters it shows as facets.

The kinds of filter, and what each does for facets, chips and "without" links, are in
portal.finders.kinds. Invalid input makes the form invalid; views then show the form's
errors. A query string may carry at most MAX_VALUES_PER_FILTER values for one filter and
MAX_VALUES in all (`too_many_values`).
"""

import copy
import keyword

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.finders.kinds import (
    AnyOfCodesFilter,
    AnyOfFilter,
    ChoiceOfRelatedFilter,
    IndexedChoiceFilter,
    OpenNowFilter,
    SearchFilter,
    SortFilter,
    SourceOfFilter,
    ValueOfFilter,
    YearBoundFilter,
    YearFilter,
    YearOfFilter,
    is_empty,
)
from portal.models import (
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    Source,
)
from portal.records.schemes import Applicant

# Bounds on what one URL may ask for: each value is work (and a checkbox to show).
MAX_VALUES_PER_FILTER = 20
MAX_VALUES = 40


class _FilterTemplates(dict):
    """A FilterSet class's filters (`base_filters`), which each FilterSet instance copies.

    django-filter deep-copies them for every instance, querysets, choices and all: a fifth
    of an uncached finder page's Python time. A filter's own state per instance is its
    parent and model (set on the copy by the FilterSet), its form field (made lazily, and
    the form class is shared anyway: see `get_form_class`) and its `extra` options; so a
    shallow copy of each, with its own `extra` and a method filter re-bound to the copy,
    is enough."""

    def __deepcopy__(self, memo):
        return {name: self._instance_copy(filter_) for name, filter_ in self.items()}

    @staticmethod
    def _instance_copy(filter_):
        copied = copy.copy(filter_)
        copied.__dict__.pop("_field", None)
        copied.extra = dict(filter_.extra)
        if filter_.method is not None:
            copied.method = filter_.method  # Its FilterMethod calls the copy's parent.
        return copied


class FinderFilterSet(django_filters.FilterSet):
    """Adds facets, active-filter chips and parameter bookkeeping to a FilterSet."""

    # Filters shown as facets, in display order. Subclasses set this.
    facet_names = ()
    # Parameters a finder URL may carry besides the filters.
    page_parameters = ("page", "page_size", "more")
    # Whether the form shows its year range before the facets (see _finder_form.html).
    years_first = False

    @classmethod
    def get_filters(cls):
        """The filters by parameter name. A filter whose parameter is a Python keyword is
        declared with a trailing underscore (PEP 8), which its parameter drops: `from_`
        answers `?from=2020`, so addresses read naturally."""
        return _FilterTemplates(
            (cls._parameter_name(name), filter_) for name, filter_ in super().get_filters().items()
        )

    @staticmethod
    def _parameter_name(name):
        stripped = name.removesuffix("_")
        return stripped if name != stripped and keyword.iskeyword(stripped) else name

    def get_form_class(self):
        """The filters' form class, built once per FilterSet class rather than per request
        (django-filter builds it from fresh fields each time). Safe to share: a form copies
        its fields, and their querysets, when it is made."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def too_many_values(self):
        """{parameter: message} where the query string carries more values than a finder
        answers (MAX_VALUES_PER_FILTER for one filter, MAX_VALUES in all); checked before
        anything else, so an oversized URL costs nothing."""
        if not hasattr(self.data, "getlist"):
            return {}
        problems = {}
        total = 0
        for name in self.filters:
            count = len(self.data.getlist(name))
            total += count
            if count > MAX_VALUES_PER_FILTER:
                problems[name] = gettext(
                    "%(filter)s: choose at most %(limit)d values (this address has %(count)d)."
                ) % {
                    "filter": self.filters[name].label,
                    "limit": MAX_VALUES_PER_FILTER,
                    "count": count,
                }
        if total > MAX_VALUES and not problems:
            problems["__all__"] = gettext(
                "Use at most %(limit)d filter values in all (this address has %(count)d)."
            ) % {"limit": MAX_VALUES, "count": total}
        return problems

    def selected_values(self, name):
        """The raw values of parameter `name` in the query, as a set of strings."""
        return set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()

    def active_filters(self):
        """[(parameter, value, label)] for each valid filter value in use, for chips."""
        self.form.is_valid()
        return [
            chip
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and not is_empty(value)
            for chip in self.filters[name].chips(name, value)
        ]

    def unknown_parameters(self):
        """Parameters in the URL that this finder does not understand (they are ignored)."""
        known = set(self.filters) | set(self.page_parameters)
        return sorted(key for key in self.data if key not in known)


class YearRangeForm(forms.Form):
    """A filter form with a range of years (`year_range`: the first and last year's fields)
    that explains a range ending before it starts."""

    year_range = ("from", "to")

    def clean(self):
        cleaned = super().clean()
        first_name, last_name = self.year_range
        first, last = cleaned.get(first_name), cleaned.get(last_name)
        if first is not None and last is not None and first > last:
            self.add_error(
                last_name,
                gettext("The last year (%(to)s) is before the first year (%(from)s).")
                % {"to": last, "from": first},
            )
        return cleaned


class InitiativeFilterForm(YearRangeForm):
    year_range = ("started_from", "started_to")


class ArticleFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    initiative = AnyOfFilter(
        label=_("Initiative"), relations=["initiatives"], queryset=Initiative.objects.all()
    )
    organisation = AnyOfFilter(
        label=_("Organisation"), relations=["organisations"], queryset=Organisation.objects.all()
    )
    year = YearOfFilter(field_name="publish_at", label=_("Year published"))
    source = SourceOfFilter(label=_("Source"), queryset=Source.objects.all())
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
    kind = IndexedChoiceFilter(field_name="kind", choices=Initiative.Kind.choices, label=_("Kind"))
    status = IndexedChoiceFilter(
        field_name="status", choices=Initiative.Status.choices, label=_("Status")
    )
    organisation = AnyOfFilter(
        label=_("Organisation (lead or partner)"),
        relations=["lead_organisation", "partners"],
        queryset=Organisation.objects.all(),
    )
    active_in = YearFilter(method="filter_active_in", label=_("Active in year"))
    # Not indexed: one query on the small initiatives table answers either end.
    started_from = YearFilter(
        field_name="start_year", lookup_expr="gte", label=_("Started in or after")
    )
    started_to = YearFilter(
        field_name="start_year", lookup_expr="lte", label=_("Started in or before")
    )
    # A funding scheme's terms (issue #21).
    applications = OpenNowFilter(label=_("Applications"))
    applicants = AnyOfCodesFilter(
        field_name="applicants", choices=Applicant.choices, label=_("Who may apply")
    )
    source = SourceOfFilter(label=_("Source"), queryset=Source.objects.all())
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

    facet_names = ("sector", "kind", "status", "applications", "applicants", "organisation")

    class Meta:
        model = Initiative
        fields = []
        form = InitiativeFilterForm

    def filter_active_in(self, queryset, name, year):
        """Initiatives that ran in `year`: started by then, and not ended before it."""
        return queryset.filter(start_year__lte=year).filter(
            Q(end_year__isnull=True) | Q(end_year__gte=year)
        )


class OrganisationFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    kind = IndexedChoiceFilter(
        field_name="kind", choices=Organisation.Kind.choices, label=_("Kind")
    )
    source = SourceOfFilter(label=_("Source"), queryset=Source.objects.all())
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


class SourceFilter(FinderFilterSet):
    q = SearchFilter()
    publisher_type = IndexedChoiceFilter(
        field_name="publisher_type",
        choices=Source.PublisherType.choices,
        label=_("Type of publisher"),
    )
    publisher = ValueOfFilter(
        field_name="publisher",
        label=_("Publisher"),
        max_length=Source._meta.get_field("publisher").max_length,
    )
    sort = SortFilter(
        default="publisher",
        orderings={
            "relevance": (_("Relevance"), ("publisher", "title", "url")),
            "publisher": (_("Publisher (A to Z)"), ("publisher", "title", "url")),
            "title": (_("Title (A to Z)"), ("title", "url")),
            "accessed": (
                _("Most recently checked first"),
                (F("accessed").desc(nulls_last=True), "publisher", "title", "url"),
            ),
        },
    )

    facet_names = ("publisher_type", "publisher")

    class Meta:
        model = Source
        fields = []


class MilestoneFilter(FinderFilterSet):
    q = SearchFilter()
    # The year range first: "when" is what a timeline is asked first.
    from_ = YearBoundFilter(field_name="date", bound="from", label=_("From year"))
    to = YearBoundFilter(field_name="date", bound="to", label=_("To year"))
    kind = IndexedChoiceFilter(field_name="kind", choices=Milestone.Kind.choices, label=_("Kind"))
    # Who acted: the kinds of the organisations named, and of the lead organisations of the
    # initiatives named (a milestone of a university's scheme is a university's doing).
    actor_kind = ChoiceOfRelatedFilter(
        relations=["organisations__kind", "initiatives__lead_organisation__kind"],
        choices=Organisation.Kind.choices,
        label=_("Kind of actor"),
    )
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    initiative = AnyOfFilter(
        label=_("Initiative"), relations=["initiatives"], queryset=Initiative.objects.all()
    )
    organisation = AnyOfFilter(
        label=_("Organisation"), relations=["organisations"], queryset=Organisation.objects.all()
    )
    sort = SortFilter(
        default="oldest",
        orderings={
            "oldest": (_("Oldest first"), ("date", "title_en")),
            "newest": (_("Newest first"), ("-date", "title_en")),
            "relevance": (_("Relevance"), ("-search_rank", "date")),
        },
    )

    years_first = True
    facet_names = ("kind", "actor_kind", "sector", "initiative", "organisation")

    class Meta:
        model = Milestone
        fields = []
        form = YearRangeForm
