"""The kinds of filter a finder is made of, each carrying its own behaviour.

Every kind is a django-filter `Filter` and a `FinderFilter`: besides filtering a queryset it
says how its active values read as chips (`chips`), what is left of its value when one chip
is removed (`without`), which rows it lets through when the facet index does not hold it
(`ids`), and, for a facet, how its options and counts are shown (`facet`). Facet kinds also
say how to index their options (`index_groups`: the row ids of each option, for
portal.finders.facets) and which index keys a value stands for (`value_keys`). A new kind of
filter is one class here; the FilterSets (portal.finders.filters) only combine them.
"""

import datetime
import re
import zlib
from collections import namedtuple
from dataclasses import dataclass
from html import escape

import django_filters
from django import forms
from django.conf import settings
from django.db.models import CharField, F, Q, Subquery, Value
from django.db.models.functions import Concat, ExtractYear
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from portal.finders.facets import id_lists, id_lists_by_range, id_set
from portal.models import EARLIEST_YEAR, LATEST_YEAR, in_current_language, languages
from portal.search.query import MAX_QUERY_LENGTH, search

# A facet with more options than this shows only its top ones (and the chosen ones) ...
SHORT_FACET = 15
FACET_TOP = 10
# ... and at most this many when a reader asks for the rest.
FACET_EXPANDED = 100


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


# A value that can stand in an id as it is (slugs, years, "none"); HTML ids hold no whitespace.
_SLUG_LIKE = re.compile(r"[\w.-]*")


def option_id(value):
    """`value` as the part of an option's id after the filter's name: as it is when it is a
    slug, else (a publisher's name, "South China Morning Post") its slug and a checksum of the
    whole value, since an HTML id may hold no whitespace and two names can share a slug."""
    value = str(value)
    if _SLUG_LIKE.fullmatch(value):
        return value
    return f"{slugify(value, allow_unicode=True)}-{zlib.crc32(value.encode()):08x}"


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
            control = escape(f"f-{self.name}-{option_id(option.value)}")
            items.append(
                f'<li class="facet-option{empty}"><input type="{input_type}" name="{name}" '
                f'value="{value}" id="{control}"{checked}><label for="{control}">'
                f'{label} <span class="facet-count">{count}</span></label></li>'
            )
        return mark_safe("\n".join(items))

    def as_json(self):
        """The options as JSON-ready dicts (the "Any" choice is a form control, not data)."""
        return [
            {"value": o.value, "label": o.label, "count": o.count} for o in self.options if o.value
        ]


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


def option_label(obj):
    """A facet option's name in the page's language, and "en" if it fell back to English."""
    text, language = in_current_language(obj, "name")
    return text, ("en" if language != (get_language() or settings.LANGUAGE_CODE) else "")


class FinderFilter:
    """What a finder asks of every kind of filter, with the answers of a filter that takes
    one value and is not a facet; kinds override what differs. `query` is the request's
    portal.finders.query.FinderQuery."""

    def chips(self, name, value):
        """[(parameter, value as the URL gives it, label)] for the active `value`."""
        return [(name, str(value), chip_label(self, value))]

    def without(self, value, key):
        """This filter's value once the chip whose URL value is `key` is removed from
        `value`; None drops the filter."""
        return None

    def ids(self, query, value):
        """The BitMap of visible rows that `value` lets through, for a filter the facet
        index does not hold (e.g. a year range on a small table): one query."""
        rows = self.filter(query.listing.visible(), value)
        return BitMap(rows.values_list("pk", flat=True))

    def facet(self, name, query, expanded):
        """The `Facet` of this filter, counted in the facet index; `expanded` shows all of a
        long one."""
        raise TypeError(f"{type(self).__name__} is not a facet")


class OneOfFacet(FinderFilter):
    """A facet of one value at a time (radio buttons), its options `facet_options()`."""

    def facet_options(self, name, query):
        """[(URL value, label, index key)] in the order shown."""
        raise NotImplementedError

    def facet(self, name, query, expanded):
        index, within = query.index, query.matching({name: None})
        selected = query.filterset.selected_values(name)
        options = [
            FacetOption(value, label, index.count(name, key, within), value in selected)
            for value, label, key in self.facet_options(name, query)
        ]
        # One value at a time: an "Any" choice lets readers without JavaScript clear it.
        any_option = FacetOption("", gettext("Any"), len(within), not (selected - {""}))
        return Facet(name, str(self.label), [any_option, *options], input_type="radio")


def top_options(counted, selected, expanded):
    """([(option, count)] to show, how many with results are left out) for a checkbox
    facet: all of a short one; else the chosen ones and the top ones by count (ties by
    English name). Only the options shown get their labels worked out."""
    if len(counted) <= SHORT_FACET:
        return counted, 0
    limit = FACET_EXPANDED if expanded else FACET_TOP
    chosen = [(obj, n) for obj, n in counted if obj.slug in selected]
    others = sorted(
        ((obj, n) for obj, n in counted if n and obj.slug not in selected),
        key=lambda pair: (-pair[1], pair[0].name_en),
    )
    return chosen + others[:limit], max(0, len(others) - limit)


def top_values(counted, selected, expanded):
    """top_options for a facet of plain values (e.g. publishers), in alphabetical order
    when short: ([(value, count)] to show, how many with results are left out)."""
    if len(counted) <= SHORT_FACET:
        return sorted(counted), 0
    limit = FACET_EXPANDED if expanded else FACET_TOP
    chosen = sorted((v, n) for v, n in counted if v in selected)
    others = sorted(
        ((v, n) for v, n in counted if n and v not in selected),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return chosen + others[:limit], max(0, len(others) - limit)


class SearchFilter(FinderFilter, django_filters.CharFilter):
    """Full-text search. Sorting by relevance is done by portal.finders.listings, from the scores.
    Terms match their synonyms in the FilterSet's `thesaurus` where it has one (set by
    portal.finders.query.FinderQuery for the content generation), else the reviewed list."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_QUERY_LENGTH, label=_("Search"), **kwargs)

    def filter(self, qs, value):
        if not (value and value.strip()):
            return qs
        return search(qs, value, getattr(self.parent, "thesaurus", None))

    def chips(self, name, value):
        quoted = gettext("“%(text)s”") % {"text": value}
        return [(name, value, chip_label(self, quoted))]

    def ids(self, query, value):
        return query.found.ids


# An AnyOfFilter's option as a facet shows it: `name_en`, `name_zh_hant`, ... read by
# portal.models.in_current_language as on a model instance.
Option = namedtuple("Option", ("pk", "slug", *languages("name")))


class AnyOfFilter(FinderFilter, django_filters.ModelMultipleChoiceFilter):
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
        # key, SQLite looked every related row up, bodies and all, and sorted them.
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
        instances are slow to pickle)."""
        rows = self.queryset.values_list(*Option._fields)
        return {row[0]: Option._make(row) for row in rows}

    def value_keys(self, value):
        """The index keys of a cleaned value (a list of option objects)."""
        return [o.pk for o in value]

    def chips(self, name, value):
        return [(name, self.option_key(o), chip_label(self, o)) for o in value]

    def without(self, value, key):
        return [o for o in value if self.option_key(o) != key] or None

    def facet(self, name, query, expanded):
        """Checkboxes, any of which matches; a long facet shows its top options."""
        index, within = query.index, query.matching({name: None})
        selected = query.filterset.selected_values(name)
        counted = [(obj, index.count(name, pk, within)) for pk, obj in index.objects[name].items()]
        shown, hidden = top_options(counted, selected, expanded)
        options = []
        for obj, count in shown:
            label, lang = option_label(obj)
            options.append(FacetOption(obj.slug, label, count, obj.slug in selected, lang))
        return Facet(name, str(self.label), options, hidden=hidden, expanded=expanded)


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


class ValueOfFilter(FinderFilter, django_filters.Filter):
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

    def chips(self, name, value):
        return [(name, text, chip_label(self, text)) for text in value]

    def without(self, value, key):
        return [text for text in value if text != key] or None

    def facet(self, name, query, expanded):
        """Checkboxes, any of which matches; a long facet shows its top values."""
        index, within = query.index, query.matching({name: None})
        selected = query.filterset.selected_values(name)
        counted = [(value, index.count(name, value, within)) for value in index.options[name]]
        shown, hidden = top_values(counted, selected, expanded)
        options = [FacetOption(v, v, count, v in selected) for v, count in shown]
        return Facet(name, str(self.label), options, hidden=hidden, expanded=expanded)


class YearFilter(FinderFilter, django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, **kwargs)


class YearOfFilter(OneOfFacet, YearFilter):
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

    def facet_options(self, name, query):
        """The years that have rows, newest first."""
        years = sorted(query.index.options[name], reverse=True)
        return [(str(year), str(year), year) for year in years]


class ChoiceChips:
    """Chips of a choice filter read its choice's label."""

    def chips(self, name, value):
        choice = dict(self.extra["choices"]).get(value, value)
        return [(name, str(value), chip_label(self, choice))]


class IndexedChoiceFilter(ChoiceChips, OneOfFacet, django_filters.ChoiceFilter):
    """One value of a choice field (kind, status); a facet."""

    def index_groups(self, rows):
        """{stored value: BitMap of the ids of `rows`}, in one grouped query."""
        return id_lists(rows, self.field_name)

    def value_keys(self, value):
        return [value]

    def facet_options(self, name, query):
        """Every choice, in the order of the choices."""
        return [(str(value), str(label), value) for value, label in self.extra["choices"]]


class ChoiceOfRelatedFilter(FinderFilter, django_filters.MultipleChoiceFilter):
    """Rows related to anything whose choice field has any of the chosen values: each of
    `relations` is a path from the row to that field (e.g. "organisations__kind", the kinds
    of actor on the timeline). A facet of checkboxes, any of which matches, in the order of
    the choices.

    Filters with a `pk IN (subquery)`, as AnyOfFilter does, so a row linked to two matching
    objects appears once."""

    def __init__(self, *, relations, **kwargs):
        self.relations = relations
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for path in self.relations:
            condition |= Q(**{f"{path}__in": value})
        related = self.model._default_manager.filter(condition)
        return qs.alias(_row=F("pk") + 0).filter(_row__in=related.values("pk"))

    def index_groups(self, rows):
        """{choice: BitMap of the ids of `rows` related to something with it}, one grouped
        query per relation path (the joins to the choice column, grouped by it)."""
        groups = {}
        for path in self.relations:
            pairs = id_lists(rows.filter(**{f"{path}__isnull": False}), path)
            for key, ids in pairs.items():
                groups[key] = groups[key] | ids if key in groups else ids
        return groups

    def value_keys(self, value):
        return list(value)

    def chips(self, name, value):
        labels = dict(self.extra["choices"])
        return [(name, str(v), chip_label(self, labels.get(v, v))) for v in value]

    def without(self, value, key):
        return [v for v in value if str(v) != key] or None

    def facet(self, name, query, expanded):
        index, within = query.index, query.matching({name: None})
        selected = query.filterset.selected_values(name)
        options = [
            FacetOption(str(v), str(label), index.count(name, v, within), str(v) in selected)
            for v, label in self.extra["choices"]
        ]
        return Facet(name, str(self.label), options)


class SortFilter(ChoiceChips, FinderFilter, django_filters.ChoiceFilter):
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


class AnyOfCodesFilter(FinderFilter, django_filters.MultipleChoiceFilter):
    """Rows whose field of codes (portal.records.schemes.ApplicantsField: "universities
    companies") holds any of the chosen codes; a facet of every choice, in their order."""

    def filter(self, qs, value):
        if not value:
            return qs
        # Spaces at both ends, so that a code matches only a whole code of the list.
        padded = Concat(Value(" "), F(self.field_name), Value(" "), output_field=CharField())
        condition = Q()
        for code in value:
            condition |= Q(_codes__contains=f" {code} ")
        return qs.alias(_codes=padded).filter(condition)

    def index_groups(self, rows):
        """{code: BitMap of the ids of `rows`}, from one query of the rows that have codes."""
        groups = {}
        rows = rows.exclude(**{self.field_name: ""}).order_by()
        for pk, codes in rows.values_list("pk", self.field_name):
            for code in codes.split():
                groups.setdefault(code, BitMap()).add(pk)
        return groups

    def value_keys(self, value):
        return list(value)

    def chips(self, name, value):
        labels = dict(self.extra["choices"])
        return [(name, code, chip_label(self, labels.get(code, code))) for code in value]

    def without(self, value, key):
        return [code for code in value if code != key] or None

    def facet(self, name, query, expanded):
        """Checkboxes, any of which matches, one per choice."""
        index, within = query.index, query.matching({name: None})
        selected = query.filterset.selected_values(name)
        options = [
            FacetOption(code, str(label), index.count(name, code, within), code in selected)
            for code, label in self.extra["choices"]
        ]
        return Facet(name, str(self.label), options)


class OpenNowFilter(ChoiceChips, OneOfFacet, django_filters.ChoiceFilter):
    """Schemes taking applications today (Initiative.is_open_now's rule, worked out in the
    database). The facet index holds today's answer: its key is the content state's, which
    changes on the day any window opens or shuts (portal.caching.generation)."""

    OPEN = "open"

    def __init__(self, **kwargs):
        super().__init__(choices=[(self.OPEN, _("Open now"))], **kwargs)

    def filter(self, qs, value):
        return qs.open_for_applications() if value == self.OPEN else qs

    def index_groups(self, rows):
        """{"open": BitMap of the ids of `rows` open today}, in one query."""
        return {self.OPEN: id_set(rows.open_for_applications())}

    def value_keys(self, value):
        return [value]

    def facet_options(self, name, query):
        return [(value, str(label), value) for value, label in self.extra["choices"]]
