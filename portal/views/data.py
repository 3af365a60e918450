"""/data/: the open data page, every dataset as CSV and JSON, and the Data Package that
describes them (portal.opendata).

Downloads stream a chunk of rows at a time, so memory does not grow with the rows, and run a
fixed number of queries per chunk. Each carries its licence and its description as HTTP
`Link` headers (rel="license", rel="describedby"; RFC 8288), and may be read by scripts on
other sites (`Access-Control-Allow-Origin: *`): it is public data.
"""

import itertools
import json

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from portal.opendata import (
    DATASETS,
    DATASETS_BY_NAME,
    LICENSE,
    LINKS_BY_NAME,
    Reader,
    csv_filename,
    data_package,
)
from portal.opendata.spreadsheets import ROWS_PER_WRITE, csv_response
from portal.records.addresses import absolute_url

# Rows read per round trip to the database.
CHUNK_SIZE = 2000


def _open_data_headers(response, request):
    package = absolute_url(reverse("portal:data_package"))
    response["Link"] = f'<{LICENSE["path"]}>; rel="license", <{package}>; rel="describedby"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


class DataView(TemplateView):
    """The open data page: each dataset with its downloads and its fields."""

    template_name = "portal/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            datasets=DATASETS, license=LICENSE, links=list(LINKS_BY_NAME.values()), **kwargs
        )


def data_csv_view(request, name):
    """A dataset, or a link table, as CSV: every row, streamed."""
    if dataset := DATASETS_BY_NAME.get(name):
        reader = Reader(request)
        header = [column.name for column in dataset.columns]
        rows = reader.csv_rows(dataset, CHUNK_SIZE)
    elif link := LINKS_BY_NAME.get(name):
        header = list(link.column_names)
        rows = link.rows().iterator(CHUNK_SIZE)
    else:
        raise Http404(name)
    return _open_data_headers(csv_response(csv_filename(name), header, rows), request)


def data_json_view(request, name):
    """A dataset as JSON: `{"name", "title", "license", "describedby", "records": [...]}`,
    streamed a chunk of records at a time."""
    dataset = DATASETS_BY_NAME.get(name)
    if dataset is None:
        raise Http404(name)
    reader = Reader(request)
    head = {
        "name": dataset.name,
        "title": str(dataset.title),
        "license": LICENSE,
        "describedby": absolute_url(reverse("portal:data_package")),
    }

    def parts():
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": ['
        separator = "\n"
        # A few hundred records per write: one write per record would make the server's
        # system calls, not the database, the bottleneck.
        for batch in itertools.batched(reader.records(dataset, CHUNK_SIZE), ROWS_PER_WRITE):
            yield separator + ",\n".join(json.dumps(r, ensure_ascii=False) for r in batch)
            separator = ",\n"
        yield "\n]}\n"

    response = StreamingHttpResponse(parts(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="hkai-{name}.json"'
    return _open_data_headers(response, request)


def data_package_view(request):
    """The Data Package descriptor, for `frictionless` and other readers of open data."""
    response = JsonResponse(data_package(request), json_dumps_params={"ensure_ascii": False})
    return _open_data_headers(response, request)


data_view = DataView.as_view()
