"""Checking an import: read every input file, check every record and every reference, and
list all the problems before anything is written.

`check_files(paths, progress)` streams the files once and returns a `Plan` (which files hold
which models, how many records) or raises `ContentImportError` with the problem list. Memory
grows with the number of distinct natural keys, never with the size of the files.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from portal.content.reader import ContentFileError, read_records
from portal.content.schema import (
    BATCH_SIZE,
    SPECS_BY_LABEL,
    SPECS_BY_MODEL,
    chunks,
    convert_fields,
)

# Enough to act on; the total is still reported.
MAX_PROBLEMS_LISTED = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    path: str
    message: str
    record: int | None = None
    line: int | None = None
    model: str | None = None
    key: str | None = None
    field: str | None = None
    value: str | None = None  # As the input wrote it, where it helps to see it.

    def __str__(self):
        where = [self.path]
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.model:
            where.append(f"{self.model} {self.key!r}" if self.key else self.model)
        if self.field:
            where.append(f"field '{self.field}'")
        if self.value is not None:
            where.append(f"value {self.value}")
        return f"{', '.join(where)}: {self.message}"


class ContentImportError(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems, total):
        self.problems = problems
        self.total = total
        super().__init__(f"{total} problem(s) found; nothing was imported")


class TooManyRecords(Exception):
    """The input holds more records than the caller allows; reading stopped there."""

    def __init__(self, limit):
        self.limit = limit
        super().__init__(f"the input holds more than {limit} records; nothing was imported")


@dataclass
class Plan:
    """What the validation pass learnt: which files hold which models, and how many records."""

    labels_by_path: dict = field(default_factory=lambda: defaultdict(set))
    records: int = 0
    repaired_fields: int = 0


class ProblemList:
    def __init__(self):
        self.listed = []
        self.total = 0

    def add(self, problem):
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS_LISTED:
            self.listed.append(problem)

    def __bool__(self):
        return self.total > 0


def _existing_keys(spec, keys):
    """Return which of `keys` already exist in the database for `spec`'s model."""
    found = set()
    for chunk in chunks(keys):
        found.update(
            spec.model._default_manager.filter(**{f"{spec.key_field}__in": chunk}).values_list(
                spec.key_field, flat=True
            )
        )
    return found


def check_files(paths, progress, max_records=None):
    """First pass: check everything, write nothing. Returns a `Plan` or raises."""
    plan = Plan()
    problems = ProblemList()
    keys_seen = defaultdict(dict)  # label -> key -> (path, record)
    references = defaultdict(dict)  # target label -> key -> Problem to raise if missing
    unique_seen = defaultdict(dict)  # (label, field) -> value -> (key, path, record)
    hierarchy = defaultdict(dict)  # (label, field) -> key -> (parent key or None, location)

    for path in paths:
        path_name = str(path)
        try:
            for number, record in read_records(path):
                plan.records += 1
                if max_records is not None and plan.records > max_records:
                    raise TooManyRecords(max_records)
                if plan.records % BATCH_SIZE == 0:
                    progress.advance(BATCH_SIZE)
                spec = _check_envelope(path_name, number, record, problems)
                if spec is None:
                    continue
                plan.labels_by_path[path].add(spec.label)
                converted = convert_fields(spec, record["fields"])
                plan.repaired_fields += converted.repaired
                key = converted.values.get(spec.key_field)
                for field_name, message, shown in converted.problems:
                    problems.add(
                        Problem(
                            path_name, message, number, None, spec.label, key, field_name, shown
                        )
                    )
                if not key:
                    continue
                location = dict(path=path_name, record=number, model=spec.label, key=key)
                if key in keys_seen[spec.label]:
                    first_path, first_number = keys_seen[spec.label][key]
                    problems.add(
                        Problem(
                            message=f"duplicate {spec.key_field} '{key}'; first used in "
                            f"{first_path}, record {first_number}",
                            field=spec.key_field,
                            **location,
                        )
                    )
                else:
                    keys_seen[spec.label][key] = (path_name, number)
                for unique_field in spec.unique_value_fields:
                    value = converted.values.get(unique_field.attname)
                    seen = unique_seen[(spec.label, unique_field.name)]
                    if value in seen and seen[value][0] != key:
                        other_key, other_path, other_number = seen[value]
                        problems.add(
                            Problem(
                                message=f"{unique_field.name} {value!r} is already used by "
                                f"'{other_key}' ({other_path}, record {other_number})",
                                field=unique_field.name,
                                **location,
                            )
                        )
                    elif value:
                        seen[value] = (key, path_name, number)
                _note_references(spec, converted, location, references)
                for fk in spec.self_references:
                    if fk.name in converted.foreign_keys:
                        parent = converted.foreign_keys[fk.name]
                        hierarchy[(spec.label, fk.name)][key] = (parent, location)
        except ContentFileError as error:
            problems.add(Problem(path_name, error.message, error.record, error.line))
        except OSError as error:
            problems.add(Problem(path_name, f"cannot be read: {error.strerror}"))

    _check_references(keys_seen, references, problems)
    _check_hierarchies(hierarchy, problems)
    _check_unique_against_database(keys_seen, unique_seen, problems)
    if problems:
        raise ContentImportError(problems.listed, problems.total)
    return plan


def _check_envelope(path_name, number, record, problems):
    """Return the `ModelSpec` for a record shaped {"model": ..., "fields": {...}}, or None."""
    if not isinstance(record, dict):
        problems.add(
            Problem(path_name, 'expected an object like {"model": ..., "fields": {...}}', number)
        )
        return None
    if "pk" in record or "id" in record:
        problems.add(
            Problem(
                path_name,
                "records must not carry a primary key ('pk'); they are "
                "matched by their natural key (slug, or url for sources)",
                number,
            )
        )
        return None
    extra = sorted(set(record) - {"model", "fields"})
    if extra:
        problems.add(
            Problem(
                path_name,
                f"unexpected key(s) {', '.join(extra)}; a record has only 'model' and 'fields'",
                number,
            )
        )
        return None
    label = record.get("model")
    spec = SPECS_BY_LABEL.get(label.lower()) if isinstance(label, str) else None
    if spec is None:
        problems.add(
            Problem(
                path_name,
                f"unknown model {label!r}; expected one of {', '.join(SPECS_BY_LABEL)}",
                number,
            )
        )
        return None
    if not isinstance(record.get("fields"), dict):
        problems.add(
            Problem(
                path_name,
                "'fields' must be an object of field names and values",
                number,
                model=spec.label,
            )
        )
        return None
    return spec


def _note_references(spec, converted, location, references):
    """Remember the first place each referenced natural key is used, to report if it's missing."""
    relations = [(f, [converted.foreign_keys.get(f.name)]) for f in spec.foreign_keys]
    relations += [(f, converted.many_to_many.get(f.name, [])) for f in spec.many_to_many]
    for model_field, keys in relations:
        target = SPECS_BY_MODEL[model_field.related_model]
        for key in keys:
            if key and key not in references[target.label]:
                references[target.label][key] = Problem(
                    message=f"refers to {target.label} '{key}', which is neither in the "
                    f"database nor in the input",
                    field=model_field.name,
                    **location,
                )


def _check_references(keys_seen, references, problems):
    for label, wanted in references.items():
        missing = set(wanted) - set(keys_seen[label])
        missing -= _existing_keys(SPECS_BY_LABEL[label], missing)
        for key in sorted(missing):
            problems.add(wanted[key])


def _check_hierarchies(hierarchy, problems):
    """Report each loop that a self-reference (an organisation's parent) would make once the
    input is written over the database: A part of A, or A part of B part of A.

    The input's links replace the database's for the rows it holds; a loop is reported
    once, at the first record (in input order) that is part of it.
    """
    for (label, field_name), given in hierarchy.items():
        spec = SPECS_BY_LABEL[label]
        key_field = spec.key_field
        # Only rows with a parent matter; there are few (institutes of universities, ...).
        links = dict(
            spec.model._default_manager.filter(**{f"{field_name}__isnull": False}).values_list(
                key_field, f"{field_name}__{key_field}"
            )
        )
        links.update({key: parent for key, (parent, _location) in given.items()})
        reported = set()
        for key, (_parent, location) in given.items():
            path = [key]
            while (above := links.get(path[-1])) is not None and above not in path:
                path.append(above)
            if above != key or key in reported:
                continue
            reported.update(path)
            loop = " → ".join(f"'{k}'" for k in [*path, key])
            message = (
                f"{label} '{key}' cannot be part of itself"
                if len(path) == 1
                else f"{field_name} makes a loop: {loop}; one of them must not name the next"
            )
            problems.add(Problem(message=message, field=field_name, **location))


def _check_unique_against_database(keys_seen, unique_seen, problems):
    """Report a unique value (e.g. a name) that another row in the database already has.

    That includes a row this import gives another value: the database checks uniqueness
    row by row as it writes, so a value can't pass from one item to another in one import.
    """
    for (label, field_name), values in unique_seen.items():
        spec = SPECS_BY_LABEL[label]
        for chunk in chunks(values):
            rows = spec.model._default_manager.filter(**{f"{field_name}__in": chunk})
            for value, owner in rows.values_list(field_name, spec.key_field):
                key, path_name, number = values[value]
                if owner != key:
                    message = f"{field_name} {value!r} already belongs to '{owner}' in the database"
                    if owner in keys_seen[label]:
                        message += (
                            f"; this import changes '{owner}' too, but a value can't pass from "
                            f"one item to another in one import: import the change to '{owner}' "
                            "first"
                        )
                    problems.add(
                        Problem(
                            path_name,
                            message,
                            number,
                            model=label,
                            key=key,
                            field=field_name,
                        )
                    )
