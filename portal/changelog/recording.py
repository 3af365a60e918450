"""Recording the public change log: a row per change readers can see, written as it is saved.

Where the rows come from:
- admin edits (and anything else inside `reversion.create_revision()`): `record_revision`, a
  `post_revision_commit` receiver, compares each new version of an article, initiative,
  organisation or sector with the object's previous version;
- `import_content`: `record_import` writes a revision, a version and a change row per created
  or changed record, with bulk inserts, from the values the importer already holds, and one
  summary row per import and record type that the log lists instead of every record;
- corrections: `record_correction`, a `post_save` receiver, keeps a row per correction.

A change row may carry a change note (`change_note()`, the import's note, a correction's
text). A scheduled article's row is stamped with its publish date, when readers first see it.

Why stored rather than computed per request: the log must skip changes readers cannot see
(admin-only fields such as `last_reviewed`, timestamps, drafts). Computing diffs from versions
on each request would mean reading an unknown number of versions to fill one page; a stored
row per visible change makes a page one indexed query (see `RecordChange`'s indexes), and the
diff is computed once, when the previous version is at hand anyway.

Names of related items are stored in every language as they were at the time, so a page
needs no further query to show them.
"""

import contextvars
import json
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _get_options, is_registered

from portal.changelog.diffs import diff_lines, name_lines
from portal.changelog.registry import is_public, logged_record
from portal.models import RECORD_TYPES, Article, RecordChange

# The change note of the revisions committed within `change_note()` ({column: text}): the
# admin wraps a save in it, and record_revision reads it as the revision is committed.
_revision_note = contextvars.ContextVar("revision_note", default=None)


def note_columns(texts):
    """{"note_en": ..., "note_zh_hant": ...} from {language code: text}, one line each."""
    return {
        f"note_{code.replace('-', '_')}": " ".join(str(texts.get(code) or "").split())[:300]
        for code, _name in settings.LANGUAGES
    }


@contextmanager
def change_note(texts):
    """Within this block, the change rows of committed revisions carry the note `texts`
    ({language code: text}); the admin wraps a save in it."""
    token = _revision_note.set(note_columns(texts or {}))
    try:
        yield
    finally:
        _revision_note.reset(token)


def readable_from(model, values, at):
    """When readers can first see a record holding `values`, written at `at`: `at`, or for a
    scheduled article its publish date; None for a draft."""
    if not is_public(model, values):
        return None
    publish_at = values.get("publish_at") if model is Article else None
    return max(at, publish_at) if publish_at else at


def change_row(model, pk, old, new, first_kind=RecordChange.Kind.FIRST, **values):
    """An unsaved RecordChange for the record `pk` of `model` going from `old` to `new`
    (None when it is new to the history: a row of `first_kind`), or None when nothing
    readers see changed or `model` has no public pages.

    Lines still hold ids: call `name_lines` on them before saving.
    """
    record = logged_record(model)
    if record is None:  # e.g. a source: in the admin's history, not in the public log
        return None
    at = values["changed_at"]
    new_from = readable_from(model, new, at)
    public = new_from is not None
    if old is None:
        kind, lines = first_kind, []
        # A scheduled article enters the log when it appears, not when it was scheduled.
        values["changed_at"] = new_from or at
    else:
        old_from = readable_from(model, old, at)
        was_readable = old_from is not None and old_from <= at
        if public and not was_readable and old_from != new_from:
            # What changed while it was a draft (or scheduled) is not for readers: only that
            # it appeared, stamped at the time it does.
            kind, lines = RecordChange.Kind.PUBLISHED, []
            values["changed_at"] = new_from
        else:
            # An edit to an article still scheduled for the same time is stamped now, before
            # its publish date, so the log never shows it (see display.visible_changes).
            kind, lines = RecordChange.Kind.CHANGED, diff_lines(model, old, new)
            if not lines:
                return None
    return RecordChange(
        record_type=record.name,
        **{f"{record.name}_id": pk},
        kind=kind,
        public=public,
        lines=lines,
        **values,
    )


def record_revision(sender, revision, versions, **kwargs):
    """`post_revision_commit` receiver: a change row for each public record in `revision`
    whose public fields changed since its previous version."""
    rows = []
    for version in versions:
        model = version.content_type.model_class()
        if logged_record(model) is None:
            continue
        previous = (
            Version.objects.using(version._state.db)
            .filter(
                content_type_id=version.content_type_id,
                object_id=version.object_id,
                db=version.db,
                pk__lt=version.pk,
            )
            .order_by("-pk")
            .first()
        )
        try:
            new = version._local_field_dict
            old = previous._local_field_dict if previous else None
        except RevertError:  # A version written by an older schema: nothing to compare.
            new, old = version._local_field_dict, None
        row = change_row(
            model,
            int(version.object_id),
            old,
            new,
            changed_at=revision.date_created,
            via=RecordChange.Via.EDITOR,
            revision=revision,
            **(_revision_note.get() or {}),
        )
        if row is not None:
            name_lines(model, [row.lines])
            rows.append(row)
    RecordChange.objects.using(revision._state.db).bulk_create(rows)


class _KnownManyToManySerializer(PythonSerializer):
    """Django's serializer, given each object's many-to-many ids instead of querying them
    object by object (the importer has just written them)."""

    def serialize(self, queryset, *, many_to_many, **options):
        self.many_to_many = many_to_many
        return super().serialize(queryset, **options)

    def handle_m2m_field(self, obj, field):
        self._current[field.name] = sorted(self.many_to_many.get(obj.pk, {}).get(field.name, ()))


def _serialized(objects, fields, many_to_many):
    """Each object as reversion's "json" format stores it: what `serializers.serialize("json",
    [obj])` writes, made in one pass over the batch and encoded by json.dumps (the C encoder;
    the JSON serializer's stream writing uses the pure-Python one, most of an import's time)."""
    dicts = _KnownManyToManySerializer().serialize(
        objects, many_to_many=many_to_many, fields=fields
    )
    return [json.dumps([data], cls=DjangoJSONEncoder) for data in dicts]


class ImportSummaries:
    """The rows that summarise one import in the public log, one per record type, made when
    the import writes its first record of that type and counted up batch by batch.

    `note` ({language code: text}) is the import's change note, given to the summaries and to
    every record's row."""

    def __init__(self, note=None):
        self.note = note_columns(note or {})
        self.rows = {}

    def add(self, record_type, rows, now, using):
        """Attach `rows` (unsaved change rows of `record_type` written at `now`) to this
        import's summary of that type, and count those readers see now. Rows stamped later
        (scheduled articles) stay listed on their own, to appear at their time."""
        summary = self.rows.get(record_type)
        if summary is None:
            summary = RecordChange(
                record_type=record_type,
                kind=RecordChange.Kind.IMPORTED,
                via=RecordChange.Via.IMPORT,
                changed_at=now,
                public=False,
                lines={"added": 0, "changed": 0},
                **self.note,
            )
            summary.save(using=using)
            self.rows[record_type] = summary
        for row in rows:
            row.summary = summary
            for column, text in self.note.items():
                setattr(row, column, text)
            row.listed = row.public and row.changed_at > now
            if row.public and not row.listed:
                added = row.kind in (RecordChange.Kind.ADDED, RecordChange.Kind.FIRST)
                summary.lines["added" if added else "changed"] += 1
        public = any(summary.lines.values())
        if public or summary.public:
            summary.public = public
            summary.save(using=using, update_fields=["lines", "public"])


def record_import(
    model, created, changed, many_to_many, comment, user=None, using="default", summaries=None
):
    """History for one batch of imported records of `model`, written with bulk inserts: per
    created or changed record a reversion revision (`comment`, e.g. "Imported from
    fixtures/40_initiatives.json") holding its version, so its admin history shows the import
    and reverting it touches that record alone, and a change row for the public log, listed
    there through the import's summary (`summaries`, an ImportSummaries shared by the batches
    of one import; a batch without one is an import of its own).

    `created`: saved objects new to the database. `changed`: [(object as saved now, {attname:
    value before} for its changed fields, {m2m name: ids before} for its changed relations)].
    `many_to_many`: {pk: {m2m name: ids now}} for every object in either list.
    """
    if not is_registered(model) or not (created or changed):
        return
    options = _get_options(model)
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    now = timezone.now()
    entries = [(obj, None) for obj in created]
    for obj, old_values, old_links in changed:
        current = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
        current.update(many_to_many.get(obj.pk, {}))
        entries.append((obj, {**current, **old_values, **old_links}))
    revisions = Revision.objects.using(using).bulk_create(
        [Revision(date_created=now, user=user, comment=comment) for _entry in entries]
    )
    versions, rows = [], []
    serialized = _serialized([obj for obj, _old in entries], options.fields, many_to_many)
    for (obj, old), revision, data in zip(entries, revisions, serialized, strict=True):
        versions.append(
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(obj.pk),
                db=using,
                format=options.format,
                serialized_data=data,
                object_repr=str(obj),
            )
        )
        new = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
        new.update(many_to_many.get(obj.pk, {}))
        row = change_row(
            model,
            obj.pk,
            old,
            new,
            first_kind=RecordChange.Kind.ADDED,
            changed_at=now,
            via=RecordChange.Via.IMPORT,
            revision=revision,
        )
        if row is not None:
            rows.append(row)
    name_lines(model, [row.lines for row in rows])
    if rows:
        (summaries or ImportSummaries()).add(rows[0].record_type, rows, now, using)
    Version.objects.using(using).bulk_create(versions)
    RecordChange.objects.using(using).bulk_create(rows)


def record_correction(sender, instance, raw=False, **kwargs):
    """`post_save` receiver for portal.models.Correction: its row in the public log, made
    when it is first saved and kept in step with later edits (deleting the correction
    deletes the row)."""
    if raw or not instance.record_type:
        return
    texts = {
        code: getattr(instance, f"text_{code.replace('-', '_')}")
        for code, _name in settings.LANGUAGES
    }
    values = {
        "record_type": instance.record_type,
        **{f"{name}_id": getattr(instance, f"{name}_id") for name in RECORD_TYPES},
        "kind": RecordChange.Kind.CORRECTED,
        "via": RecordChange.Via.EDITOR,
        "lines": [{"field": instance.field}] if instance.field else [],
        **note_columns(texts),
    }
    updated = RecordChange.objects.filter(correction=instance).update(**values)
    if not updated:
        RecordChange.objects.create(correction=instance, changed_at=timezone.now(), **values)
