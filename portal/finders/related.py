"""What a detail page shows of the lists related to its record: the first rows of each, how
many there are and the finder address that lists them all; and the sectors' counts."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Window
from django.urls import reverse
from pyroaring import BitMap

from portal.finders.facets import facet_index
from portal.finders.listings import ARTICLES, INITIATIVES, ORGANISATIONS, TIMELINE
from portal.finders.query import SMALL_RESULT_SET
from portal.models import Milestone

# How many related rows a detail page shows of each list before linking to the rest.
RELATED_SHOWN = 10


@dataclass(frozen=True)
class Related:
    """The first rows of a listing related to one item (in the listing's default order),
    how many there are in all, and the finder address that lists every one."""

    rows: list
    count: int
    url: str


def related_rows(listing, filter_name, obj, state, limit=RELATED_SHOWN):
    """The rows of `listing` that its filter `filter_name` relates to `obj` (e.g. the articles
    that mention an initiative): counted in the facet index, and the first `limit` read with
    one query (plus what their cards need)."""
    ids = facet_index(listing, state).options[filter_name].get(obj.pk, BitMap())
    filterset = listing.filterset_class(data={}, queryset=listing.for_cards())
    sort = filterset.filters["sort"]
    if len(ids) <= SMALL_RESULT_SET:
        rows = listing.for_cards().filter(pk__in=list(ids))
    else:
        rows = filterset.filters[filter_name].filter(listing.for_cards(), [obj])
    first = list(rows.order_by(*sort.ordering(sort.default))[:limit]) if ids else []
    url = f"{reverse(listing.url_name)}?{urlencode({filter_name: obj.slug})}"
    return Related(first, len(ids), url)


# The timeline filter that lists the milestones of each relation.
MILESTONE_FILTERS = {
    "initiatives": "initiative",
    "organisations": "organisation",
    "sectors": "sector",
}


def related_milestones(relation, obj, limit=RELATED_SHOWN):
    """The first `limit` milestones related to `obj` through `relation` ("initiatives",
    "organisations" or "sectors"), oldest first, as a `Related` whose address is the timeline
    filtered to `obj`. One query: the total rides on each row as a window count."""
    rows = list(
        Milestone.objects.filter(**{relation: obj})
        .annotate(total=Window(Count("pk")))
        .order_by("date", "title_en")[:limit]
    )
    url = f"{reverse(TIMELINE.url_name)}?{urlencode({MILESTONE_FILTERS[relation]: obj.slug})}"
    return Related(rows, rows[0].total if rows else 0, url)


def sector_counts(state):
    """{"article_count" | "initiative_count" | "organisation_count": {sector pk: how many of
    them readers see in that sector}} from the facet indexes: no counting queries."""
    return {
        attribute: {
            pk: len(ids) for pk, ids in facet_index(listing, state).options["sector"].items()
        }
        for attribute, listing in (
            ("article_count", ARTICLES),
            ("initiative_count", INITIATIVES),
            ("organisation_count", ORGANISATIONS),
        )
    }


def sectors_with_counts(sectors, state):
    """`sectors` (a list), each given `article_count`, `initiative_count` and
    `organisation_count` (see sector_counts)."""
    counts = sector_counts(state)
    for sector in sectors:
        for attribute, by_sector in counts.items():
            setattr(sector, attribute, by_sector.get(sector.pk, 0))
    return sectors
