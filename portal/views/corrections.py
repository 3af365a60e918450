"""/corrections/: every correction stated on a public record, newest first.

Paged by key (`?before=<id>`), read through the index of the corrections' dates, so a page
is one query that stops after a page of rows however many corrections there are.
"""

from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.finders.querystrings import with_query
from portal.models import Correction
from portal.records.description import CORRECTIONS
from portal.records.registry import public_records
from portal.views.changes import BadChangesQuery, _number

CORRECTIONS_PER_PAGE = 20


def with_records(rows):
    """`rows` (corrections) with their records' slug and names, in the same query."""
    types = {record.name: record for record in public_records(CORRECTIONS)}
    only = [
        f"{name}__{column}"
        for name, record in types.items()
        for column in ("slug", *record.name_columns)
    ]
    only += ["id", "record_type", "corrected_on", "field", "text_en", "text_zh_hant"]
    return rows.select_related(*types).only(*only)


@require_safe
def corrections_view(request):
    """Every correction readers may see, newest first.

    Template: ``portal/corrections.html``. Context: ``corrections``, ``older_url``,
    ``newest_url``, ``problem`` (why the query was refused, with status 400).
    """
    try:
        before = _number(
            request.GET,
            "before",
            _("“before” must be the number of a correction, as the “Older” link gives it."),
        )
    except BadChangesQuery as problem:
        return render(
            request, "portal/corrections.html", {"corrections": [], "problem": problem}, status=400
        )
    rows = with_records(Correction.objects.visible()).order_by("-corrected_on", "-id")
    if before is not None:
        date = Correction.objects.filter(pk=before).values_list("corrected_on", flat=True).first()
        if date is None:
            rows = rows.none()
        else:
            rows = rows.filter(Q(corrected_on__lt=date) | Q(corrected_on=date, id__lt=before))
    corrections = list(rows[: CORRECTIONS_PER_PAGE + 1])
    older = None
    if len(corrections) > CORRECTIONS_PER_PAGE:
        corrections = corrections[:CORRECTIONS_PER_PAGE]
        older = with_query(request.path, urlencode({"before": corrections[-1].pk}))
    return render(
        request,
        "portal/corrections.html",
        {
            "corrections": corrections,
            "older_url": older,
            "newest_url": request.path if before is not None else None,
        },
    )
