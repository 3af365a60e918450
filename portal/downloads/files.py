"""Every whole file the site offers for download, described once: its address (relative to
the language's prefix), its type, its name when saved, and how its text is made.

The text of a file depends only on the content, the code, the language and SITE_URL, never
on the request, which is why it can be built ahead once per content generation
(portal.downloads.store) and served to everyone.
"""

from dataclasses import dataclass

from django.http import QueryDict

from portal.finders.exports import csv_table
from portal.finders.listings import listing_of
from portal.finders.query import FinderQuery
from portal.opendata import DATASETS, LINKS_BY_NAME, csv_filename
from portal.opendata.files import dataset_csv, dataset_json, link_csv, package_json
from portal.opendata.spreadsheets import csv_lines
from portal.records.description import FORMATS
from portal.records.registry import public_records

CSV = "text/csv; charset=utf-8"
JSON = "application/json"


@dataclass(frozen=True)
class WholeFile:
    """One downloadable file. `path` is its address without the language prefix
    ("data/articles.csv"), also its name in a built directory; `filename` the name a browser
    saves it under (None: shown, not saved); `text(state)` yields its text in chunks, in the
    active language, for the content state `state`."""

    path: str
    content_type: str
    filename: str | None
    text: callable


def list_csv_path(record):
    """The path of a record type's whole-list CSV in WHOLE_FILES ("articles.csv")."""
    return f"{record.prefix}.csv"


def _list_csv(listing):
    def text(state):
        query = FinderQuery(listing, QueryDict(), state)
        return csv_lines(*csv_table(listing, query))

    return text


def _whole_files():
    files = [WholeFile("data/datapackage.json", JSON, None, lambda state: package_json())]
    for dataset in DATASETS:
        files += [
            WholeFile(
                f"data/{dataset.name}.csv",
                CSV,
                csv_filename(dataset.name),
                lambda state, dataset=dataset: dataset_csv(dataset),
            ),
            WholeFile(
                f"data/{dataset.name}.json",
                JSON,
                f"hkai-{dataset.name}.json",
                lambda state, dataset=dataset: dataset_json(dataset),
            ),
        ]
    for link in LINKS_BY_NAME.values():
        files.append(
            WholeFile(
                f"data/{link.name}.csv",
                CSV,
                csv_filename(link.name),
                lambda state, link=link: link_csv(link),
            )
        )
    for record in public_records(FORMATS):
        files.append(
            WholeFile(
                list_csv_path(record),
                CSV,
                record.export_filename,
                _list_csv(listing_of(record.model)),
            )
        )
    return {whole.path: whole for whole in files}


# {path: WholeFile}
WHOLE_FILES = _whole_files()
