"""What cites each source on a page of the list of sources: every record type that declares
CITED_BY (sectors, organisations, initiatives, published articles, milestones).

A source may be cited by thousands of articles, so each kind shows its first CITERS_SHOWN
rows and the total, with a link to the finder that lists them all. Whatever the number of
sources on the page or of rows citing them, this is one query per kind: the relation table
rows of the page's sources, numbered within each source by a window function, of which only
the first few are read (with the cited rows' names joined in).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from portal.records.description import CITED_BY
from portal.records.registry import in_model_order, public_records

# How many rows of each kind a source shows before linking to the rest.
CITERS_SHOWN = 5


def citing_kinds():
    """The record types shown under the sources they cite (CITED_BY), broadest first: in the
    order their models are defined (sectors, organisations, initiatives, articles, ...)."""
    return in_model_order(public_records(CITED_BY))


@dataclass(frozen=True)
class CitingRecords:
    """The first `rows` of one kind citing one source, how many there are in all, and where
    to see every one ("" where no list filters by source)."""

    label: str
    name_field: str
    rows: list
    count: int
    url: str

    @property
    def more(self):
        return self.count - len(self.rows)


def _order(target, field):
    descending = field.startswith("-")
    expression = F(f"{target}__{field.lstrip('-')}")
    return expression.desc() if descending else expression.asc()


def citing_rows(record, source_ids, limit=CITERS_SHOWN):
    """{source id: (first `limit` rows of the record type `record` (a PublicRecord) citing
    it, how many in all)}, one query."""
    target = record.model._meta.model_name
    links = record.model.sources.through.objects.filter(source_id__in=source_ids)
    if record.narrowed:
        links = links.filter(**{f"{target}__in": record.visible().values("pk")})
    links = (
        links.annotate(
            position=Window(
                RowNumber(),
                partition_by=F("source_id"),
                order_by=[_order(target, field) for field in (*record.ordering, "pk")],
            ),
            total=Window(Count("pk"), partition_by=F("source_id")),
        )
        .filter(position__lte=limit)
        .select_related(target)
        .only("source_id", f"{target}__slug", *(f"{target}__{f}" for f in record.name_columns))
        .order_by("source_id", "position")
    )
    found = {}
    for link in links:
        rows, _total = found.setdefault(link.source_id, ([], link.total))
        rows.append(getattr(link, target))
    return found


def attach_citations(sources, filters_by_source, limit=CITERS_SHOWN):
    """Give each of `sources` (a list) `citations`: a CitingRecords per record type that cites
    it, in `citing_kinds()` order, and `cited` (whether anything does). One query per type.
    `filters_by_source(record)` says whether that type's list filters by source, so that
    "and N more" can link to it."""
    ids = [source.pk for source in sources]
    by_kind = [(kind, citing_rows(kind, ids, limit) if ids else {}) for kind in citing_kinds()]
    for source in sources:
        source.citations = []
        for kind, found in by_kind:
            rows, count = found.get(source.pk, ([], 0))
            if not count:
                continue
            url = ""
            if count > len(rows) and filters_by_source(kind):
                url = f"{reverse(kind.list_url_name)}?{urlencode({'source': source.pk})}"
            source.citations.append(CitingRecords(kind.section, kind.name_field, rows, count, url))
        source.cited = bool(source.citations)
    return sources
