"""Which models are exchanged as fixtures, and how one record's fields map onto a model.

Everything here is derived from the models themselves, so a new field is exchanged without a
change to this module. `convert_fields` is the one place that turns a record's JSON fields
into model values, for validation and for writing alike.
"""

import datetime
import json
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from portal.content.normalise import normalise_text
from portal.content.rules import broken_constraints
from portal.records.registry import in_model_order, public_records
from portal.reference.footnotes import cited_fields, footnote_problems


@dataclass(frozen=True)
class ModelSpec:
    """How one model is exchanged: its natural key field and the fields a record carries.

    The field lists are derived once per spec and cached: they are read for every record.
    """

    model: type[models.Model]
    key_field: str
    # Numbered so that a plain `loaddata fixtures/*.json` meets each model after those it needs.
    file_name: str

    @cached_property
    def label(self):
        return self.model._meta.label_lower

    @cached_property
    def value_fields(self):
        """Plain fields a record carries: not the primary key, relations, timestamps or
        fields derived from others (editable=False, e.g. the search tokens)."""
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key
            and f.editable
            and not f.is_relation
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]

    @cached_property
    def foreign_keys(self):
        # Not the ones the admin keeps itself (editable=False, e.g. who submitted an article).
        return [f for f in self.model._meta.concrete_fields if f.many_to_one and f.editable]

    @cached_property
    def self_references(self):
        """Foreign keys to the model itself (an organisation's parent): the importer checks
        them for loops and links them once every row they may name is written."""
        return [f for f in self.foreign_keys if f.related_model is self.model]

    @cached_property
    def many_to_many(self):
        return list(self.model._meta.many_to_many)

    @cached_property
    def field_names(self):
        return [f.name for f in self.value_fields + self.foreign_keys + self.many_to_many]

    @cached_property
    def unique_value_fields(self):
        """Value fields other than the natural key whose values must be unique: `unique=True`,
        or a unique constraint on that one field alone, with no condition."""
        constrained = {
            c.fields[0] for c in self.model._meta.total_unique_constraints if len(c.fields) == 1
        }
        return [
            f
            for f in self.value_fields
            if (f.unique or f.name in constrained) and f.name != self.key_field
        ]

    @cached_property
    def timestamp_fields(self):
        """`auto_now` fields, which the importer sets itself when it changes a row."""
        return [f for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]

    @cached_property
    def has_clean_rules(self):
        """Whether the model adds rules of its own in `clean()`."""
        return self.model.clean is not models.Model.clean

    def is_required(self, model_field):
        return not model_field.blank and not model_field.has_default()


# Every public record type, each with the key and file its description declares, in
# dependency order: a model only refers to models before it.
SPECS = [
    ModelSpec(record.model, record.key, record.fixture)
    for record in in_model_order(public_records())
]
SPECS_BY_LABEL = {spec.label: spec for spec in SPECS}
SPECS_BY_MODEL = {spec.model: spec for spec in SPECS}


@dataclass
class Converted:
    """A record's fields as model values, plus what went wrong and how much was repaired."""

    values: dict = field(default_factory=dict)
    foreign_keys: dict = field(default_factory=dict)  # field name -> natural key or None
    many_to_many: dict = field(default_factory=dict)  # field name -> list of natural keys
    # (field name, message, the value as the input gave it, or None where not shown)
    problems: list = field(default_factory=list)
    repaired: int = 0

    def problem(self, name, message, shown=None):
        self.problems.append((name, message, shown))

    @property
    def problems_by_field(self):
        return {name for name, _message, _shown in self.problems}


def _describe(value):
    kind = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{kind} ({shown})" if value is not None else kind


def shown_value(value):
    """`value` as JSON, as the input file writes it, cut to at most 40 characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected_json(model_field):
    """Return (description, check) for the JSON a field accepts, before Django's own checks."""
    if isinstance(model_field, models.BooleanField):
        return "true or false", lambda v: isinstance(v, bool)
    if isinstance(model_field, models.IntegerField):
        return "a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)
    if isinstance(model_field, (models.DateTimeField, models.DateField)):
        return "a date in ISO 8601 form, e.g. 2026-11-25", lambda v: isinstance(v, str)
    return "text", lambda v: isinstance(v, str)


def _convert_value(model_field, raw, result):
    """Return the model value for `raw`, or record a problem and return None."""
    description, accepts = _expected_json(model_field)
    if raw is None:
        if model_field.null and model_field.blank:
            return None
        if model_field.null:  # Nullable only for old rows; new records must give a value.
            result.problem(model_field.name, f"a value is required ({description})")
            return None
        if model_field.blank and isinstance(model_field, (models.CharField, models.TextField)):
            result.problem(model_field.name, 'null is not allowed; use "" for empty')
        else:
            result.problem(model_field.name, f"a value is required ({description})")
        return None
    if not accepts(raw):
        nullable = " or null" if model_field.null and model_field.blank else ""
        result.problem(model_field.name, f"expected {description}{nullable}, got {_describe(raw)}")
        return None
    given = raw
    if isinstance(raw, str):
        cleaned_text = normalise_text(raw)
        if cleaned_text != raw:
            result.repaired += 1
        raw = cleaned_text
    try:
        value = model_field.clean(raw, None)
    except ValidationError as error:
        result.problem(model_field.name, " ".join(error.messages), shown_value(given))
        return None
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        # Same reading as Django's: a time without an offset is in the site's time zone.
        value = timezone.make_aware(value)
    return value


def _natural_key(raw):
    """Return the single natural key in a fixture reference like ["slug"], or None."""
    if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], str) and raw[0]:
        return raw[0]
    return None


def convert_fields(spec, fields):
    """Convert a record's `fields` object for `spec`'s model; never raises for bad input."""
    result = Converted()
    known = set(spec.field_names)
    for name in fields:
        if name not in known:
            result.problem(name, f"unknown field; {spec.label} has: {', '.join(spec.field_names)}")

    for model_field in spec.value_fields:
        if model_field.name not in fields:
            if spec.is_required(model_field):
                result.problem(model_field.name, "required field is missing")
            elif model_field.has_default():
                result.values[model_field.attname] = model_field.get_default()
            else:
                result.values[model_field.attname] = None if model_field.null else ""
            continue
        value = _convert_value(model_field, fields[model_field.name], result)
        result.values[model_field.attname] = value

    for model_field in spec.foreign_keys:
        raw = fields.get(model_field.name)
        if raw is None:
            if not model_field.null:
                result.problem(model_field.name, "required reference is missing")
            result.foreign_keys[model_field.name] = None
        elif (key := _natural_key(raw)) is None:
            result.problem(
                model_field.name,
                f'expected a reference like ["slug"] or null, got {_describe(raw)}',
            )
        else:
            result.foreign_keys[model_field.name] = key

    for model_field in spec.many_to_many:
        raw = fields.get(model_field.name, [])
        keys = [_natural_key(item) for item in raw] if isinstance(raw, list) else [None]
        if None in keys:
            result.problem(
                model_field.name,
                f'expected a list of references like [["slug"]], got {_describe(raw)}',
            )
            keys = [key for key in keys if key is not None]
        result.many_to_many[model_field.name] = sorted(set(keys))
        if not keys and not model_field.blank and model_field.name not in result.problems_by_field:
            # E.g. a milestone's sources: a relation the model says may not be empty.
            result.problem(model_field.name, "at least one reference is required")

    _check_footnotes(spec, result)
    _check_model_rules(spec, fields, result)
    return result


def _check_footnotes(spec, result):
    """Check that each footnote in the record's cited texts names one of the record's own
    sources (see portal.reference.footnotes), reporting each wrong one on its field."""
    source_urls = result.many_to_many.get("sources", ())
    for name in cited_fields(spec.model):
        text = result.values.get(name)
        # The substring test spares parsing the many texts that cite nothing.
        if text and "[^" in text:
            for message in footnote_problems(text, source_urls):
                result.problem(name, message)


def _check_model_rules(spec, fields, result):
    """Run the rules a model enforces beyond each field's own: its `clean()` (e.g. end year
    not before start year) and its check constraints, as `Model.full_clean()` does.

    Like `full_clean()`, this skips `clean()` while any field is wrong and skips the
    constraints on fields already reported, so one mistake gives one message.
    """
    if not result.problems and spec.has_clean_rules:
        instance = spec.model(**result.values)
        try:
            instance.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                result.problem(name, " ".join(messages))
    reported = {problem[0] for problem in result.problems}
    checked = {name: value for name, value in result.values.items() if name not in reported}
    for constraint in broken_constraints(spec.model, checked):
        names = sorted(constraint.condition.referenced_base_fields)
        shown = ", ".join(
            shown_value(fields[name] if name in fields else checked[name]) for name in names
        )
        result.problem(", ".join(names), str(constraint.get_violation_error_message()), shown)


# How many records a pass reads between progress reports, and writes in one batch.
BATCH_SIZE = 1000
# How many keys go into one `IN (...)` query: well under SQLite's variable limit.
LOOKUP_CHUNK = 500


def chunks(items, size=LOOKUP_CHUNK):
    """Yield `items` in lists of at most `size`, for `IN (...)` queries."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
