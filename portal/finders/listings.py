"""What each public list is, described once: a `Listing` names a list's model, the rows
readers may see, what its cards need fetched, its FilterSet, card template, title and page.
The HTML finder, the CSV, JSON and Atom versions, the site search and the detail pages'
"articles that mention it" all read these descriptions (ARTICLES, INITIATIVES,
ORGANISATIONS, SECTORS, TIMELINE, SOURCES).

One request's query against a listing is `portal.finders.query.FinderQuery`; what a detail
page shows of the lists related to it is in `portal.finders.related`.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from portal.caching.keys import read_by_pages
from portal.finders.filters import (
    ArticleFilter,
    InitiativeFilter,
    MilestoneFilter,
    OrganisationFilter,
    SourceFilter,
)
from portal.models import (
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    Source,
)
from portal.records.description import SEARCH
from portal.records.registry import public_records

# What cards show of an item's sectors; the long description stays in the database.
NAME_FIELDS = ("name_en", "name_zh_hant", "slug")
SECTOR_NAMES = Prefetch("sectors", queryset=Sector.objects.only(*NAME_FIELDS))


@dataclass(frozen=True)
class Listing:
    """One public list. `visible` returns the rows readers may see (a fresh queryset per
    call: `published()` reads the clock); `for_cards` adds what a card shows."""

    name: str
    model: type
    title: str
    card_template: str
    url_name: str
    visible: callable
    select_related: tuple = ()
    prefetch_related: tuple = ()
    filterset_class: type = None
    # Whether readers see every row of the model (so no visibility rule narrows a search).
    all_visible: bool = True

    def __post_init__(self):
        # The page cache stores only addresses whose parameters some page reads.
        if self.filterset_class is not None:
            read_by_pages(self.filterset_class.base_filters)

    @property
    def detail_url_name(self):
        """The URL name of one row's page (``portal:article_detail`` for the articles)."""
        return self.url_name.removesuffix("_list") + "_detail"

    def for_cards(self):
        rows = self.visible().prefetch_related(*self.prefetch_related)
        return rows.select_related(*self.select_related) if self.select_related else rows


ARTICLES = Listing(
    name="articles",
    model=Article,
    title=gettext_lazy("Articles"),
    card_template="portal/includes/_article_card.html",
    url_name="portal:article_list",
    visible=lambda: Article.objects.published(),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=ArticleFilter,
    all_visible=False,
)
INITIATIVES = Listing(
    name="initiatives",
    model=Initiative,
    title=gettext_lazy("Initiatives"),
    card_template="portal/includes/_initiative_card.html",
    url_name="portal:initiative_list",
    visible=lambda: Initiative.objects.all(),
    select_related=("lead_organisation",),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=InitiativeFilter,
)
ORGANISATIONS = Listing(
    name="organisations",
    model=Organisation,
    title=gettext_lazy("Organisations"),
    card_template="portal/includes/_organisation_card.html",
    url_name="portal:organisation_list",
    visible=lambda: Organisation.objects.all(),
    prefetch_related=(SECTOR_NAMES,),
    filterset_class=OrganisationFilter,
)
SECTORS = Listing(
    name="sectors",
    model=Sector,
    title=gettext_lazy("Sectors"),
    card_template="portal/includes/_sector_card.html",
    url_name="portal:sector_list",
    visible=lambda: Sector.objects.all(),
)
SOURCES = Listing(
    name="sources",
    model=Source,
    title=gettext_lazy("Sources"),
    card_template="portal/includes/_source_card.html",
    url_name="portal:source_list",
    visible=lambda: Source.objects.all(),
    filterset_class=SourceFilter,
)

TIMELINE = Listing(
    name="milestones",
    model=Milestone,
    title=gettext_lazy("Timeline"),
    card_template="portal/includes/_milestone_card.html",
    url_name="portal:milestone_list",
    visible=lambda: Milestone.objects.all(),
    prefetch_related=(
        SECTOR_NAMES,
        Prefetch("initiatives", queryset=Initiative.objects.only(*NAME_FIELDS)),
        Prefetch("organisations", queryset=Organisation.objects.only(*NAME_FIELDS)),
        Prefetch("sources", queryset=Source.objects.only("url", "title", "publisher")),
    ),
    filterset_class=MilestoneFilter,
)

LISTINGS = (ARTICLES, INITIATIVES, ORGANISATIONS, SECTORS, TIMELINE, SOURCES)


def listing_of(model):
    """The Listing of `model`'s public list; KeyError if it has none."""
    for listing in LISTINGS:
        if listing.model is model:
            return listing
    raise KeyError(model)


def filters_by_source(record):
    """Whether the list of the record type `record` (a PublicRecord) filters by source."""
    filterset = listing_of(record.model).filterset_class
    return filterset is not None and "source" in filterset.base_filters


def searched_listings():
    """The lists of the record types that declare SEARCH, in the order the site search
    shows them (navigation order)."""
    return [listing_of(record.model) for record in public_records(SEARCH)]
