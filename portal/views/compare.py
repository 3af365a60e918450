"""Initiatives side by side: /initiatives/compare/?items=a,b,c and the same table as CSV,
/initiatives/compare.csv?items=a,b,c. What a comparison is, and its table, is
`portal.finders.comparison`; these views turn it into a page or a download.

Both answer at one address per comparison, `?items=a,b,c`: the finder's "Compare selected"
form submits `?items=a&items=b` (that is how a form sends several ticked boxes), and any such
address is redirected (302) to the comma-separated one, so what a reader shares or bookmarks
is short and the page cache holds one copy.
"""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.finders.comparison import MAX_ITEMS, MIN_ITEMS, PARAMETER, column_title, compare, table
from portal.finders.listings import INITIATIVES
from portal.finders.querystrings import comma_query, comma_values, with_query
from portal.opendata.spreadsheets import csv_response
from portal.records.addresses import absolute_detail_urls, absolute_url


def _canonical_redirect(request, slugs):
    """A redirect to the comparison's canonical address if the request used another one
    (repeated parameters, blanks, other parameters); else None.

    Compared as decoded values, not as raw query strings: browsers differ in which
    characters they percent-encode, and a raw comparison could redirect in a loop."""
    canonical = [(PARAMETER, [",".join(slugs)])] if slugs else []
    if list(request.GET.lists()) == canonical:
        return None
    return HttpResponseRedirect(with_query(request.path, comma_query(PARAMETER, slugs)))


def _address_without(path, slugs, slug):
    return with_query(path, comma_query(PARAMETER, [other for other in slugs if other != slug]))


def compare_view(request):
    """The initiatives named by `items` side by side, attributes as rows.

    Template: ``portal/initiative_compare.html``. Context: ``columns`` ([(initiative, the
    address of the comparison without it, or "" when that would leave too few)], in the order
    asked for), ``rows`` (`comparison.table`), ``csv_url``, ``canonical_url``; or ``problems``
    (why the request can't be shown; the status is then 400 or 404) and, when the only
    problem is unknown initiatives and enough of the others were found, ``found_url``.
    """
    slugs = comma_values(request.GET, PARAMETER)
    if redirect := _canonical_redirect(request, slugs):
        return redirect
    comparison = compare(slugs)
    found = comparison.found_slugs
    encoded = comma_query(PARAMETER, found)
    context = {
        "problems": comparison.problems,
        "min_items": MIN_ITEMS,
        "max_items": MAX_ITEMS,
        "finder_url": reverse(INITIATIVES.url_name),
    }
    if comparison.problems:
        if comparison.status == 404 and MIN_ITEMS <= len(found) <= MAX_ITEMS:
            context["found_url"] = with_query(request.path, encoded)
    else:
        # A column can be taken out while at least MIN_ITEMS would be left.
        fewer = len(found) > MIN_ITEMS
        context.update(
            columns=[
                (obj, _address_without(request.path, found, obj.slug) if fewer else "")
                for obj in comparison.initiatives
            ],
            rows=table(comparison.initiatives),
            csv_url=with_query(reverse("portal:initiative_compare_csv"), encoded),
            canonical_url=absolute_url(with_query(request.path, encoded)),
        )
    return render(request, "portal/initiative_compare.html", context, status=comparison.status)


def compare_csv_view(request):
    """The comparison's table as a CSV download, shaped like the page: a row per attribute,
    a column per initiative (the header row names them), and last a row of their addresses.

    The same shape as the page because this is that table, to print, annotate or share as it
    reads; one row per initiative, for analysis, is what /initiatives.csv gives. Problems are
    a plain-text 400 or 404, like the page's.
    """
    slugs = comma_values(request.GET, PARAMETER)
    if redirect := _canonical_redirect(request, slugs):
        return redirect
    comparison = compare(slugs)
    if comparison.problems:
        return HttpResponse(
            "".join(f"{problem}\n" for problem in comparison.problems),
            status=comparison.status,
            content_type="text/plain; charset=utf-8",
        )
    initiatives = comparison.initiatives
    url = absolute_detail_urls(request, INITIATIVES.detail_url_name)
    rows = [
        [str(label), *("; ".join(entry.as_text() for entry in cell) for cell in cells)]
        for label, cells in table(initiatives)
    ]
    rows.append([_("Address"), *(url(obj.slug) for obj in initiatives)])
    header = [_("Initiative"), *(column_title(obj) for obj in initiatives)]
    return csv_response("hkai-initiatives-compared.csv", header, rows)
