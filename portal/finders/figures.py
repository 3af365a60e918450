"""The home page's headline figures: each one the count of a public list, read from that
list's facet index, with the finder address that lists exactly the rows it counts.

A figure is never typed in: `headline_figures` counts the records as they are now, the same
bitmaps the finder counts its results with, so a figure and the page it links to agree.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import npgettext

from portal.finders.facets import facet_index
from portal.finders.listings import INITIATIVES, ORGANISATIONS, SOURCES, TIMELINE
from portal.models import Initiative, Organisation


@dataclass(frozen=True)
class Figure:
    """A count, what it counts (a noun phrase agreeing with the count) and the finder
    address listing those rows."""

    count: int
    label: str
    url: str


def _finder_url(listing, **filters):
    query = urlencode(filters)
    return reverse(listing.url_name) + (f"?{query}" if query else "")


def _option_count(index, name, value):
    return len(index.options[name].get(value, ()))


def headline_figures(state):
    """[Figure] for the content `state`: initiatives, funding schemes, regulations and
    guidelines, research centres, milestones and sources. A fixed number of queries when
    the facet indexes are built (once per content state), none after. The labels' context
    is "headline figure": here "initiative" counts, so has a plural, where the model's
    verbose name has none."""
    initiatives = facet_index(INITIATIVES, state)
    organisations = facet_index(ORGANISATIONS, state)
    funding = _option_count(initiatives, "kind", Initiative.Kind.FUNDING)
    rules = _option_count(initiatives, "kind", Initiative.Kind.REGULATION)
    centres = _option_count(organisations, "kind", Organisation.Kind.RESEARCH_CENTRE)
    total = len(initiatives.universe)
    milestones = len(facet_index(TIMELINE, state).universe)
    sources = len(facet_index(SOURCES, state).universe)
    return [
        Figure(
            total,
            npgettext("headline figure", "initiative", "initiatives", total),
            _finder_url(INITIATIVES),
        ),
        Figure(
            funding,
            npgettext("headline figure", "funding scheme", "funding schemes", funding),
            _finder_url(INITIATIVES, kind=Initiative.Kind.FUNDING),
        ),
        Figure(
            rules,
            npgettext(
                "headline figure", "regulation or guideline", "regulations and guidelines", rules
            ),
            _finder_url(INITIATIVES, kind=Initiative.Kind.REGULATION),
        ),
        Figure(
            centres,
            npgettext("headline figure", "research centre", "research centres", centres),
            _finder_url(ORGANISATIONS, kind=Organisation.Kind.RESEARCH_CENTRE),
        ),
        Figure(
            milestones,
            npgettext(
                "headline figure",
                "milestone on the timeline",
                "milestones on the timeline",
                milestones,
            ),
            _finder_url(TIMELINE),
        ),
        Figure(
            sources,
            npgettext("headline figure", "public source", "public sources", sources),
            _finder_url(SOURCES),
        ),
    ]
