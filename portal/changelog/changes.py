"""The public change log: field-level changes to public records, written as changes are saved.

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

A change row lists only public fields (`public_fields`). Names of related items are stored
in every language as they were at the time, so a page needs no further query to show them.
"""

import datetime
import difflib
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _get_options, is_registered

from portal.models import Article, RecordChange
from portal.records.description import CHANGE_LOG
from portal.records.registry import public_records, record_named, record_of


def change_log_types():
    """{name: PublicRecord} of the record types in the change log (those declaring
    CHANGE_LOG), in navigation order."""
    return {record.name: record for record in public_records(CHANGE_LOG)}


def _logged(model):
    """`model`'s PublicRecord if its changes are logged, else None."""
    record = record_of(model)
    return record if record is not None and record.has(CHANGE_LOG) else None


# Fields readers never see, or that change without the content changing.
HIDDEN_FIELDS = {
    "id",
    "search_cjk",
    "has_footnotes",  # derived from the body, for search
    "created_at",
    "updated_at",
    "last_reviewed",
    "aliases",  # found by search, never shown
    "sort_weight",  # the order of the sector list, not a fact about the sector
}
# An article's status is its visibility: the log says "Published", never "Status: ...".
HIDDEN_ARTICLE_FIELDS = {"status"}
# Text longer than this is shown as a word diff rather than "old → new".
SHORT_TEXT = 80
# Words (or Chinese characters) of unchanged text kept around each change in a word diff.
DIFF_CONTEXT = 4
# The most tokens a word diff keeps; the rest is cut, marked with an ellipsis.
DIFF_LIMIT = 80

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A word with the spaces after it, or one Chinese character: so a run of changed words is
# one deletion and one insertion, not split at each space they share.
_TOKENS = re.compile(rf"[{_CJK}]\s*|[^\s{_CJK}]+\s*|\s+")


def edited_fields(model):
    """The fields of `model` an editor edits, in form order: not the primary key, not derived
    (editable=False, e.g. the search tokens) and not timestamps (auto_now, auto_now_add), which
    change whenever anything does. The admin's compare view and import preview show these."""
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not f.primary_key
        and f.editable
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def public_fields(model):
    """The fields of `model` that the change log compares: shown to readers, not derived."""
    hidden = HIDDEN_FIELDS | (HIDDEN_ARTICLE_FIELDS if model is Article else set())
    return [
        f for f in [*model._meta.concrete_fields, *model._meta.many_to_many] if f.name not in hidden
    ]


def is_public(model, values):
    """Whether readers can see a record with these field values (only articles can be hidden)."""
    return model is not Article or values.get("status") == Article.Status.PUBLISHED


def word_diff(old, new, context=DIFF_CONTEXT, limit=DIFF_LIMIT):
    """[[op, text], ...] turning `old` into `new`: op is "=" (kept), "-", "+" or "…" (unchanged
    text left out). Words are compared whole; Chinese, one character at a time.

    Runs of unchanged text keep `context` tokens around each change; after `limit` tokens the
    rest is cut. The public log keeps diffs short; the admin's compare view passes a wider
    context and no limit (None), so that an editor sees every change in a long text."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    ops, kept = [], 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if context is not None and len(same) > 2 * context + 1:
                head = same[:context] if ops and context else []
                tail = same[-context:] if context and (i2 < len(a) or j2 < len(b)) else []
                for part in (head, None, tail):
                    if part is None:
                        ops.append(["…", ""])
                    elif part:
                        ops.append(["=", "".join(part)])
            else:
                ops.append(["=", "".join(same)])
            kept += len(same)
            continue
        if i2 > i1:
            ops.append(["-", "".join(a[i1:i2])])
        if j2 > j1:
            ops.append(["+", "".join(b[j1:j2])])
        kept += (i2 - i1) + (j2 - j1)
        if limit is not None and kept > limit:
            ops.append(["…", ""])
            break
    while ops and ops[-1][0] == "…" and len(ops) > 1 and ops[-2][0] == "…":
        ops.pop()
    return ops


def _plain(value):
    """A field value as JSON can hold it."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def diff_lines(model, old, new, fields=None):
    """The public differences between two states of a record of `model`, as change lines.

    `old` and `new` map attnames to values (foreign keys as ids, many-to-many fields as
    collections of ids), as a reversion version's field dict does. Related items are given
    as ids ("old_id"/"new_id", "added"/"removed"); `name_lines` turns them into names.
    `fields` are the fields compared: by default those readers see (`public_fields`).
    """
    lines = []
    for field in public_fields(model) if fields is None else fields:
        key = field.attname
        if key not in old and key not in new:
            continue
        before, after = old.get(key), new.get(key)
        if field.many_to_many:
            before, after = set(before or ()), set(after or ())
            if before != after:
                lines.append(
                    {
                        "field": field.name,
                        "added": sorted(after - before),
                        "removed": sorted(before - after),
                    }
                )
        elif before != after:
            if field.many_to_one:
                lines.append({"field": field.name, "old_id": before, "new_id": after})
            elif isinstance(before or after, str) and (
                isinstance(field, models.TextField)
                or max(len(before or ""), len(after or "")) > SHORT_TEXT
            ):
                lines.append({"field": field.name, "diff": word_diff(before, after)})
            else:
                lines.append({"field": field.name, "old": _plain(before), "new": _plain(after)})
    return lines


def _names(model, ids):
    """{id: name} for rows of `model`; a name is {language: text} for translated names."""
    if not ids:
        return {}
    record = record_of(model)
    if record is not None and hasattr(model, record.name_columns[0]):
        columns = record.name_columns
        rows = model._default_manager.filter(pk__in=ids).values_list("pk", *columns)
        codes = [code for code, _name in settings.LANGUAGES]
        return {pk: dict(zip(codes, names, strict=True)) for pk, *names in rows}
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}


def name_lines(model, line_lists):
    """Replace related ids in every line of `line_lists` (lists of `diff_lines` output for
    records of `model`) by names, with one query per related model."""
    wanted = {}
    for lines in line_lists:
        for line in lines:
            field = model._meta.get_field(line["field"])
            if field.is_relation:
                ids = {*line.get("added", ()), *line.get("removed", ())}
                ids |= {line.get("old_id"), line.get("new_id")} - {None}
                wanted.setdefault(field.related_model, set()).update(ids)
    names = {related: _names(related, ids) for related, ids in wanted.items()}
    for lines in line_lists:
        for line in lines:
            field = model._meta.get_field(line["field"])
            if not field.is_relation:
                continue
            found = names[field.related_model]
            if field.many_to_many:
                line["added"] = [found.get(pk, str(pk)) for pk in line["added"]]
                line["removed"] = [found.get(pk, str(pk)) for pk in line["removed"]]
            else:
                line["old"] = found.get(line.pop("old_id"))
                line["new"] = found.get(line.pop("new_id"))


def change_row(model, pk, old, new, first_kind=RecordChange.Kind.FIRST, **values):
    """An unsaved RecordChange for the record `pk` of `model` going from `old` to `new`
    (None when it is new to the history: a row of `first_kind`), or None when nothing
    readers see changed or `model` has no public pages.

    Lines still hold ids: call `name_lines` on them before saving.
    """
    record = _logged(model)
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
        if _logged(model) is None:
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


def visible_changes(record_type=None):
    """Change rows readers may see, newest first: public rows of records they can see (an
    article's only from its publication on)."""
    rows = RecordChange.objects.filter(public=True)
    if record_type:
        rows = rows.filter(record_type=record_type)
    if record_type in (None, "article"):
        # Exists on the article's primary key: a lookup per row read, never a scan of articles.
        readable = Article.objects.published().filter(
            pk=OuterRef("article_id"), publish_at__lte=OuterRef("changed_at")
        )
        rows = rows.filter(Q(article__isnull=True) | Exists(readable))
    return rows.order_by("-id")


def with_records(rows):
    """`rows` with their records' slug and names (only what a log row shows of its record)
    fetched in the same query."""
    types = change_log_types()
    related = list(types)
    only = [
        f"{name}__{column}"
        for name, record in types.items()
        for column in ("slug", *record.name_columns)
    ]
    only += ["id", "record_type", "changed_at", "kind", "via", "lines"]
    return rows.select_related(*related).only(*only)


def changed_record(change):
    """The article, initiative, organisation or sector that `change` is about."""
    return getattr(change, change.record_type)


def _name_in_language(name):
    if isinstance(name, dict):
        code = get_language() or settings.LANGUAGE_CODE
        return name.get(code) or name.get("en") or ""
    return "" if name is None else str(name)


def _display(field, value):
    """A stored scalar value as readers see it: a choice's label, a date, or the text."""
    if value in (None, ""):
        return None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(value)
        return timezone.localtime(parsed).date() if parsed else value
    if isinstance(field, models.DateField):
        return parse_date(value) or value
    return value


def _field_label(field):
    """A field's name for readers, with the language of a translated field, as the admin
    labels it: "Description [zh-hant]"."""
    label = str(field.verbose_name)
    label = label[:1].upper() + label[1:]
    for code, _name in settings.LANGUAGES:
        if field.name.endswith("_" + code.replace("-", "_")):
            return f"{label} [{code}]"
    return label


@dataclass
class ShownLine:
    """One change line ready for a template: `label` and one of `old`/`new` (values, None
    for empty), `added`/`removed` (names) or `diff` ([[op, text]])."""

    label: str
    old: object = None
    new: object = None
    added: tuple = ()
    removed: tuple = ()
    diff: tuple = ()
    kind: str = "value"


def shown_lines(change):
    """The lines of `change` for display, in the reader's language; lines naming a field the
    model no longer has are left out."""
    return display_lines(record_named(change.record_type).model, change.lines)


def display_lines(model, lines):
    """`lines` (`diff_lines` output for a record of `model`, named by `name_lines`) as
    `ShownLine`s, in the current language; lines naming a field `model` no longer has are
    left out. The public log shows its stored rows with it, the admin's import preview the
    changes an import would make."""
    shown = []
    for line in lines:
        try:
            field = model._meta.get_field(line["field"])
        except Exception:  # noqa: BLE001 - a field removed since: nothing to show
            continue
        label = _field_label(field)
        if "diff" in line:
            shown.append(ShownLine(label, diff=tuple(line["diff"]), kind="diff"))
        elif "added" in line:
            shown.append(
                ShownLine(
                    label,
                    added=tuple(_name_in_language(n) for n in line["added"]),
                    removed=tuple(_name_in_language(n) for n in line["removed"]),
                    kind="relations",
                )
            )
        elif field.many_to_one:
            shown.append(
                ShownLine(
                    label,
                    old=_name_in_language(line.get("old")) or None,
                    new=_name_in_language(line.get("new")) or None,
                )
            )
        else:
            shown.append(
                ShownLine(label, old=_display(field, line["old"]), new=_display(field, line["new"]))
            )
    return shown
