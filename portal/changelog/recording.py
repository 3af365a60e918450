"""Recording the public change log: a row per change readers can see, written as it is saved.

Where the rows come from:
- admin edits (and anything else inside `reversion.create_revision()`): `record_revision`, a
  `post_revision_commit` receiver, compares each new version of an article, initiative,
  organisation or sector with the object's previous version;
- `import_content`: `record_import` writes a revision, a version and a change row per created
  or changed record, with bulk inserts, from the values the importer already holds.

Why stored rather than computed per request: the log must skip changes readers cannot see
(admin-only fields such as `last_reviewed`, timestamps, drafts). Computing diffs from versions
on each request would mean reading an unknown number of versions to fill one page; a stored
row per visible change makes a page one indexed query (see `RecordChange`'s indexes), and the
diff is computed once, when the previous version is at hand anyway.

Names of related items are stored in every language as they were at the time, so a page
needs no further query to show them.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _get_options, is_registered

from portal.changelog.diffs import diff_lines, name_lines
from portal.changelog.registry import is_public, logged_record
from portal.models import RecordChange


def change_row(model, pk, old, new, first_kind=RecordChange.Kind.FIRST, **values):
    """An unsaved RecordChange for the record `pk` of `model` going from `old` to `new`
    (None when it is new to the history: a row of `first_kind`), or None when nothing
    readers see changed or `model` has no public pages.

    Lines still hold ids: call `name_lines` on them before saving.
    """
    record = logged_record(model)
    if record is None:  # e.g. a source: in the admin's history, not in the public log
        return None
    public = is_public(model, new)
    if old is None:
        kind, lines = first_kind, []
    elif public and not is_public(model, old):
        # What changed while it was a draft is not for readers: only that it appeared.
        kind, lines = RecordChange.Kind.PUBLISHED, []
    else:
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


def record_import(model, created, changed, many_to_many, comment, user=None, using="default"):
    """History for one batch of imported records of `model`, written with bulk inserts: per
    created or changed record a reversion revision (`comment`, e.g. "Imported from
    fixtures/40_initiatives.json") holding its version, so its admin history shows the import
    and reverting it touches that record alone, and a change row for the public log.

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
    Version.objects.using(using).bulk_create(versions)
    RecordChange.objects.using(using).bulk_create(rows)
