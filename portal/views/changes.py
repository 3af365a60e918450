"""The public change log: /changes/, newest first, optionally of one record type; one import's
items (`?import=<id>`); and one record's updates (`<page>changes/`, "See all updates").

Paged by key (`?before=<id>`: the rows older than the last one shown), so every page is one
indexed query that stops after a page of rows, however deep a reader goes and however long
the history (see `portal.models.RecordChange`'s indexes). Rows come from portal.changelog.
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.changelog.display import (
    changed_record,
    older_than,
    shown_lines,
    visible_changes,
    with_records,
)
from portal.changelog.registry import change_log_types
from portal.finders.querystrings import with_query
from portal.models import RecordChange
from portal.records.registry import record_named

CHANGES_PER_PAGE = 20
# Ids are positive integers; anything longer than this is not one of ours.
MAX_ID_DIGITS = 18


class BadChangesQuery(ValueError):
    """A parameter of the change log that cannot be used; the message says why."""


def _number(params, name, message):
    value = params.get(name, "")
    if value and not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
        raise BadChangesQuery(message)
    return int(value) if value else None


def changes_query(params):
    """(record type or "", id to start before or None, import id or None) from a query
    string, or BadChangesQuery."""
    record_type = params.get("type", "")
    types = change_log_types()
    if record_type and record_type not in types:
        raise BadChangesQuery(
            _("There is no record type “%(type)s”. Choose one of: %(types)s.")
            % {"type": record_type[:40], "types": ", ".join(types)}
        )
    before = _number(
        params,
        "before",
        _("“before” must be the number of a change, as the “Older changes” link gives it."),
    )
    imported = _number(
        params, "import", _("“import” must be the number of an import, as its entry links it.")
    )
    return record_type, before, imported


def change_rows(rows, limit):
    """The first `limit` rows with what they are about and their display lines:
    [(change, record, lines)], where an import's summary is about its record type (a
    PublicRecord)."""
    return [
        (change, changed_record(change) or record_named(change.record_type), shown_lines(change))
        for change in rows[:limit]
    ]


def _page(request, rows, before, by_time=True):
    """(changes, older_url, newest_url) of the page of `rows` after the change `before`.

    `by_time`: rows are ordered by time then id (the log), else by id alone (an import's
    items, all written at once, read through the index of their import)."""
    if before is not None:
        if by_time:
            # The time of the row to start after: one lookup by primary key.
            stamp = RecordChange.objects.filter(pk=before).values_list("changed_at", flat=True)
            stamp = stamp.first()
            rows = older_than(rows, (stamp, before)) if stamp else rows.filter(id__lt=before)
        else:
            rows = rows.filter(id__lt=before)
    changes = change_rows(rows, CHANGES_PER_PAGE + 1)
    kept = {k: v for k, v in request.GET.items() if k in ("type", "import")}

    def link(params):
        return with_query(request.path, urlencode({k: v for k, v in params.items() if v}))

    older = None
    if len(changes) > CHANGES_PER_PAGE:
        changes = changes[:CHANGES_PER_PAGE]
        older = link({**kept, "before": changes[-1][0].pk})
    newest = link(kept) if before is not None else None
    return changes, older, newest


@require_safe
def changes_view(request):
    """Field-level changes to public records, newest first; with `?import=`, the items of one
    import.

    Template: ``portal/changes.html``. Context: ``changes`` ([(change, record, lines)]),
    ``record_types``, ``record_type``, ``imported`` (the import's summary row, or None),
    ``older_url`` (None on the last page), ``newest_url`` (None on the first page),
    ``problem`` (why the query was refused, with status 400).
    """
    context = {"record_types": change_log_types(), "record_type": "", "changes": []}
    try:
        record_type, before, imported = changes_query(request.GET)
    except BadChangesQuery as problem:
        return render(request, "portal/changes.html", {**context, "problem": problem}, status=400)
    summary = None
    if imported is not None:
        summary = get_object_or_404(
            visible_changes(record_type or None), pk=imported, kind=RecordChange.Kind.IMPORTED
        )
        rows = with_records(
            visible_changes(summary.record_type, listed=False).filter(summary=summary)
        ).order_by("-id")
        changes, older, newest = _page(request, rows, before, by_time=False)
    else:
        rows = with_records(visible_changes(record_type or None))
        changes, older, newest = _page(request, rows, before)
    return render(
        request,
        "portal/changes.html",
        {
            **context,
            "record_type": record_type,
            "imported": summary,
            "changes": changes,
            "older_url": older,
            "newest_url": newest,
        },
    )


@require_safe
def record_changes_view(request, record_type, slug):
    """ "See all updates": every change readers saw to one record, newest first, with its
    change notes and corrections. 404 for a record readers cannot see.

    Template: ``portal/record_changes.html``. Context: ``record``, ``feed_url``, ``changes``,
    ``older_url``, ``newest_url``, ``problem`` (with status 400).
    """
    record = get_object_or_404(change_log_types()[record_type].visible(), slug=slug)
    feed_url = reverse(f"portal:{record_type}_changes_feed", args=[record.slug])
    try:
        _type, before, _import = changes_query({"before": request.GET.get("before", "")})
    except BadChangesQuery as problem:
        return render(
            request,
            "portal/record_changes.html",
            {"record": record, "changes": [], "problem": problem, "feed_url": feed_url},
            status=400,
        )
    rows = with_records(visible_changes(record_type, listed=False).filter(**{record_type: record}))
    changes, older, newest = _page(request, rows, before)
    return render(
        request,
        "portal/record_changes.html",
        {
            "record": record,
            "feed_url": feed_url,
            "changes": changes,
            "older_url": older,
            "newest_url": newest,
        },
    )
