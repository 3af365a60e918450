"""Validate fixture files, then write them in one transaction with bulk queries.

`import_files(paths)` reads every file twice, streaming: the first pass checks every record and
every reference and raises `ContentImportError` listing all problems before anything is written;
the second pass writes, model by model in dependency order, in batches. Memory grows with the
number of distinct natural keys, never with the size of the files.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, OperationalError, connections, reset_queries, transaction
from django.utils import timezone

from portal.changelog.changes import diff_lines, edited_fields, name_lines, record_import
from portal.content.busy import DatabaseBusy, is_database_busy
from portal.content.permissions import PUBLISH_PERMISSION, publishing_problems
from portal.content.reader import ContentFileError, read_records
from portal.content.schema import SPECS, SPECS_BY_LABEL, SPECS_BY_MODEL, convert_fields

BATCH_SIZE = 1000
# Enough to act on; the total is still reported.
MAX_PROBLEMS_LISTED = 200
# Records whose changes a report lists one by one (the import preview); the rest are counted.
MAX_RECORDS_LISTED = 200
# How many keys go into one `IN (...)` query: well under SQLite's variable limit.
LOOKUP_CHUNK = 500


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


@dataclass(frozen=True)
class RecordOutcome:
    """One record an import creates or changes: `lines` are its changed fields as
    `portal.changelog.changes.diff_lines` gives them, related items named (empty for a new
    record)."""

    label: str
    key: str
    name: str
    created: bool
    lines: list


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do).

    `outcomes` lists the first MAX_RECORDS_LISTED records created or changed, in import
    order, each with its changed fields; `outcomes_not_listed` counts the others.
    """

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    repaired_fields: int = 0
    records: int = 0
    outcomes: list = field(default_factory=list)
    outcomes_not_listed: int = 0

    def rows(self):
        """Yield (model label, created, updated, unchanged) in import order."""
        for spec in SPECS:
            label = spec.label
            if label in self.created or label in self.updated or label in self.unchanged:
                yield label, self.created[label], self.updated[label], self.unchanged[label]


@dataclass
class _Plan:
    """What the validation pass learnt: which files hold which models, and how many records."""

    labels_by_path: dict = field(default_factory=lambda: defaultdict(set))
    records: int = 0
    repaired_fields: int = 0


class _ProblemList:
    def __init__(self):
        self.listed = []
        self.total = 0

    def add(self, problem):
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS_LISTED:
            self.listed.append(problem)

    def __bool__(self):
        return self.total > 0


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_keys(spec, keys):
    """Return which of `keys` already exist in the database for `spec`'s model."""
    found = set()
    for chunk in _chunks(keys):
        found.update(
            spec.model._default_manager.filter(**{f"{spec.key_field}__in": chunk}).values_list(
                spec.key_field, flat=True
            )
        )
    return found


class _NoProgress:
    def start(self, stage, total=None):
        pass

    def advance(self, count):
        pass


def _validate(paths, progress, max_records=None):
    """First pass: check everything, write nothing. Returns a `_Plan` or raises."""
    plan = _Plan()
    problems = _ProblemList()
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
        for chunk in _chunks(values):
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


class _KeyCache:
    """Primary keys by natural key for the models that others refer to."""

    def __init__(self):
        self._pks = defaultdict(dict)

    def remember(self, spec, objects):
        table = self._pks[spec.label]
        for obj in objects:
            table[getattr(obj, spec.key_field)] = obj.pk

    def resolve(self, spec, keys):
        """Return {key: pk} for `keys`, querying only for the ones not seen before."""
        table = self._pks[spec.label]
        unknown = {key for key in keys if key not in table}
        for chunk in _chunks(unknown):
            rows = spec.model._default_manager.filter(**{f"{spec.key_field}__in": chunk})
            table.update(rows.values_list(spec.key_field, "pk"))
        return table


def _write(paths, plan, report, progress, history):
    """Second pass: write every model in dependency order, a batch at a time."""
    cache = _KeyCache()
    referenced = {
        SPECS_BY_MODEL[f.related_model].label
        for spec in SPECS
        for f in spec.foreign_keys + spec.many_to_many
    }
    for spec in SPECS:
        deferred = []
        for path in paths:
            if spec.label not in plan.labels_by_path.get(path, ()):
                continue
            batch = []
            recorded = history.for_path(path)
            for _, record in read_records(path):
                if record["model"].lower() != spec.label:
                    continue
                batch.append(convert_fields(spec, record["fields"]))
                if len(batch) == BATCH_SIZE:
                    _write_batch(
                        spec, batch, cache, report, spec.label in referenced, recorded, deferred
                    )
                    progress.advance(len(batch))
                    # With DEBUG on Django keeps every query's SQL; bulk inserts are large.
                    reset_queries()
                    batch = []
            if batch:
                _write_batch(
                    spec, batch, cache, report, spec.label in referenced, recorded, deferred
                )
                progress.advance(len(batch))
        _link_deferred(spec, deferred, cache)


@dataclass(frozen=True)
class _History:
    """Who imports, and the name each input file goes by in the history."""

    user: object = None
    names: dict = field(default_factory=dict)

    def for_path(self, path):
        """(user, comment) for the revisions of records written from `path`."""
        return self.user, f"Imported from {self.names.get(path, path)}"


def _link_deferred(spec, deferred, cache):
    """Set the self-references that named a row not yet written when theirs was (a parent
    later in the file, or in the same batch): every row of the model now exists.

    `deferred` holds (primary key, field, natural key) only, not the rows themselves, so
    memory grows with the links left to set, not with the text of the records."""
    for fk in {fk for _, fk, _ in deferred}:
        links = [(pk, key) for pk, field, key in deferred if field is fk]
        for chunk in _chunks(links):
            target_pks = cache.resolve(spec, {key for _, key in chunk})
            rows = [spec.model(pk=pk, **{fk.attname: target_pks[key]}) for pk, key in chunk]
            spec.model._default_manager.bulk_update(rows, [fk.name], batch_size=BATCH_SIZE)


def _write_batch(spec, batch, cache, report, remember_keys, recorded, deferred):
    """Write one batch of `spec`'s records, each with its revision (`recorded`: user and
    comment). A self-reference to a row not written yet is left for `_link_deferred`, its
    (primary key, field, key) appended to `deferred`."""
    model = spec.model
    manager = model._default_manager
    keys = [converted.values[spec.key_field] for converted in batch]
    existing = manager.in_bulk(keys, field_name=spec.key_field)

    fk_pks = {}
    for fk in spec.foreign_keys:
        target = SPECS_BY_MODEL[fk.related_model]
        fk_pks[fk.name] = cache.resolve(target, {c.foreign_keys[fk.name] for c in batch} - {None})

    to_create, changed, changed_fields, before, linked_later = [], {}, set(), {}, []
    today = timezone.localdate()
    for converted in batch:
        values = dict(converted.values)
        later = []
        for fk in spec.foreign_keys:
            key = converted.foreign_keys[fk.name]
            if key and key not in fk_pks[fk.name]:
                # Validation found the key in the input: its row comes later in this pass.
                later.append((fk, key))
                continue
            values[fk.attname] = fk_pks[fk.name][key] if key else None
        obj = existing.get(values[spec.key_field])
        _give_review_date(values, obj, today)
        if obj is None:
            obj = model(**values)
            _refresh_derived(obj)
            to_create.append(obj)
            linked_later.extend((obj, fk, key) for fk, key in later)
            continue
        differing = [name for name, value in values.items() if getattr(obj, name) != value]
        before[obj.pk] = {name: getattr(obj, name) for name in differing}
        for name in differing:
            setattr(obj, name, values[name])
        linked_later.extend((obj, fk, key) for fk, key in later)
        if later:
            # It names a row that doesn't exist yet, so that link is bound to change.
            changed[obj.pk] = obj
        if differing:
            if _refresh_derived(obj):
                differing.extend(obj.DERIVED_FIELDS)
            changed[obj.pk] = obj
            changed_fields.update(differing)

    manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    deferred.extend((obj.pk, fk, key) for obj, fk, key in linked_later)
    objects = {obj.pk: obj for obj in [*existing.values(), *to_create]}
    by_key = {getattr(obj, spec.key_field): obj for obj in objects.values()}
    existing_pks = {obj.pk for obj in existing.values()}
    links_now = {pk: {} for pk in objects}
    links_before = defaultdict(dict)
    for m2m in spec.many_to_many:
        now, earlier = _write_many_to_many(spec, m2m, batch, by_key, cache, existing_pks)
        for pk in objects:
            links_now[pk][m2m.name] = now.get(pk, set())
        for pk in existing_pks:
            if earlier.get(pk, set()) != links_now[pk][m2m.name]:
                links_before[pk][m2m.name] = earlier.get(pk, set())
                changed.setdefault(pk, objects[pk])

    if changed:
        now = timezone.now()
        for timestamp in spec.timestamp_fields:
            for obj in changed.values():
                setattr(obj, timestamp.attname, now)
            changed_fields.add(timestamp.attname)
        manager.bulk_update(list(changed.values()), sorted(changed_fields), batch_size=BATCH_SIZE)

    _note_outcomes(spec, report, to_create, changed, before, links_before, links_now)

    user, comment = recorded
    record_import(
        model,
        to_create,
        [(obj, before.get(pk, {}), links_before[pk]) for pk, obj in changed.items()],
        links_now,
        comment,
        user=user,
        using=manager.db,
    )

    if remember_keys:
        cache.remember(spec, objects.values())
    report.created[spec.label] += len(to_create)
    report.updated[spec.label] += len(changed)
    report.unchanged[spec.label] += len(existing) - len(changed)


def _note_outcomes(spec, report, created, changed, before, links_before, links_now):
    """Add the batch's created and changed records to `report.outcomes`, each changed one with
    its field changes (old and new values, long text as a word diff), up to
    MAX_RECORDS_LISTED; count the rest. Runs inside the import's transaction, so a dry run
    names related items the same import creates."""
    room = max(MAX_RECORDS_LISTED - len(report.outcomes), 0)
    entries = [(obj, None) for obj in created] + [(obj, pk) for pk, obj in changed.items()]
    report.outcomes_not_listed += max(len(entries) - room, 0)
    listed = []
    for obj, pk in entries[:room]:
        lines = []
        if pk is not None:
            old = {**before.get(pk, {}), **links_before[pk]}
            new = {name: getattr(obj, name) for name in before.get(pk, {})}
            new.update({name: links_now[pk][name] for name in links_before[pk]})
            lines = diff_lines(spec.model, old, new, fields=edited_fields(spec.model))
        key = getattr(obj, spec.key_field)
        listed.append(RecordOutcome(spec.label, key, str(obj), pk is None, lines))
    name_lines(spec.model, [outcome.lines for outcome in listed])
    report.outcomes.extend(listed)


def _give_review_date(values, obj, today):
    """Fill in the review date a record's file leaves empty (`last_reviewed`, on models that
    editors re-check): a new record counts as reviewed on the day it is imported, since its
    file was checked against its sources to be written; an existing one keeps its own date.

    Otherwise every imported record would be "due for review" on the day the portal is set up,
    and the count that tells editors what to re-check would mean nothing.
    """
    if "last_reviewed" not in values or values["last_reviewed"] is not None:
        return
    values["last_reviewed"] = today if obj is None else obj.last_reviewed


def _refresh_derived(obj):
    """Recompute fields derived from others, as save() would; returns whether any changed.

    Bulk writes skip save(), so the importer does this itself.
    """
    refresh = getattr(obj, "refresh_search_text", None)
    return bool(refresh and refresh())


def _write_many_to_many(spec, m2m, batch, by_key, cache, existing_pks):
    """Make the batch's links for one many-to-many field match the input.

    Returns ({source pk: target pks now}, {source pk: target pks before}), the first for
    every object in the batch that has links, the second for existing objects that had.
    """
    through = m2m.remote_field.through
    source_column, target_column = m2m.m2m_column_name(), m2m.m2m_reverse_name()
    target = SPECS_BY_MODEL[m2m.related_model]
    target_pks = cache.resolve(target, {k for c in batch for k in c.many_to_many[m2m.name]})

    wanted = {
        (by_key[c.values[spec.key_field]].pk, target_pks[key])
        for c in batch
        for key in c.many_to_many[m2m.name]
    }
    current = {}
    for chunk in _chunks(existing_pks):
        rows = through._default_manager.filter(**{f"{source_column}__in": chunk})
        for row_id, source_pk, target_pk in rows.values_list("pk", source_column, target_column):
            current[(source_pk, target_pk)] = row_id

    to_add = wanted - set(current)
    to_remove = [row_id for pair, row_id in current.items() if pair not in wanted]
    _insert_links(through, source_column, target_column, sorted(to_add))
    for chunk in _chunks(to_remove):
        through._default_manager.filter(pk__in=chunk).delete()
    now, before = defaultdict(set), defaultdict(set)
    for source, target in wanted:
        now[source].add(target)
    for source, target in current:
        before[source].add(target)
    return now, before


def _insert_links(through, source_column, target_column, pairs):
    """Insert many-to-many rows with one `executemany`.

    Link rows are two integers; building a model instance for each (as bulk_create would)
    cost more than the database's own work in profiles of large imports.
    """
    if not pairs:
        return
    connection = connections[through._default_manager.db]
    quote = connection.ops.quote_name
    table = quote(through._meta.db_table)
    source = quote(through._meta.get_field(source_column).column)
    target = quote(through._meta.get_field(target_column).column)
    sql = f"INSERT INTO {table} ({source}, {target}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, pairs)


def import_files(paths, *, dry_run=False, progress=None, max_records=None, user=None, names=None):
    """Import fixture files; return an `ImportReport`.

    Raises `ContentImportError` (nothing written) if any record is invalid, `DatabaseBusy`
    (nothing written) if another writer kept the database locked for longer than it waits,
    and `TooManyRecords` as soon as the files hold more than `max_records`, if given.
    All writes happen in one transaction; with `dry_run` it is rolled back, so the report says
    what would happen. Each created or changed record gets its own revision in its history
    ("Imported from <file>", by `user` if given; `names` lists the files' names to show
    there, in the order of `paths`, where those differ) and a row in the public change log.
    A `user` without the permission to publish may not publish, schedule or unpublish an
    article (`ContentImportError`, see portal.content.permissions).
    `progress`, if given, is told of each stage (`start("checking")`, then
    `start("writing", total)`) and of each batch of records done (`advance(n)`).
    """
    history = _History(user, dict(zip((Path(p) for p in paths), names or (), strict=False)))
    paths = [Path(path) for path in paths]
    progress = progress or _NoProgress()
    try:
        progress.start("checking")
        plan = _validate(paths, progress, max_records)
        if user is not None and not user.has_perm(PUBLISH_PERMISSION):
            if problems := publishing_problems(paths, Problem):
                raise ContentImportError(problems[:MAX_PROBLEMS_LISTED], len(problems))
        progress.start("writing", plan.records)
        report = ImportReport(repaired_fields=plan.repaired_fields, records=plan.records)
        with transaction.atomic():
            _write(paths, plan, report, progress, history)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        # Validation should catch everything; the database's constraints are the backstop.
        problem = Problem(", ".join(map(str, paths)), f"the database refused the data: {error}")
        raise ContentImportError([problem], 1) from error
    except OperationalError as error:
        if is_database_busy(error):
            raise DatabaseBusy() from error
        raise
    return report
