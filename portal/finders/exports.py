"""A list's matching rows as a table, for its CSV download: the same query as its page, the
columns its record type declares (`PublicRecord.columns`, portal.records.columns)."""

from portal.records.addresses import absolute_detail_urls
from portal.records.columns import csv_rows

# Rows fetched per round trip to the database.
CHUNK_SIZE = 2000


class Addresses:
    """What the columns need of a download: the absolute address of a row's page, built
    once and filled in per row."""

    def __init__(self, url_name):
        self._url = absolute_detail_urls(None, url_name)

    def page_url(self, row):
        return self._url(row.slug)


def csv_table(listing, query, chunk_size=None):
    """(header, rows) of `listing`'s CSV for `query` (a FinderQuery): every matching row,
    read a chunk at a time without model instances for their relations."""
    columns = listing.model.public.columns
    results = query.results(columns.queryset(listing.visible()))
    rows = csv_rows(
        columns,
        listing.model,
        results,
        chunk_size or CHUNK_SIZE,
        Addresses(listing.detail_url_name),
    )
    return columns.header(), rows
