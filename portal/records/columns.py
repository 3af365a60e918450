"""Columns: what a record shows as a row of a table, and the one engine that fills tables.

Three tables read it: the public .csv and .json of a list (the `Columns` each model declares
in its PublicRecord), open data (`portal.opendata`, columns derived from the model's fields)
and the admin's CSV export (`portal.admin.transfer`, the exchanged fields).

A column has `headers` (its CSV header cells), `cells(row, found, context)` (its CSV cells
for one row) and `items(row, found, context)` (the (key, value) pairs it adds to the row's
JSON object). A column that reads a many-to-many relation also has `fetch(model, ids,
context)`: {row id: [...]} for a chunk of rows, in one query that builds no model instances;
`found` is then one row's share of it (None for columns that fetch nothing). Rows are model
instances or `values()` dicts with a "pk" key; `context` is whatever the columns need from
the request (e.g. `page_url(row)`). Spreadsheet formulas are guarded where the CSV is written
(`portal.opendata.spreadsheets.csv_response`), not here.
"""

import itertools

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from portal.records.description import translated_columns

# Between the names of related records in one CSV cell.
NAME_SEPARATOR = "; "


def isoformat(value):
    """A date or time as ISO 8601 (a time in the local zone), None as None."""
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.isoformat()


def _attribute(name):
    return lambda row: getattr(row, name)


class Field:
    """One value of a record: `key` in JSON (None: only in CSV), `header` in CSV (None: only
    in JSON). `value(row)` is the JSON value (by default the attribute `key`); `cell(row)`
    the CSV cell (by default the same value)."""

    joins = ()

    def __init__(self, key, header=None, *, value=None, cell=None):
        self.key, self.header = key, header
        self.value = value or _attribute(key)
        self.cell = cell or self.value
        self.headers = [header] if header is not None else []

    def cells(self, row, found, context):
        return [self.cell(row)] if self.header is not None else []

    def items(self, row, found, context):
        return [(self.key, self.value(row))] if self.key is not None else []


class Choice(Field):
    """A field with choices: its label in CSV, its code in JSON."""

    def __init__(self, key, header=None):
        super().__init__(key, header, cell=lambda row: getattr(row, f"get_{key}_display")())


class ForeignKey(Field):
    """A related record, joined in: its `shows` ("name" or a field) in CSV, its `key` in
    JSON; empty (None in JSON) where there is none."""

    def __init__(self, relation, header=None, *, key="slug", shows="name"):
        def read(attribute):
            def value(row):
                related = getattr(row, relation)
                return getattr(related, attribute) if related is not None else None

            return value

        super().__init__(relation, header, value=read(key))
        shown = read(shows)
        self.cell = lambda row: "" if (value := shown(row)) is None else value
        self.joins = (relation,)


class PageUrl(Field):
    """The absolute address of the record's page: `context.page_url(row)`."""

    def __init__(self, header=None, key="url"):
        super().__init__(key, header)

    def cells(self, row, found, context):
        return [context.page_url(row)] if self.header is not None else []

    def items(self, row, found, context):
        return [(self.key, context.page_url(row))] if self.key is not None else []


class Related:
    """A many-to-many relation: in CSV the related records' `shows` ("name": in the
    reader's language, English where that is missing; or a field such as "url"), joined by
    "; "; in JSON the list of their `key`. In `ordering` (by default the related model's
    own), fetched a chunk of rows at a time."""

    joins = ()

    def __init__(self, relation, header=None, *, key="slug", shows="name", ordering=None):
        self.relation, self.header, self.key, self.shows = relation, header, key, shows
        self.ordering = ordering
        self.headers = [header] if header is not None else []

    def fetch(self, model, ids, context):
        """{row id: [(key, shown), ...]} for the rows `ids`, in one query."""
        if self.shows == "name":
            english, local = translated_columns("name")[0], _name_column(get_language())
            found = related_values(model, self.relation, ids, (self.key, english, local))
            return {
                row_id: [(key, name or name_en) for key, name_en, name in values]
                for row_id, values in found.items()
            }
        found = related_values(
            model, self.relation, ids, (self.key, self.shows), ordering=self.ordering
        )
        return {row_id: [tuple(values) for values in found[row_id]] for row_id in found}

    def cells(self, row, found, context):
        if self.header is None:
            return []
        return [NAME_SEPARATOR.join(shown for _key, shown in found)]

    def items(self, row, found, context):
        return [(self.relation, [key for key, _shown in found])]


class Corrections:
    """The corrections stated on a record (types with the CORRECTIONS feature), newest
    first: in JSON a list of {"date", "field", "text"}; in CSV one cell, "2026-01-02: text"
    joined by "; ". The text is in the reader's language, English where that is missing.
    `PublicRecord` adds this column itself to a type that declares both FORMATS and
    CORRECTIONS, so no model lists it."""

    joins = ()
    key = "corrections"

    def __init__(self, header):
        self.header = header
        self.headers = [header]

    def fetch(self, model, ids, context):
        """{row id: [(date, field, text), ...]} for the rows `ids`, in one query through
        the index of Correction's foreign key to `model`."""
        relation = model._meta.get_field(self.key)
        owner = f"{relation.field.name}_id"
        english = translated_columns("text")[0]
        local = f"text_{(get_language() or settings.LANGUAGE_CODE).replace('-', '_')}"
        texts = (english,) if local == english else (english, local)
        rows = (
            relation.related_model.objects.filter(**{f"{owner}__in": ids})
            .order_by(owner, "-corrected_on", "-pk")
            .values_list(owner, "corrected_on", "field", *texts)
        )
        found = {}
        for row_id, day, field, text_en, *mine in rows:
            found.setdefault(row_id, []).append((day, field, (mine and mine[0]) or text_en))
        return found

    def cells(self, row, found, context):
        return [NAME_SEPARATOR.join(f"{isoformat(day)}: {text}" for day, _field, text in found)]

    def items(self, row, found, context):
        return [
            (
                self.key,
                [
                    {"date": isoformat(day), "field": field, "text": text}
                    for day, field, text in found
                ],
            )
        ]


class Columns:
    """A record type's columns in the public .csv and .json of its list, in order.

    `defer` names columns no cell reads that would make a row heavy (bodies, search
    tokens); the foreign keys that columns show are joined in.
    """

    def __init__(self, *columns, defer=()):
        self.columns = columns
        self.defer = defer

    def __iter__(self):
        return iter(self.columns)

    def with_column(self, column):
        """These columns and `column` after them."""
        return Columns(*self.columns, column, defer=self.defer)

    def header(self):
        return header(self.columns)

    def queryset(self, queryset):
        """`queryset` reading what the columns show, and no more than it needs to."""
        joins = [join for column in self.columns for join in column.joins]
        if joins:
            queryset = queryset.select_related(*joins)
        return queryset.defer(*self.defer) if self.defer else queryset


def header(columns):
    """The CSV header: each column's header cells, in order, in the active language."""
    return [str(cell) for column in columns for cell in column.headers]


def _row_id(row):
    return row["pk"] if isinstance(row, dict) else row.pk


def _found(columns, model, rows, context):
    """Each row with what each column fetched for it: [(row, [found per column]), ...]."""
    ids = [_row_id(row) for row in rows]
    fetched = [
        column.fetch(model, ids, context) if hasattr(column, "fetch") else None
        for column in columns
    ]
    return [
        (row, [None if found is None else found.get(_row_id(row), ()) for found in fetched])
        for row in rows
    ]


def _chunks(columns, model, rows, chunk_size, context):
    """Every row of `rows` (rows of `model` with `iterator()`, e.g. a queryset), streamed a
    chunk at a time: one query for the rows, one per fetching column and chunk, so memory
    and queries per chunk stay fixed."""
    for chunk in itertools.batched(rows.iterator(chunk_size), chunk_size):
        yield from _found(columns, model, chunk, context)


def csv_rows(columns, model, rows, chunk_size, context=None):
    """The CSV cells of every row of `rows`, streamed."""
    for row, found in _chunks(columns, model, rows, chunk_size, context):
        yield _cells(columns, row, found, context)


def json_rows(columns, model, rows, chunk_size, context=None):
    """The JSON object of every row of `rows`, streamed."""
    for row, found in _chunks(columns, model, rows, chunk_size, context):
        yield _object(columns, row, found, context)


def json_objects(columns, model, rows, context=None):
    """The JSON objects of `rows`, a list of `model`'s rows already read (a page)."""
    return [
        _object(columns, row, found, context)
        for row, found in _found(columns, model, rows, context)
    ]


def _cells(columns, row, found, context):
    return [
        cell
        for column, mine in zip(columns, found, strict=True)
        for cell in column.cells(row, mine, context)
    ]


def _object(columns, row, found, context):
    return dict(
        item
        for column, mine in zip(columns, found, strict=True)
        for item in column.items(row, mine, context)
    )


def related_values(model, relation, ids, columns, ranks=None, ordering=None):
    """{row id: [(value, ...), ...]}: the related model's `columns` for the many-to-many
    `relation` of `model`'s rows `ids`, in one query that builds no model instances.

    In `ordering` (names of the related model's fields), by default the related model's
    own; or, given `ranks` ({related id: position}), in that order and only the related
    rows it holds (e.g. published articles). Sorting by ranks in Python spares the database
    a join ordered by the related table, which SQLite plans as a scan of that whole table.
    """
    field = model._meta.get_field(relation)
    row, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    pairs = field.remote_field.through.objects.filter(**{f"{row}_id__in": ids})
    selected = (f"{row}_id", f"{target}_id", *(f"{target}__{column}" for column in columns))
    if ranks is None:
        ordering = [
            f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
            for name in (ordering or field.related_model._meta.ordering)
        ]
        pairs = pairs.order_by(*ordering).values_list(*selected)
    else:
        pairs = sorted(
            (pair for pair in pairs.order_by().values_list(*selected) if pair[1] in ranks),
            key=lambda pair: ranks[pair[1]],
        )
    found = {}
    for row_id, _target_id, *values in pairs:
        found.setdefault(row_id, []).append(values)
    return found


def _name_column(language):
    """The `name` column of a language code, e.g. "zh-hant" -> "name_zh_hant"."""
    return f"name_{(language or settings.LANGUAGE_CODE).replace('-', '_')}"
