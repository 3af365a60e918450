"""How a model field becomes columns of an open data table (see portal.opendata): its
Table Schema type, title and description, and its cells in CSV and values in JSON.

A "part" is what one model field contributes to a row: `columns` (Table Schema fields),
`selects` (what the row query reads: a field by name, or alias -> expression), and, as every
column of `portal.records.columns` has, `headers`, `cells()` and `items()` (the row's CSV
cells or JSON (key, value) items); a many-to-many part also `fetch()`es its relation a chunk
at a time. That module's engine streams the rows. Titles and descriptions stay lazy: each
file is in its own language.
"""

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.utils.functional import lazy
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from portal.records.columns import related_values

# Between the keys of a many-to-many column: slugs and URLs never contain a space.
KEY_SEPARATOR = " "

# Table Schema types (and formats) of Django's field classes, most specific first.
FIELD_TYPES = (
    (models.BooleanField, "boolean", "default"),
    (models.IntegerField, "integer", "default"),
    (models.DecimalField, "number", "default"),
    (models.FloatField, "number", "default"),
    (models.DateTimeField, "datetime", "default"),
    (models.DateField, "date", "default"),
    (models.URLField, "string", "uri"),
    (models.EmailField, "string", "email"),
    (models.UUIDField, "string", "uuid"),
    (models.CharField, "string", "default"),
    (models.TextField, "string", "default"),
)


def table_schema_type(model_field):
    """(type, format) of a model field in Table Schema terms; "any" for a kind not listed."""
    for field_class, kind, format in FIELD_TYPES:
        if isinstance(model_field, field_class):
            return kind, format
    return "any", "default"


def plain(value):
    """`value` as the JSON files give it: dates in ISO 8601, times in UTC to the second,
    which is the form Table Schema reads by default."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def cell(value):
    """`value` as a CSV cell: as in JSON, with true/false and empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return plain(value)


@dataclass(frozen=True)
class Column:
    """One column of a table: a Table Schema field descriptor."""

    name: str
    type: str
    title: str
    description: str = ""
    format: str = "default"
    constraints: dict = dataclass_field(default_factory=dict)

    def descriptor(self):
        described = {"name": self.name, "type": self.type, "title": str(self.title)}
        if self.format != "default":
            described["format"] = self.format
        if str(self.description):
            described["description"] = str(self.description)
        if self.constraints:
            described["constraints"] = self.constraints
        return described


def _language_name(code):
    return str(get_language_info(code)["name_translated"])


language_name = lazy(_language_name, str)


def title_of(model_field):
    """The field's verbose name, with its language for one language of a translated field.
    Lazy, like every title and description here: it is shown in the language of each file."""
    title = capfirst(model_field.verbose_name)
    code = getattr(model_field, "_translated_field_language_code", None)
    return format_lazy("{} ({})", title, language_name(code)) if code else title


class Part:
    """What one model field contributes to a row; subclasses set `columns` and `selects`."""

    columns = ()
    selects = {}

    @property
    def headers(self):
        return [column.name for column in self.columns]


class ValuePart(Part):
    """A plain field: one column, the value as stored."""

    def __init__(self, model_field):
        self.field = model_field
        kind, format = table_schema_type(model_field)
        constraints = {}
        if not model_field.blank:
            constraints["required"] = True
        if model_field.unique and not model_field.primary_key:
            constraints["unique"] = True
        if model_field.choices:
            constraints["enum"] = [code for code, _label in model_field.flatchoices]
        self.columns = [
            Column(
                model_field.attname,
                kind,
                title_of(model_field),
                model_field.help_text,
                format,
                constraints,
            )
        ]
        # Read by name (None): an expression may not take a field's own name.
        self.selects = {model_field.attname: None}

    def values(self, row, found, reader):
        return [row[self.field.attname]]

    def cells(self, row, found, reader):
        return [cell(value) for value in self.values(row, found, reader)]

    def items(self, row, found, reader):
        values = self.values(row, found, reader)
        return [
            (column.name, plain(value)) for column, value in zip(self.columns, values, strict=True)
        ]


class ChoicePart(ValuePart):
    """A field with choices: its code, and beside it the label in the file's language."""

    def __init__(self, model_field):
        super().__init__(model_field)
        self.labels = dict(model_field.flatchoices)
        self.columns.append(
            Column(
                f"{model_field.attname}_label",
                "string",
                format_lazy(_("{field} (label)"), field=title_of(model_field)),
                format_lazy(
                    _("The {field} in words, in the language of this file."),
                    field=model_field.verbose_name,
                ),
            )
        )

    def values(self, row, found, reader):
        code = row[self.field.attname]
        return [code, str(self.labels.get(code, ""))]


class PagePart(Part):
    """`url`: the address of the record's page on the portal."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.columns = [
            Column(
                "url",
                "string",
                _("Page on the portal"),
                _("The address of this record's page on the HKAI Portal."),
                "uri",
            )
        ]
        self.selects = {}

    def cells(self, row, found, reader):
        return [reader.page_url(self.dataset, row[self.dataset.key])]

    def items(self, row, found, reader):
        return [("url", reader.page_url(self.dataset, row[self.dataset.key]))]


class ForeignKeyPart(Part):
    """A foreign key to another dataset: its key in CSV, {key, name, url} in JSON."""

    def __init__(self, model_field, target):
        self.field, self.target = model_field, target
        self.alias = f"{model_field.name}_ref_"
        self.columns = [
            Column(
                model_field.name,
                "string",
                title_of(model_field),
                model_field.help_text,
                constraints={} if model_field.blank else {"required": True},
            )
        ]

    @property
    def selects(self):
        """What the row query reads: the key and names (in the file's language) of the
        related record, joined in, or through a subquery if the target has hidden rows."""
        selects = {}
        for column in (self.target.key, *self.target.name_fields):
            if self.target.filtered:
                # A related record readers may not see (e.g. a draft) is left out.
                visible = self.target.visible().filter(pk=OuterRef(self.field.attname))
                selects[self.alias + column] = Subquery(visible.values(column)[:1])
            else:
                selects[self.alias + column] = F(f"{self.field.name}__{column}")
        return selects

    def cells(self, row, found, reader):
        return [cell(row[self.alias + self.target.key])]

    def items(self, row, found, reader):
        key = row[self.alias + self.target.key]
        if key is None:
            return [(self.field.name, None)]
        names = [row[self.alias + name] for name in self.target.name_fields]
        return [(self.field.name, reader.related_object(self.target, key, names))]


class ManyToManyPart(Part):
    """A many-to-many relation to another dataset: space-separated keys in CSV, a list of
    {key, name, url} in JSON; also published as a link resource (`LinkTable`)."""

    def __init__(self, dataset, model_field, target, link):
        self.dataset, self.field, self.target, self.link = dataset, model_field, target, link
        self.columns = [
            Column(
                model_field.name,
                "string",
                title_of(model_field),
                format_lazy(
                    _(
                        "The {key} of each of the {relation}, separated by spaces; also one "
                        "row per link in the resource {resource}."
                    ),
                    key=target.key_field.verbose_name,
                    relation=model_field.verbose_name,
                    resource=self.link.name,
                ),
            )
        ]
        self.selects = {}

    def fetch(self, model, ids, reader):
        """{row id: [(key, name...), ...]} for the rows `ids`, in one query."""
        columns = (self.target.key, *self.target.name_fields)
        ranks = reader.ranks(self.target)
        return related_values(model, self.field.name, ids, columns, ranks)

    def cells(self, row, found, reader):
        return [KEY_SEPARATOR.join(key for key, *_names in found)]

    def items(self, row, found, reader):
        objects = [reader.related_object(self.target, key, names) for key, *names in found]
        return [(self.field.name, objects)]
