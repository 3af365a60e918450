"""Writing an import: every model in dependency order, a batch at a time, with bulk queries;
many-to-many links, self-references to rows written later, and each record's history.

`write_files(paths, plan, report, progress, history)` is the second pass over files that
`portal.content.check.check_files` has passed; it runs inside the caller's transaction and
fills in the `ImportReport`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connections, reset_queries
from django.utils import timezone

from portal.changelog.diffs import diff_lines, name_lines
from portal.changelog.recording import ImportSummaries, record_import
from portal.changelog.registry import edited_fields
from portal.content.reader import read_records
from portal.content.schema import BATCH_SIZE, SPECS, SPECS_BY_MODEL, chunks, convert_fields

# Records whose changes a report lists one by one (the import preview); the rest are counted.
MAX_RECORDS_LISTED = 200


@dataclass(frozen=True)
class RecordOutcome:
    """One record an import creates or changes: `lines` are its changed fields as
    `portal.changelog.diffs.diff_lines` gives them, related items named (empty for a new
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
        for chunk in chunks(unknown):
            rows = spec.model._default_manager.filter(**{f"{spec.key_field}__in": chunk})
            table.update(rows.values_list(spec.key_field, "pk"))
        return table


def write_files(paths, plan, report, progress, history):
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
class History:
    """Who imports, and the name each input file goes by in the history."""

    user: object = None
    names: dict = field(default_factory=dict)
    # The import's rows in the public log, one per record type, with its change note.
    summaries: ImportSummaries = field(default_factory=ImportSummaries)

    def for_path(self, path):
        """(user, comment, summaries) for the history of records written from `path`."""
        return self.user, f"Imported from {self.names.get(path, path)}", self.summaries


def _link_deferred(spec, deferred, cache):
    """Set the self-references that named a row not yet written when theirs was (a parent
    later in the file, or in the same batch): every row of the model now exists.

    `deferred` holds (primary key, field, natural key) only, not the rows themselves, so
    memory grows with the links left to set, not with the text of the records."""
    for fk in {fk for _, fk, _ in deferred}:
        links = [(pk, key) for pk, field, key in deferred if field is fk]
        for chunk in chunks(links):
            target_pks = cache.resolve(spec, {key for _, key in chunk})
            rows = [spec.model(pk=pk, **{fk.attname: target_pks[key]}) for pk, key in chunk]
            spec.model._default_manager.bulk_update(rows, [fk.name], batch_size=BATCH_SIZE)


def _write_batch(spec, batch, cache, report, remember_keys, recorded, deferred):
    """Write one batch of `spec`'s records, each with its revision (`recorded`: user,
    comment and the import's summaries in the log). A self-reference to a row not written
    yet is left for `_link_deferred`, its (primary key, field, key) appended to `deferred`."""
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

    user, comment, summaries = recorded
    record_import(
        model,
        to_create,
        [(obj, before.get(pk, {}), links_before[pk]) for pk, obj in changed.items()],
        links_now,
        comment,
        user=user,
        using=manager.db,
        summaries=summaries,
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
    for chunk in chunks(existing_pks):
        rows = through._default_manager.filter(**{f"{source_column}__in": chunk})
        for row_id, source_pk, target_pk in rows.values_list("pk", source_column, target_column):
            current[(source_pk, target_pk)] = row_id

    to_add = wanted - set(current)
    to_remove = [row_id for pair, row_id in current.items() if pair not in wanted]
    _insert_links(through, source_column, target_column, sorted(to_add))
    for chunk in chunks(to_remove):
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
