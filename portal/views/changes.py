"""The public change log: /changes/, newest first, optionally of one record type.

Paged by key (`?before=<id>`: the rows older than the last one shown), so every page is one
indexed query that stops after a page of rows, however deep a reader goes and however long
the history (see `portal.models.RecordChange`'s indexes). Rows come from portal.changelog.
"""

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.changelog.display import changed_record, shown_lines, visible_changes, with_records
from portal.changelog.registry import change_log_types
from portal.finders.querystrings import with_query

CHANGES_PER_PAGE = 20
# Ids are positive integers; anything longer than this is not one of ours.
MAX_ID_DIGITS = 18


class BadChangesQuery(ValueError):
    """A parameter of the change log that cannot be used; the message says why."""


def changes_query(params):
    """(record type or "", id to start before or None) from a query string, or BadChangesQuery."""
    record_type = params.get("type", "")
    types = change_log_types()
    if record_type and record_type not in types:
        raise BadChangesQuery(
            _("There is no record type “%(type)s”. Choose one of: %(types)s.")
            % {"type": record_type[:40], "types": ", ".join(types)}
        )
    before = params.get("before", "")
    if before and not (before.isascii() and before.isdigit() and len(before) <= MAX_ID_DIGITS):
        raise BadChangesQuery(
            _("“before” must be the number of a change, as the “Older changes” link gives it.")
        )
    return record_type, int(before) if before else None


def change_rows(rows, limit):
    """The first `limit` rows with their records and display lines: [(change, record, lines)]."""
    return [(change, changed_record(change), shown_lines(change)) for change in rows[:limit]]


@require_safe
def changes_view(request):
    """Field-level changes to public records, newest first.

    Template: ``portal/changes.html``. Context: ``changes`` ([(change, record, lines)]),
    ``record_types``, ``record_type``, ``older_url`` (None on the last page), ``newest_url``
    (None on the first page), ``problem`` (why the query was refused, with status 400).
    """
    context = {"record_types": change_log_types(), "record_type": "", "changes": []}
    try:
        record_type, before = changes_query(request.GET)
    except BadChangesQuery as problem:
        return render(request, "portal/changes.html", {**context, "problem": problem}, status=400)
    rows = with_records(visible_changes(record_type or None))
    if before is not None:
        rows = rows.filter(id__lt=before)
    changes = change_rows(rows, CHANGES_PER_PAGE + 1)
    older = None
    if len(changes) > CHANGES_PER_PAGE:
        changes = changes[:CHANGES_PER_PAGE]
        older = {"type": record_type, "before": changes[-1][0].pk}

    def link(params):
        return with_query(request.path, urlencode({k: v for k, v in params.items() if v}))

    return render(
        request,
        "portal/changes.html",
        {
            **context,
            "record_type": record_type,
            "changes": changes,
            "older_url": link(older) if older else None,
            "newest_url": link({"type": record_type}) if before is not None else None,
        },
    )
