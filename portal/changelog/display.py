"""Showing the change log: the rows readers may see, and each row's lines as a template shows
them, in the reader's language.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language

from portal.changelog.registry import change_log_types
from portal.models import Article, RecordChange
from portal.records.description import translated_columns
from portal.records.registry import record_named

# How much a datetime read from a reversion version may fall short of the stored one.
VERSION_PRECISION = datetime.timedelta(milliseconds=1)


def visible_changes(record_type=None, listed=True, now=None):
    """Change rows readers may see, newest first: public rows of records they can see (an
    article's only from its publication on), none stamped later than now (a scheduled
    article's row waits for its publish date). `listed`: only the entries /changes/ lists
    (an import's records through its summary); False for one record's or one import's rows."""
    rows = RecordChange.objects.filter(public=True, changed_at__lte=now or timezone.now())
    if listed:
        rows = rows.filter(listed=True)
    if record_type:
        rows = rows.filter(record_type=record_type)
    if record_type in (None, "article"):
        # Exists on the article's primary key: a lookup per row read, never a scan of articles.
        # A scheduled article's row is stamped with its publish date as a version holds it,
        # to the millisecond (DjangoJSONEncoder): hence the margin.
        readable = Article.objects.published().filter(
            pk=OuterRef("article_id"),
            publish_at__lt=OuterRef("changed_at") + VERSION_PRECISION,
        )
        rows = rows.filter(Q(article__isnull=True) | Exists(readable))
    return rows.order_by("-changed_at", "-id")


def older_than(rows, change):
    """`rows` (ordered newest first, as visible_changes gives them) after `change`, a
    (changed_at, id) pair: the next page of a log paged by key."""
    changed_at, pk = change
    return rows.filter(Q(changed_at__lt=changed_at) | Q(changed_at=changed_at, id__lt=pk))


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
    only += ["id", "record_type", "changed_at", "kind", "via", "lines", "summary_id"]
    only += list(translated_columns("note"))
    return rows.select_related(*related).only(*only)


def changed_record(change):
    """The article, initiative, organisation, sector or milestone that `change` is about;
    None for an import's summary."""
    if change.kind == RecordChange.Kind.IMPORTED:
        return None
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
    model no longer has are left out. An import's summary has no lines (see `import_counts`)."""
    if change.kind == RecordChange.Kind.IMPORTED:
        return []
    return display_lines(record_named(change.record_type).model, change.lines)


def import_counts(change):
    """(added, changed) records of an import's summary row; None for any other row."""
    if change.kind != RecordChange.Kind.IMPORTED or not isinstance(change.lines, dict):
        return None
    return change.lines.get("added", 0), change.lines.get("changed", 0)


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
        if set(line) == {"field"}:  # a correction names the field it concerns, nothing more
            shown.append(ShownLine(label, kind="field"))
        elif "diff" in line:
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
