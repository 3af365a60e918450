"""How a model field becomes columns of an open data table (see portal.opendata): its
Table Schema type, title and description, and its cells in CSV and values in JSON.

A "part" is what one model field contributes to a row: `columns` (Table Schema fields),
`selects` (what the row query reads: a field by name, or alias -> expression), and `csv()` /
`json()`, the row's cells or (key, value) items. Titles and descriptions stay lazy: each
file is in its own language.
"""

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.utils.functional import lazy
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from portal.records.description import translated_columns as languages

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


class ValuePart:
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

    def values(self, row, related, reader):
        return [row[self.field.attname]]

    def csv(self, row, related, reader):
        return [cell(value) for value in self.values(row, related, reader)]

    def json(self, row, related, reader):
        values = self.values(row, related, reader)
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

    def values(self, row, related, reader):
        code = row[self.field.attname]
        return [code, str(self.labels.get(code, ""))]


class PagePart:
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

    def csv(self, row, related, reader):
        return [reader.page_url(self.dataset, row[self.dataset.key])]

    def json(self, row, related, reader):
        return [("url", reader.page_url(self.dataset, row[self.dataset.key]))]


class ForeignKeyPart:
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

    def csv(self, row, related, reader):
        return [cell(row[self.alias + self.target.key])]

    def json(self, row, related, reader):
        key = row[self.alias + self.target.key]
        if key is None:
            return [(self.field.name, None)]
        names = [row[self.alias + name] for name in self.target.name_fields]
        return [(self.field.name, reader.related_object(self.target, key, names))]


class ManyToManyPart:
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

    def related(self, ids, reader):
        """{row id: [(key, name...), ...]} for the rows `ids`, in one query."""
        columns = (self.target.key, *self.target.name_fields)
        ranks = reader.ranks(self.target)
        return related_values(self.dataset.model, self.field.name, ids, columns, ranks)

    def csv(self, row, related, reader):
        return [KEY_SEPARATOR.join(key for key, *_names in related[self.field.name])]

    def json(self, row, related, reader):
        objects = [
            reader.related_object(self.target, key, names)
            for key, *names in related[self.field.name]
        ]
        return [(self.field.name, objects)]


def related_names(model, relation, ids):
    """{row id: [name, ...]} for the many-to-many `relation` of `model`'s rows `ids`, in the
    related model's order and the page's language (English where that is missing), in one
    query reading names only."""
    english, local = languages("name")[0], name_column(get_language())
    found = related_values(model, relation, ids, (english, local))
    return {
        row_id: [name_local or name_en for name_en, name_local in pairs]
        for row_id, pairs in found.items()
    }


def related_values(model, relation, ids, columns, ranks=None):
    """{row id: [(value, ...), ...]}: the related model's `columns` for the many-to-many
    `relation` of `model`'s rows `ids`, in one query that builds no model instances.

    In the related model's order; or, given `ranks` ({related id: position}), in that order
    and only the related rows it holds (e.g. published articles). Sorting by ranks in
    Python spares the database a join ordered by the related table, which SQLite plans as a
    scan of that whole table (1.5 s per 2,000 rows at 1,500 initiatives, instead of 0.08 s).
    """
    field = model._meta.get_field(relation)
    row, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    pairs = field.remote_field.through.objects.filter(**{f"{row}_id__in": ids})
    selected = (f"{row}_id", f"{target}_id", *(f"{target}__{column}" for column in columns))
    if ranks is None:
        ordering = [
            f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
            for name in field.related_model._meta.ordering
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


def related_urls(model, relation, ids):
    """{row id: [url, ...]} for the many-to-many `relation` of `model`'s rows `ids` to sources,
    in the sources' order, in one query reading addresses only."""
    field = model._meta.get_field(relation)
    row, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    pairs = (
        field.remote_field.through.objects.filter(**{f"{row}_id__in": ids})
        .order_by(*(f"{target}__{name}" for name in field.related_model._meta.ordering))
        .values_list(f"{row}_id", f"{target}__url")
    )
    found = {}
    for row_id, url in pairs:
        found.setdefault(row_id, []).append(url)
    return found


def name_column(language):
    """The `name` column of a language code, e.g. "zh-hant" -> "name_zh_hant"."""
    return f"name_{(language or settings.LANGUAGE_CODE).replace('-', '_')}"
