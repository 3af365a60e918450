"""Open data: every public record type as a whole-table download, and the Data Package that
describes them (https://specs.frictionlessdata.io/data-package/, v1).

A record type is published by declaring OPEN_DATA in its model's PublicRecord. Its
columns, their Table Schema types, titles and descriptions, its primary key and foreign keys
all come from the model: a field added to the model appears in the CSV, the JSON and the
schema without another edit. What a dataset publishes:

- every concrete field except the primary key and fields derived from others (editable=False,
  e.g. the search tokens); the timestamps `created_at`/`updated_at` are kept;
- beside a field with choices, `<field>_label`: the choice's label in the file's language;
- `url`: the address of the record's page, for models that have one;
- a foreign key as the related record's key (its slug); a many-to-many relation as the related
  keys separated by spaces, which neither slugs nor addresses can contain.

Table Schema v1 has no list type, so a foreign key on a space-separated column cannot be
checked. Each many-to-many relation is therefore also a link resource of its own
(`articles-sectors`: one row per article and sector), whose two columns are foreign keys that
a validator checks; the space-separated column is the spreadsheet reader's convenience.

Rows are read a chunk at a time as plain values (no model instances), by the engine of
`portal.records.columns` that the lists' formats and the admin's export also use: one query
for the rows, one per related dataset for its order (`Reader.ranks`), and one per
many-to-many relation and chunk, so memory and queries per chunk stay fixed.
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import Source
from portal.opendata.columns import (
    ChoicePart,
    Column,
    ForeignKeyPart,
    ManyToManyPart,
    PagePart,
    ValuePart,
    plain,
)
from portal.records.addresses import absolute_detail_urls, absolute_url
from portal.records.columns import csv_rows, json_rows
from portal.records.description import OPEN_DATA
from portal.records.registry import public_records

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """One record type published whole, read from its PublicRecord: its visible rows, its
    natural key, its name and what /data/ says of it. `exclude` names fields not to publish."""

    record: object
    exclude: tuple = ()

    @property
    def model(self):
        return self.record.model

    @property
    def name(self):
        """The resource's name, e.g. "articles": the English plural of the model's name."""
        return self.record.collection

    @property
    def title(self):
        return self.record.plural

    @property
    def description(self):
        return self.record.data_description

    @property
    def key(self):
        """The natural key: what fixtures, links and foreign keys name a record by."""
        return self.record.key

    @cached_property
    def key_field(self):
        return self.model._meta.get_field(self.key)

    @property
    def filtered(self):
        return self.record.narrowed

    def visible(self):
        return self.record.visible()

    @cached_property
    def has_pages(self):
        return hasattr(self.model, "get_absolute_url")

    @property
    def name_fields(self):
        """The columns of a record's name, the file's language first (then English, as
        related records in JSON show it), or its key where it has no name."""
        fields = {f.attname for f in self.model._meta.concrete_fields}
        base = self.record.name_field
        if f"{base}_en" in fields:
            current = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
            return tuple(dict.fromkeys((f"{base}_{current}", f"{base}_en")))
        if base in fields:
            return (base,)
        return (self.key,)

    @cached_property
    def parts(self):
        """What a record shows, in order: key, page, the model's fields, then its relations."""
        fields = [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key
            and f.name not in self.exclude
            and (f.editable or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        fields.sort(key=lambda f: f.name != self.key)
        parts = []
        for model_field in fields:
            if model_field.many_to_one:
                if target := DATASETS_BY_MODEL.get(model_field.related_model):
                    parts.append(ForeignKeyPart(model_field, target))
            else:
                parts.append((ChoicePart if model_field.choices else ValuePart)(model_field))
            if model_field.name == self.key and self.has_pages:
                parts.append(PagePart(self))
        for model_field in self.model._meta.many_to_many:
            target = DATASETS_BY_MODEL.get(model_field.related_model)
            if target and model_field.name not in self.exclude:
                link = LinkTable(self, model_field, target)
                parts.append(ManyToManyPart(self, model_field, target, link))
        return parts

    @property
    def columns(self):
        return [column for part in self.parts for column in part.columns]

    @cached_property
    def links(self):
        return [part.link for part in self.parts if isinstance(part, ManyToManyPart)]

    def schema(self):
        """The Table Schema of the CSV file."""
        schema = {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": [self.key],
        }
        foreign_keys = [
            {
                "fields": [part.field.name],
                "reference": {"resource": part.target.name, "fields": [part.target.key]},
            }
            for part in self.parts
            if isinstance(part, ForeignKeyPart)
        ]
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        return schema

    def rows(self):
        """The visible rows as dicts ("pk" and what the parts select), for the engine of
        portal.records.columns to stream."""
        selects = {alias: value for part in self.parts for alias, value in part.selects.items()}
        names = [alias for alias, value in selects.items() if value is None]
        expressions = {alias: value for alias, value in selects.items() if value is not None}
        return self.visible().values("pk", *names, **expressions)


@dataclass(frozen=True, eq=False)
class LinkTable:
    """The links of one many-to-many relation as a table of its own: one row per pair of
    keys, each column a foreign key to its dataset."""

    dataset: Dataset
    field: models.Field
    target: Dataset

    @property
    def name(self):
        return f"{self.dataset.name}-{self.field.name.replace('_', '-')}"

    @property
    def title(self):
        return f"{self.dataset.title}: {self.field.verbose_name}"

    @property
    def description(self):
        # Plural names, so no English article ("a"/"an") has to agree with the name.
        return _("One row for each link between %(models)s and their %(relation)s.") % {
            "models": self.dataset.model._meta.verbose_name_plural,
            "relation": self.field.verbose_name,
        }

    @property
    def column_names(self):
        own, other = self.dataset.model._meta.model_name, self.target.model._meta.model_name
        return own, (other if other != own else self.field.name)

    def schema(self):
        names = self.column_names
        sides = (self.dataset, self.target)
        return {
            "fields": [
                Column(
                    name,
                    "string",
                    capfirst(side.model._meta.verbose_name),
                    _("The %(key)s of the %(model)s, as in the resource %(resource)s.")
                    % {
                        "key": side.key_field.verbose_name,
                        "model": side.model._meta.verbose_name,
                        "resource": side.name,
                    },
                    constraints={"required": True},
                ).descriptor()
                for name, side in zip(names, sides, strict=True)
            ],
            "primaryKey": list(names),
            "foreignKeys": [
                {"fields": [name], "reference": {"resource": side.name, "fields": [side.key]}}
                for name, side in zip(names, sides, strict=True)
            ],
        }

    def rows(self):
        """The pairs of keys, in one query, streamed; rows readers may not see left out."""
        field = self.field
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        pairs = field.remote_field.through.objects.all()
        if self.dataset.filtered:
            pairs = pairs.filter(**{f"{own}__in": self.dataset.visible()})
        if self.target.filtered:
            pairs = pairs.filter(**{f"{other}__in": self.target.visible()})
        return pairs.order_by(f"{own}_id", f"{other}_id").values_list(
            f"{own}__{self.dataset.key}", f"{other}__{self.target.key}"
        )


class Reader:
    """What rows need of one download: absolute addresses of pages, in the active language
    (made from settings.SITE_URL, so no request is needed)."""

    def __init__(self, request=None):
        self.request = request
        self._patterns = {}
        self._ranks = {}

    def ranks(self, dataset):
        """{id: position} of the rows of `dataset` readers may see, in its order: one query
        per dataset and download, whatever the number of chunks."""
        if dataset not in self._ranks:
            ids = dataset.visible().values_list("pk", flat=True)
            self._ranks[dataset] = {pk: rank for rank, pk in enumerate(ids)}
        return self._ranks[dataset]

    def page_url(self, dataset, key):
        if dataset not in self._patterns:
            url_name = f"portal:{dataset.model._meta.model_name}_detail"
            self._patterns[dataset] = absolute_detail_urls(self.request, url_name)
        return self._patterns[dataset](key)

    def related_object(self, dataset, key, names):
        """{key: ..., "name": ..., "url": ...} for a related record; the name in the file's
        language, else English, else the key; "url" for records that have a page."""
        found = {dataset.key: key, "name": next((name for name in names if name), key)}
        if dataset.has_pages:
            found["url"] = self.page_url(dataset, key)
        return found

    def csv_rows(self, dataset, chunk_size):
        return csv_rows(dataset.parts, dataset.model, dataset.rows(), chunk_size, self)

    def records(self, dataset, chunk_size):
        return json_rows(dataset.parts, dataset.model, dataset.rows(), chunk_size, self)


# Every record type that declares OPEN_DATA, in the order /data/ lists them (navigation).
DATASETS = tuple(Dataset(record) for record in public_records(OPEN_DATA))
DATASETS_BY_MODEL = {dataset.model: dataset for dataset in DATASETS}
DATASETS_BY_NAME = {dataset.name: dataset for dataset in DATASETS}
LINKS_BY_NAME = {link.name: link for dataset in DATASETS for link in dataset.links}


def csv_filename(name):
    return f"hkai-{name}.csv"


def data_package(request=None):
    """The Data Package descriptor (v1) of every dataset and link table, in the active
    language, with absolute addresses of the CSV files (`request` is not read)."""

    def absolute(name):
        return absolute_url(reverse("portal:data_csv", args=[name]))

    resources = [
        resource(
            dataset.name,
            dataset.title,
            dataset.description,
            absolute(dataset.name),
            dataset.schema(),
        )
        for dataset in DATASETS
    ]
    resources += [
        resource(link.name, link.title, link.description, absolute(link.name), link.schema())
        for dataset in DATASETS
        for link in dataset.links
    ]
    return {
        "profile": "tabular-data-package",
        "name": "hkai-portal",
        "title": str(_("HKAI Portal: artificial intelligence in Hong Kong")),
        "description": str(
            _(
                "The records of the HKAI Portal, one resource per record type, with the "
                "public sources each fact comes from. The portal's own text is under CC BY "
                "4.0; the sources keep their own terms."
            )
        ),
        "homepage": absolute_url(reverse("portal:data")),
        "created": plain(timezone.now()),
        "licenses": [LICENSE],
        "sources": [
            {
                "title": str(_("The public pages cited for each fact; they keep their own terms.")),
                "path": absolute(DATASETS_BY_MODEL[Source].name),
            }
        ],
        "resources": resources,
    }


def resource(name, title, description, path, schema):
    described = {
        "profile": "tabular-data-resource",
        "name": name,
        "path": path,
        "title": str(title),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
    if str(description):
        described["description"] = str(description)
    return described
