"""The text of each open data file, a chunk at a time: what /data/ serves, whether the file
is built ahead (portal.downloads) or streamed while it is sent.

Each function yields str chunks in the active language, reading the rows a chunk at a time
(CHUNK_SIZE per round trip), so memory does not grow with the rows.
"""

import itertools
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from portal.opendata import LICENSE, Reader, data_package
from portal.opendata.spreadsheets import ROWS_PER_WRITE, csv_lines
from portal.records.addresses import absolute_url

# Rows read per round trip to the database.
CHUNK_SIZE = 2000


def dataset_csv(dataset, chunk_size=None):
    """A dataset as CSV: a column per `dataset.columns`, a row per visible record."""
    reader = Reader()
    header = [column.name for column in dataset.columns]
    return csv_lines(header, reader.csv_rows(dataset, chunk_size or CHUNK_SIZE))


def link_csv(link, chunk_size=None):
    """A link table as CSV: one pair of keys per row, in one query."""
    return csv_lines(list(link.column_names), link.rows().iterator(chunk_size or CHUNK_SIZE))


def dataset_json(dataset, chunk_size=None):
    """A dataset as JSON: `{"name", "title", "license", "describedby", "records": [...]}`."""
    reader = Reader()
    head = {
        "name": dataset.name,
        "title": str(dataset.title),
        "license": LICENSE,
        "describedby": absolute_url(reverse("portal:data_package")),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": ['
    separator = "\n"
    # A few hundred records per write: one write per record would make the server's
    # system calls, not the database, the bottleneck.
    records = reader.records(dataset, chunk_size or CHUNK_SIZE)
    for batch in itertools.batched(records, ROWS_PER_WRITE):
        yield separator + ",\n".join(json.dumps(r, ensure_ascii=False) for r in batch)
        separator = ",\n"
    yield "\n]}\n"


def package_json():
    """The Data Package descriptor, as Django's JsonResponse writes it."""
    yield json.dumps(data_package(), cls=DjangoJSONEncoder, ensure_ascii=False)
