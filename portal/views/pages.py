"""The portal's own pages: home, one page per item, the sector list, and the site's plumbing
(robots.txt, the health check). Each page runs a fixed number of queries however many related
rows there are: what a template touches is fetched here with select/prefetch_related, long
lists of related rows are cut to their first few with a link to the finder that lists them
all (`finders.related.related_rows`), and counts come from the facet indexes.

Querysets are built per request (`get_queryset`), never as class attributes: `published()`
reads the clock when it is called, and a class attribute would freeze it at import time.
"""

import logging

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from portal.caching.backends import cache_problem
from portal.caching.pages import request_state
from portal.changelog.display import visible_changes, with_records
from portal.finders.figures import headline_figures
from portal.finders.listings import (
    ARTICLES,
    INITIATIVES,
    NAME_FIELDS,
    ORGANISATIONS,
)
from portal.finders.related import related_milestones, related_rows, sectors_with_counts
from portal.models import (
    REVIEW_INTERVAL_DAYS,
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    languages,
)
from portal.network.links import initiative_network, organisation_network
from portal.records.addresses import absolute_url
from portal.reference.footnotes import without_footnotes
from portal.views import breadcrumbs
from portal.views.changes import change_rows
from portal.views.charts import bar_chart, fill_missing_years
from portal.views.records import RecordMetaMixin

logger = logging.getLogger(__name__)

SCHEMA_ORG = "https://schema.org"
HOME_CHANGE_COUNT = 5


def _without_empty(data):
    """`data` without keys whose value is empty, so JSON-LD never claims a blank fact."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _organisation_reference(organisation, request):
    return {
        "@type": "Organization",
        "name": organisation.name,
        "url": absolute_url(organisation.get_absolute_url()),
    }


def with_corrections(json_ld, corrections, url):
    """`json_ld` with the record's corrections as schema.org `correction`s
    (https://schema.org/correction: CorrectionComment), newest first; a page that says
    nothing else about its record says them of the WebPage at `url`."""
    if not corrections:
        return json_ld
    json_ld = json_ld or {"@context": SCHEMA_ORG, "@type": "WebPage", "url": url}
    return {
        **json_ld,
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.corrected_on.isoformat(),
            }
            for correction in corrections
        ],
    }


class JsonLdMixin:
    """Adds ``breadcrumbs`` (`portal.views.breadcrumbs.trail`, which base.html shows) and
    ``json_ld``, a schema.org dict that base.html renders as escaped JSON-LD: what
    `get_json_ld()` says the page is about (None: nothing), with the breadcrumbs and the
    ``corrections`` (from RecordMetaMixin, before it) in it."""

    def get_json_ld(self):
        return None

    def get_context_data(self, **kwargs):
        crumbs = breadcrumbs.trail(self.object)
        json_ld = with_corrections(
            self.get_json_ld(), kwargs.get("corrections"), self.absolute_url()
        )
        json_ld = breadcrumbs.with_breadcrumbs(json_ld, crumbs, self.request, SCHEMA_ORG)
        return super().get_context_data(breadcrumbs=crumbs, json_ld=json_ld, **kwargs)

    def absolute_url(self):
        return absolute_url(self.object.get_absolute_url())


class HomeView(TemplateView):
    """The home page: the site search, ways in by task, headline figures each linking to the
    list it counts, the latest entries of the change log, a chart of initiatives by start
    year whose bars link to the initiatives they count, and the sectors.

    Template: ``portal/home.html``. Context: ``figures`` (`portal.finders.figures.Figure`s),
    ``changes`` ([(change, record, lines)], as on /changes/), ``sectors``, ``chart`` (a
    `portal.views.charts.BarChart`, or None with no dated initiatives), ``undated_initiatives``
    (how many have no start year, so are not in the chart).
    """

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        per_year = dict(
            Initiative.objects.order_by()
            .values("start_year")
            .annotate(count=Count("pk"))
            .values_list("start_year", "count")
        )
        undated = per_year.pop(None, 0)
        return super().get_context_data(
            figures=headline_figures(request_state(self.request)),
            changes=change_rows(with_records(visible_changes()), HOME_CHANGE_COUNT),
            sectors=Sector.objects.only(*NAME_FIELDS),
            chart=bar_chart(fill_missing_years(per_year.items())) if per_year else None,
            undated_initiatives=undated,
            **kwargs,
        )


class SectorListView(ListView):
    """Every sector with how many published articles, initiatives and organisations it has.

    Template: ``portal/sector_list.html``. Context: ``sectors``.
    """

    context_object_name = "sectors"
    template_name = "portal/sector_list.html"

    def get_queryset(self):
        return sectors_with_counts(list(Sector.objects.all()), request_state(self.request))


class ArticleDetailView(RecordMetaMixin, JsonLdMixin, DetailView):
    """A published article with its sectors, initiatives, organisations and sources.

    Drafts and scheduled articles are 404 for readers. Template: ``portal/article_detail.html``.
    """

    def get_queryset(self):
        return Article.objects.published().prefetch_related(
            "sectors", "initiatives", "organisations", "sources"
        )

    def get_json_ld(self):
        article = self.object
        url = self.absolute_url()
        return _without_empty(
            {
                "@context": SCHEMA_ORG,
                "@type": "Article",
                "headline": article.title,
                "description": article.summary,
                # None on a draft's preview, which has no publish date yet.
                "datePublished": article.publish_at and article.publish_at.isoformat(),
                "dateModified": article.updated_at.isoformat(),
                "url": url,
                "mainEntityOfPage": url,
                "about": [sector.name for sector in article.sectors.all()],
            }
        )


# schema.org/Project is "an enterprise, typically collaborative, planned to achieve a particular
# aim" (https://schema.org/Project): what every kind of initiative here is, a strategy as much
# as a sandbox. It is an Organization subtype, so an initiative's lead, partners and years map
# onto parentOrganization, member and foundingDate. Two kinds have a more exact subtype;
# GovernmentService would be wrong, since a sandbox or centre is not a service to the public.
INITIATIVE_SCHEMA_TYPES = {
    Initiative.Kind.RESEARCH: "ResearchProject",
    Initiative.Kind.FUNDING: "FundingScheme",
}


class InitiativeDetailView(RecordMetaMixin, JsonLdMixin, DetailView):
    """An initiative with its lead and partner organisations, sectors, sources, the newest
    published articles that mention it (``mentions``, a `listings.Related`), its first
    milestones (``milestones``, another) and its nearest links (``network``, a
    `portal.network.links.Network`, or None), drawn from the rows already fetched.

    Template: ``portal/initiative_detail.html``.
    """

    def get_queryset(self):
        return Initiative.objects.select_related("lead_organisation").prefetch_related(
            "partners", "sectors", "sources"
        )

    def get_context_data(self, **kwargs):
        state = request_state(self.request)
        mentions = related_rows(ARTICLES, "initiative", self.object, state)
        milestones = related_milestones("initiatives", self.object)
        return super().get_context_data(
            mentions=mentions,
            milestones=milestones,
            network=initiative_network(self.object),
            **kwargs,
        )

    def get_json_ld(self):
        initiative, request = self.object, self.request
        lead = initiative.lead_organisation
        completed = initiative.status == Initiative.Status.COMPLETED
        return _without_empty(
            {
                "@context": SCHEMA_ORG,
                "@type": INITIATIVE_SCHEMA_TYPES.get(initiative.kind, "Project"),
                "name": initiative.name,
                "alternateName": initiative.short_name,
                "description": initiative.summary,
                "url": self.absolute_url(),
                "sameAs": initiative.website,
                "foundingDate": str(initiative.start_year) if initiative.start_year else None,
                # A planned end is not a dissolution; only a completed initiative has one.
                "dissolutionDate": str(initiative.end_year)
                if completed and initiative.end_year
                else None,
                "parentOrganization": _organisation_reference(lead, request) if lead else None,
                "member": [_organisation_reference(o, request) for o in initiative.partners.all()],
            }
        )


class OrganisationDetailView(RecordMetaMixin, JsonLdMixin, DetailView):
    """An organisation with its sectors, the initiatives it leads and partners in, its
    sources, the newest published articles that mention it (``mentions``), its first
    milestones (``milestones``) and its nearest links (``network``, drawn from the rows
    already fetched).

    Template: ``portal/organisation_detail.html``.
    """

    def get_queryset(self):
        # Every initiative it leads or partners in, not the first few: an organisation has
        # few, and a reader looking it up wants them all. Names and slugs are what is shown.
        # (The foreign key each prefetch matches rows on must be read too.)
        shown = (*languages("name"), "slug")
        return Organisation.objects.select_related("parent").prefetch_related(
            "sectors",
            "sources",
            Prefetch("children", queryset=Organisation.objects.only(*shown, "parent")),
            Prefetch(
                "led_initiatives",
                queryset=Initiative.objects.only(*shown, "lead_organisation"),
            ),
            Prefetch("partner_initiatives", queryset=Initiative.objects.only(*shown)),
        )

    def get_context_data(self, **kwargs):
        state = request_state(self.request)
        mentions = related_rows(ARTICLES, "organisation", self.object, state)
        milestones = related_milestones("organisations", self.object)
        return super().get_context_data(
            mentions=mentions,
            milestones=milestones,
            network=organisation_network(self.object),
            **kwargs,
        )

    def get_json_ld(self):
        organisation, request = self.object, self.request
        return _without_empty(
            {
                "@context": SCHEMA_ORG,
                "@type": "Organization",
                "name": organisation.name,
                "alternateName": organisation.short_name,
                "description": organisation.summary or without_footnotes(organisation.description),
                "url": self.absolute_url(),
                "foundingDate": str(organisation.founded_year)
                if organisation.founded_year
                else None,
                "sameAs": organisation.website,
                "parentOrganization": _organisation_reference(organisation.parent, request)
                if organisation.parent
                else None,
                "subOrganization": [
                    _organisation_reference(child, request) for child in organisation.children.all()
                ],
            }
        )


class SectorDetailView(RecordMetaMixin, JsonLdMixin, DetailView):
    """A sector with its sources and the first of its published articles, initiatives and
    organisations, each with a link to the finder that lists them all.

    Template: ``portal/sector_detail.html``. Context: ``sector``, and ``articles``,
    ``initiatives``, ``organisations`` (each a `listings.Related`, rows ready for cards), and
    ``milestones`` (the first of the sector's on the timeline).
    """

    def get_queryset(self):
        return Sector.objects.prefetch_related("sources")

    def get_context_data(self, **kwargs):
        state = request_state(self.request)
        return super().get_context_data(
            **{
                listing.name: related_rows(listing, "sector", self.object, state)
                for listing in (ARTICLES, INITIATIVES, ORGANISATIONS)
            },
            milestones=related_milestones("sectors", self.object),
            **kwargs,
        )


class MilestoneDetailView(RecordMetaMixin, JsonLdMixin, DetailView):
    """One milestone: its date, kind, summary, what it concerns and its sources, with a link
    to its year on the timeline. Template: ``portal/milestone_detail.html``."""

    def get_queryset(self):
        return Milestone.objects.prefetch_related(
            "initiatives", "organisations", "sectors", "sources"
        )


class AboutView(TemplateView):
    """What the portal covers, how its facts are sourced and checked, and where to send a
    correction. Template: ``portal/about.html``. Context: ``corrections_email``
    (settings.CORRECTIONS_EMAIL) and ``review_interval_days``."""

    template_name = "portal/about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            corrections_email=settings.CORRECTIONS_EMAIL,
            review_interval_days=REVIEW_INTERVAL_DAYS,
            **kwargs,
        )


class RobotsView(TemplateView):
    """robots.txt: every page may be crawled; the sitemap lists them."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        sitemap_url = absolute_url(reverse("sitemap"))
        return super().get_context_data(sitemap_url=sitemap_url, **kwargs)


@never_cache
@require_safe
def healthz_view(request):
    """200 "ok" when the database answers `SELECT 1` and the cache stores and reads an entry;
    503 with a short reason when the database does not answer.

    A cache that fails is "degraded", not down: pages are served without it
    (portal.caching.backends), so the answer stays 200 for load balancers, with a body that
    says so, unless `?strict=1` asks for 503 then too. No template, no session, one query.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            _("database unavailable"), status=503, content_type="text/plain; charset=utf-8"
        )
    if problem := cache_problem():
        logger.warning("Health check: cache degraded (%s)", problem)
        status = 503 if request.GET.get("strict") == "1" else 200
        return HttpResponse(
            "degraded: cache unavailable, pages are served without it",
            status=status,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


about_view = AboutView.as_view()
home_view = HomeView.as_view()
sector_list_view = SectorListView.as_view()
article_detail_view = ArticleDetailView.as_view()
initiative_detail_view = InitiativeDetailView.as_view()
organisation_detail_view = OrganisationDetailView.as_view()
sector_detail_view = SectorDetailView.as_view()
milestone_detail_view = MilestoneDetailView.as_view()
robots_view = RobotsView.as_view()
