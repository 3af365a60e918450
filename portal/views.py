"""Public pages. For now a home page listing the content and one page per item."""

from django.views.generic import DetailView, TemplateView

from portal.models import Article, Initiative, Organisation, Sector


class HomeView(TemplateView):
    """The home page: every sector, initiative and organisation, and the published articles.

    Template: ``portal/home.html``. Context: ``articles``, ``initiatives``, ``organisations``,
    ``sectors``.
    """

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            articles=Article.objects.published(),
            initiatives=Initiative.objects.select_related("lead_organisation"),
            organisations=Organisation.objects.all(),
            sectors=Sector.objects.all(),
            **kwargs,
        )


class ArticleDetailView(DetailView):
    # Drafts and scheduled articles are 404 for readers.
    queryset = Article.objects.published().prefetch_related("sectors", "initiatives", "sources")


class InitiativeDetailView(DetailView):
    queryset = Initiative.objects.select_related("lead_organisation").prefetch_related(
        "partners", "sectors", "sources"
    )


class OrganisationDetailView(DetailView):
    queryset = Organisation.objects.prefetch_related("sectors", "sources", "led_initiatives")


class SectorDetailView(DetailView):
    """A sector with its published articles, initiatives and organisations.

    Template: ``portal/sector_detail.html``. Context: ``sector``, ``articles``,
    ``initiatives``, ``organisations``.
    """

    queryset = Sector.objects.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            articles=self.object.articles.published(),
            initiatives=self.object.initiatives.select_related("lead_organisation"),
            organisations=self.object.organisations.all(),
            **kwargs,
        )


home_view = HomeView.as_view()
article_detail_view = ArticleDetailView.as_view()
initiative_detail_view = InitiativeDetailView.as_view()
organisation_detail_view = OrganisationDetailView.as_view()
sector_detail_view = SectorDetailView.as_view()
