"""The one place where the public lists' filters, sorting and facets are defined.

Each FilterSet describes a finder: the filters a reader can apply (slugs in URLs, repeatable
where "any of" makes sense), how results sort, and which filters are shown as facets. Filters
that can be facets also say how to index their options (`index_groups`: the row ids of each
option, for portal.finders.facets), so that counts never need a query per option. Invalid input
makes the form invalid; views then show the form's errors. A query string may carry at most
MAX_VALUES_PER_FILTER values for one filter and MAX_VALUES in all (`too_many_values`).
"""

import copy
import datetime
from collections import namedtuple
from dataclasses import dataclass
from html import escape

import django_filters
from django import forms
from django.db.models import F, Q, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.finders.facets import id_lists, id_lists_by_range
from portal.models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    Source,
    languages,
)
from portal.search.query import MAX_QUERY_LENGTH, search

# Bounds on what one URL may ask for: each value is work (and a checkbox to show).
MAX_VALUES_PER_FILTER = 20
MAX_VALUES = 40


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    # The label's language where it differs from the page's (an untranslated name), else "".
    lang: str = ""

    @property
    def count_label(self):
        """ "(3 results)", in the page's language: worked out here rather than by a template
        tag, since a finder renders dozens of options."""
        return ngettext("(%(counter)s result)", "(%(counter)s results)", self.count) % {
            "counter": self.count
        }


@dataclass(frozen=True)
class Facet:
    name: str
    legend: str
    options: list
    # "checkbox" where several values may be chosen (any of them matches), else "radio".
    input_type: str = "checkbox"
    # Options with results that are not shown (a long facet shows its top ones), and
    # whether this facet is the one expanded to show them all.
    hidden: int = 0
    expanded: bool = False

    def options_html(self):
        """The options as `<li>` elements, for templates/portal/includes/_finder_form.html.

        Built here rather than in a template loop: a finder shows up to a hundred options, and
        at eight template variables each the loop was a quarter of an uncached list page's
        time. Every value is escaped with html.escape (quotes too), as the template would.
        """
        name, input_type = escape(self.name), escape(self.input_type)
        items = []
        for option in self.options:
            value, label = escape(option.value), escape(option.label)
            if option.lang:
                label = f'<span lang="{escape(option.lang)}">{label}</span>'
            empty = "" if option.count or option.selected else " facet-option--empty"
            checked = " checked" if option.selected else ""
            count = escape(option.count_label)
            items.append(
                f'<li class="facet-option{empty}"><input type="{input_type}" name="{name}" '
                f'value="{value}" id="f-{name}-{value}"{checked}><label for="f-{name}-{value}">'
                f'{label} <span class="facet-count">{count}</span></label></li>'
            )
        return mark_safe("\n".join(items))

    def as_json(self):
        """The options as JSON-ready dicts (the "Any" choice is a form control, not data)."""
        return [
            {"value": o.value, "label": o.label, "count": o.count} for o in self.options if o.value
        ]


class SearchFilter(django_filters.CharFilter):
    """Full-text search. Sorting by relevance is done by portal.finders.listings, from the scores.
    Terms match their synonyms in the FilterSet's `thesaurus` where it has one (set by
    portal.finders.listings.FinderQuery for the content generation), else the reviewed list."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_QUERY_LENGTH, label=_("Search"), **kwargs)

    def filter(self, qs, value):
        if not (value and value.strip()):
            return qs
        return search(qs, value, getattr(self.parent, "thesaurus", None))


# An AnyOfFilter's option as a facet shows it: `name_en`, `name_zh_hant`, ... read by
# portal.models.in_current_language as on a model instance.
Option = namedtuple("Option", ("pk", "slug", *languages("name")))


class AnyOfFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows related to any of the chosen objects (by slug) through any of `relations`.

    Filters with a `pk IN (subquery)` rather than joins, so results never repeat and
    sorting needs no DISTINCT.
    """

    def __init__(self, *, relations, queryset, to_field_name="slug", **kwargs):
        self.relations = relations
        super().__init__(queryset=queryset, to_field_name=to_field_name, **kwargs)

    def option_key(self, obj):
        """How an option appears in URLs: its slug (or whichever field `to_field_name` is)."""
        return str(getattr(obj, self.field_name_in_url))

    @property
    def field_name_in_url(self):
        return self.extra["to_field_name"]

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
        # `pk + 0` is the same number, but no index applies to it: each row read in the
        # list's order (its date index) is tested against the related ids. Given the bare
        # key, SQLite looked every related row up, bodies and all, and sorted them: 25 ms
        # for an initiative in 23,000 of 100,000 articles, against 2 ms.
        return qs.alias(_row=F("pk") + 0).filter(_row__in=related.values("pk"))

    def index_groups(self, rows):
        """{option pk: BitMap of the ids of `rows`' model related to it}, one query per
        relation, reading the relation tables (or foreign key column) alone."""
        model = rows.model
        groups = {}
        for relation in self.relations:
            field = model._meta.get_field(relation)
            if field.many_to_many:
                pairs = id_lists(
                    field.remote_field.through.objects.all(),
                    field.m2m_reverse_name(),
                    field.m2m_column_name(),
                )
            else:
                pairs = id_lists(
                    model._default_manager.filter(**{f"{field.attname}__isnull": False}),
                    field.attname,
                )
            for key, ids in pairs.items():
                groups[key] = groups[key] | ids if key in groups else ids
        return groups

    def option_objects(self):
        """{pk: Option} for every option, in the queryset's order: what its label and link
        need, as plain tuples (kept in the facet index, whose cache pickles them: model
        instances took about 15 ms to pickle for 1,500 initiatives)."""
        rows = self.queryset.values_list(*Option._fields)
        return {row[0]: Option._make(row) for row in rows}

    def value_keys(self, value):
        """The index keys of a cleaned value (a list of option objects)."""
        return [o.pk for o in value]


class SourceNumbersField(django_filters.fields.ModelMultipleChoiceField):
    """Source numbers. One a 64-bit column cannot hold is invalid like any unknown number:
    SQLite raises OverflowError when asked to compare it (a server error)."""

    def _check_values(self, value):
        for number in value:
            try:
                in_range = -(2**63) <= int(number) < 2**63
            except (TypeError, ValueError):
                continue  # Django's own check refuses it
            if not in_range:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": number},
                )
        return super()._check_values(value)


class SourceOfFilter(AnyOfFilter):
    """Rows citing any of the chosen sources, by number (sources have no slug). Not a facet:
    it is how the list of sources links to everything that cites one source, so it is not
    indexed either; the database answers it (one indexed look-up in the relation table)."""

    field_class = SourceNumbersField
    index_groups = None

    def __init__(self, **kwargs):
        super().__init__(relations=["sources"], to_field_name="pk", **kwargs)


class TextValuesField(forms.Field):
    """Any number of short texts from a repeated parameter (e.g. ?publisher=A&publisher=B)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_length, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [text for text in (str(v).strip() for v in values) if text]

    def validate(self, value):
        super().validate(value)
        for text in value:
            if len(text) > self.max_length:
                raise forms.ValidationError(
                    gettext("Each value can be at most %(limit)d characters long.")
                    % {"limit": self.max_length}
                )
            if not text.isprintable():
                raise forms.ValidationError(gettext("Values cannot contain control characters."))


class ValueOfFilter(django_filters.Filter):
    """Rows whose text field `field_name` has any of the chosen values (e.g. publishers); a
    facet whose options are the values the rows have."""

    field_class = TextValuesField

    def __init__(self, *, max_length, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs

    def index_groups(self, rows):
        """{value: BitMap of the ids of `rows`}, in one grouped query."""
        return id_lists(rows.exclude(**{self.field_name: ""}), self.field_name)

    def value_keys(self, value):
        return list(value)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, **kwargs)


class YearOfFilter(YearFilter):
    """Rows whose date field falls in the chosen year (in the site's time zone); a facet.

    Its field must be set on every visible row (an article's publish date is), so that the
    years partition them: the facet index takes the visible ids from its groups."""

    partitions_rows = True

    def __init__(self, *, field_name, **kwargs):
        super().__init__(field_name=field_name, lookup_expr="year", **kwargs)

    def index_groups(self, rows):
        """{year: BitMap of the ids of `rows`}, in two queries: the first and last dates, then
        one range of dates per year, from its first moment to the next year's (local time),
        all in one statement. Each range is a stretch of the visibility index (status, date):
        no per-row expression (extracting the year in the site's time zone would be a Python
        function per row on SQLite), no grouping. At 100,000 articles, a third of the time
        of grouping the rows by a computed year."""
        span = self._first_and_last(rows)
        if span is None:
            return {}
        zone = timezone.get_current_timezone()
        first, last = (timezone.localtime(span[k], zone).year for k in ("first", "last"))
        ranges = {
            year: (
                datetime.datetime(year, 1, 1, tzinfo=zone),
                datetime.datetime(year + 1, 1, 1, tzinfo=zone),
            )
            for year in range(first, last + 1)
        }
        return id_lists_by_range(rows, self.field_name, ranges)

    def _first_and_last(self, rows):
        """{"first", "last"} dates of `rows`, or None if there are none: in one query, each
        the end of an index (SQLite reads the whole range for MIN and MAX in one query)."""
        dates = rows.order_by().values(self.field_name)
        span = (
            rows.model._base_manager.order_by()
            .annotate(
                first=Subquery(dates.order_by(self.field_name)[:1]),
                last=Subquery(dates.order_by(f"-{self.field_name}")[:1]),
            )
            .values("first", "last")
            .first()
        )
        return span if span and span["first"] is not None else None

    def value_keys(self, value):
        return [value]


class IndexedChoiceFilter(django_filters.ChoiceFilter):
    """One value of a choice field (kind, status); a facet."""

    def index_groups(self, rows):
        """{stored value: BitMap of the ids of `rows`}, in one grouped query."""
        return id_lists(rows, self.field_name)

    def value_keys(self, value):
        return [value]


class SortFilter(django_filters.ChoiceFilter):
    """Orders the results. With a search term the default is relevance; without, `default`."""

    def __init__(self, *, orderings, default, **kwargs):
        self.orderings = orderings
        self.default = default
        choices = [(key, label) for key, (label, _fields) in orderings.items()]
        super().__init__(choices=choices, label=_("Sort by"), empty_label=None, **kwargs)

    def resolve(self, value, searching):
        """The ordering key in force: relevance by default when searching, and never
        relevance without a search (there is nothing to be relevant to)."""
        if value == "relevance" and not searching:
            value = None
        return value or ("relevance" if searching else self.default)

    def ordering(self, key):
        """The order_by() arguments of ordering `key` (relevance is sorted by
        portal.finders.listings, from the search scores; its fields say how ties are broken)."""
        return self.orderings[key][1]

    def filter(self, qs, value):
        searching = bool((self.parent.form.cleaned_data.get("q") or "").strip())
        key = self.resolve(value, searching)
        return qs if key == "relevance" else qs.order_by(*self.ordering(key))


def is_empty(value):
    """Whether a cleaned filter value asks for nothing (None, "", or no options chosen)."""
    if value is None or isinstance(value, str):
        return not value
    if hasattr(value, "query") and value.query.is_empty():
        return True  # `QuerySet.none()`, as a multiple-choice field cleans no choice.
    return hasattr(value, "__len__") and len(value) == 0


def chip_label(filter_, value):
    """How an active filter reads in chips, feed titles and suggestions, e.g. "Sector: Health"."""
    return gettext("%(filter)s: %(value)s") % {"filter": filter_.label, "value": value}


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

    @classmethod
    def get_filters(cls):
        return _FilterTemplates(super().get_filters())

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
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or is_empty(value):
                continue
            filter_ = self.filters[name]
            if isinstance(filter_, AnyOfFilter):
                active += [(name, filter_.option_key(o), chip_label(filter_, o)) for o in value]
            elif isinstance(filter_, ValueOfFilter):
                active += [(name, text, chip_label(filter_, text)) for text in value]
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

    facet_names = ("sector", "kind", "status", "organisation")

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


class YearBoundFilter(YearFilter):
    """One end of a year range over a date field: rows dated in year `value` or later
    (`bound="from"`) or in year `value` or earlier (`bound="to"`). Indexed by year, so a
    range costs no query: its ids are the union of the years it covers."""

    def __init__(self, *, field_name, bound, **kwargs):
        self.bound = bound
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        # Plain date comparisons, which an index on the date serves.
        if self.bound == "from":
            return qs.filter(**{f"{self.field_name}__gte": datetime.date(value, 1, 1)})
        return qs.filter(**{f"{self.field_name}__lte": datetime.date(value, 12, 31)})

    def index_groups(self, rows):
        """{year: BitMap of the ids of `rows`}, in one grouped query."""
        return id_lists(rows.annotate(_year=ExtractYear(self.field_name)), "_year")

    def value_keys(self, value):
        if self.bound == "from":
            return range(value, LATEST_YEAR + 1)
        return range(EARLIEST_YEAR, value + 1)


class MilestoneFilter(FinderFilterSet):
    q = SearchFilter()
    sector = AnyOfFilter(label=_("Sector"), relations=["sectors"], queryset=Sector.objects.all())
    kind = IndexedChoiceFilter(field_name="kind", choices=Milestone.Kind.choices, label=_("Kind"))
    initiative = AnyOfFilter(
        label=_("Initiative"), relations=["initiatives"], queryset=Initiative.objects.all()
    )
    organisation = AnyOfFilter(
        label=_("Organisation"), relations=["organisations"], queryset=Organisation.objects.all()
    )
    # "from" is a Python keyword, so that filter goes into the class namespace by name; the
    # addresses read naturally: /timeline/?from=2020&to=2023.
    locals()["from"] = YearBoundFilter(field_name="date", bound="from", label=_("From year"))
    to = YearBoundFilter(field_name="date", bound="to", label=_("To year"))
    sort = SortFilter(
        default="oldest",
        orderings={
            "oldest": (_("Oldest first"), ("date", "title_en")),
            "newest": (_("Newest first"), ("-date", "title_en")),
            "relevance": (_("Relevance"), ("-search_rank", "date")),
        },
    )

    facet_names = ("sector", "kind", "initiative", "organisation")

    class Meta:
        model = Milestone
        fields = []
        form = YearRangeForm
