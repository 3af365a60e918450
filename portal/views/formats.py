"""The article, initiative and milestone finders in other formats: the same query string, as
CSV or JSON.

Each format view reads the same listing (portal.finders.listings) as its finder page: the same
FilterSet, the same visible rows (for articles, `Article.objects.published()`), the same
order and the same bounds. Invalid filters get a 400 that names the problem, never an empty
file. The Atom feeds are in `portal.views.feeds`; `finders.format_links()` lists all three for a
page. CSV streams every matching row; JSON is paged, and as deep as the HTML pages go.
"""

import itertools

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal.caching.pages import request_state
from portal.finders.listings import ARTICLES, INITIATIVES, TIMELINE, FinderQuery
from portal.finders.querystrings import query_with
from portal.models import Initiative, Organisation, languages
from portal.opendata.columns import related_names, related_urls
from portal.opendata.spreadsheets import csv_response
from portal.records.addresses import absolute_detail_urls, absolute_url

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _names(relation, model):
    """Prefetch `relation` fetching only what the formats show: name and slug."""
    return Prefetch(relation, queryset=model.objects.only("name_en", "name_zh_hant", "slug"))


def _slugs(related):
    return [obj.slug for obj in related.all()]


def plain_text_bad_request(errors):
    """A 400 listing `errors` ({parameter: [message]}) one per line, for formats without a page."""
    lines = [_("These parameters could not be used:")]
    lines += [f"{name}: {message}" for name, messages in errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FormatView(View):
    """Answers a GET with the listing's matching rows in another format.

    Subclasses set `listing` and `fields` (what the format shows of one row) and implement
    `render()`; `self.query` is the request's FinderQuery.
    """

    listing = None
    fields = None

    def get(self, request, *args, **kwargs):
        self.query = FinderQuery(self.listing, request.GET, request_state(request))
        if errors := self.input_errors():
            return self.invalid(errors)
        return self.render()

    def input_errors(self):
        """{parameter: [message]} for each parameter that cannot be used; empty if all can."""
        return self.query.problems

    def invalid(self, errors):
        return plain_text_bad_request(errors)

    def results(self):
        return self.query.results(self.fields.queryset(self.listing.for_cards()))

    def render(self):
        raise NotImplementedError

    def absolute_url(self, obj):
        return absolute_url(obj.get_absolute_url())


class CsvView(FormatView):
    """Every matching row as a CSV download, streamed: memory does not grow with the rows.

    Built for whole lists of 100,000 rows: rows are read a chunk at a time without model
    instances for their relations (one query per relation and chunk, `related_names`), and
    addresses are filled into one reversed pattern, not reversed per row.
    """

    # Rows fetched per round trip to the database.
    chunk_size = 2000

    def render(self):
        fields = self.fields
        url = absolute_detail_urls(self.request, self.listing.detail_url_name)
        rows = self.query.results(fields.csv_queryset(self.listing.visible()))

        def lines():
            for chunk in itertools.batched(rows.iterator(self.chunk_size), self.chunk_size):
                ids = [obj.pk for obj in chunk]
                names = {
                    relation: related_names(self.listing.model, relation, ids)
                    for relation in fields.csv_relations
                }
                for relation in getattr(fields, "csv_url_relations", ()):
                    names[relation] = related_urls(self.listing.model, relation, ids)
                for obj in chunk:
                    yield fields.row(obj, url(obj.slug), names)

        return csv_response(fields.filename, fields.header(), lines())


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, label=gettext_lazy("Page"))
    page_size = forms.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, required=False, label=gettext_lazy("Page size")
    )


class JsonView(FormatView):
    """One page of matching rows as JSON, with the facet counts the HTML page shows.

    `{"count", "next", "previous", "results", "facets"}`. Invalid parameters, and pages past
    the depth every format keeps to, are a 400; a page past the end a 404; both as
    `{"errors": {...}}`.
    """

    def input_errors(self):
        errors = dict(super().input_errors())
        form = PageForm(self.request.GET)
        if not form.is_valid():
            return {**errors, **{name: list(messages) for name, messages in form.errors.items()}}
        self.page_size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
        page = form.cleaned_data["page"]
        self.page_number = 1 if page is None else page
        if self.page_number < 1:
            self.status = 404
            return {"page": [_("Page numbers start at 1.")]}
        first = (self.page_number - 1) * self.page_size + 1
        if not errors and (problem := self.query.depth_problem(first)):
            errors["page"] = [problem]
        return errors

    status = 400

    def invalid(self, errors, status=None):
        return JsonResponse({"errors": errors}, status=status or self.status)

    def render(self):
        paginator = Paginator(self.results(), self.page_size)
        try:
            page = paginator.page(self.page_number)
        except EmptyPage as error:
            return self.invalid({"page": [str(error)]}, status=404)
        fields = self.fields
        return JsonResponse(
            {
                "count": paginator.count,
                "next": self.page_url(page.next_page_number()) if page.has_next() else None,
                "previous": (
                    self.page_url(page.previous_page_number()) if page.has_previous() else None
                ),
                "results": [fields.result(obj, self.absolute_url(obj)) for obj in page.object_list],
                "facets": {
                    facet.name: facet.as_json()
                    for facet in self.query.facets(expand=self.request.GET.get("more"))
                },
            }
        )

    def page_url(self, number):
        """The absolute URL of page `number` with every other parameter kept."""
        encoded = query_with(self.request.GET, page=number)
        return absolute_url(f"{self.request.path}?{encoded}")


class ArticleFields:
    """What the other formats show of an article, and the prefetches that keep it fixed."""

    filename = "hkai-articles.csv"
    csv_relations = ("sectors", "initiatives", "organisations")

    @staticmethod
    def csv_queryset(queryset):
        # The bodies are most of a row's bytes, and no cell shows them.
        return queryset.defer(*languages("body"), "search_cjk")

    @staticmethod
    def queryset(queryset):
        return queryset.prefetch_related(
            _names("initiatives", Initiative), _names("organisations", Organisation)
        )

    @staticmethod
    def header():
        return [
            _("Title"),
            _("URL"),
            _("Published"),
            _("Summary"),
            _("Byline"),
            _("Sectors"),
            _("Initiatives"),
            _("Organisations"),
        ]

    @staticmethod
    def row(article, url, names):
        """The CSV cells; `names` is {relation: {article id: [name, ...]}}."""
        return [
            article.title,
            url,
            timezone.localtime(article.publish_at).isoformat(),
            article.summary,
            article.byline,
            *(
                "; ".join(names[relation].get(article.pk, ()))
                for relation in ArticleFields.csv_relations
            ),
        ]

    @staticmethod
    def result(article, url):
        return {
            "slug": article.slug,
            "url": url,
            "title": article.title,
            "summary": article.summary,
            "byline": article.byline,
            "published": timezone.localtime(article.publish_at).isoformat(),
            "sectors": _slugs(article.sectors),
            "initiatives": _slugs(article.initiatives),
            "organisations": _slugs(article.organisations),
        }


class InitiativeFields:
    """What the other formats show of an initiative, and the prefetches that keep it fixed."""

    filename = "hkai-initiatives.csv"
    csv_relations = ("partners", "sectors")

    @staticmethod
    def csv_queryset(queryset):
        return queryset.select_related("lead_organisation").defer(
            *languages("description"),
            "search_cjk",
            "lead_organisation__search_cjk",
            *(f"lead_organisation__{name}" for name in languages("description")),
        )

    @staticmethod
    def queryset(queryset):
        return queryset.prefetch_related(_names("partners", Organisation))

    @staticmethod
    def header():
        return [
            _("Name"),
            _("Short name"),
            _("Kind"),
            _("Status"),
            _("Start year"),
            _("End year"),
            _("Lead organisation"),
            _("Partners"),
            _("Sectors"),
            _("Website"),
            _("Summary"),
            _("URL"),
        ]

    @staticmethod
    def row(initiative, url, names):
        """The CSV cells; `names` is {relation: {initiative id: [name, ...]}}."""
        lead = initiative.lead_organisation
        return [
            initiative.name,
            initiative.short_name,
            initiative.get_kind_display(),
            initiative.get_status_display(),
            initiative.start_year,
            initiative.end_year,
            lead.name if lead else "",
            "; ".join(names["partners"].get(initiative.pk, ())),
            "; ".join(names["sectors"].get(initiative.pk, ())),
            initiative.website,
            initiative.summary,
            url,
        ]

    @staticmethod
    def result(initiative, url):
        lead = initiative.lead_organisation
        return {
            "slug": initiative.slug,
            "url": url,
            "name": initiative.name,
            "short_name": initiative.short_name,
            "summary": initiative.summary,
            "kind": initiative.kind,
            "status": initiative.status,
            "start_year": initiative.start_year,
            "end_year": initiative.end_year,
            "lead_organisation": lead.slug if lead else None,
            "partners": _slugs(initiative.partners),
            "sectors": _slugs(initiative.sectors),
            "website": initiative.website,
        }


class MilestoneFields:
    """What the other formats show of a milestone; the listing prefetches its relations."""

    filename = "hkai-timeline.csv"
    csv_relations = ("sectors", "initiatives", "organisations")
    csv_url_relations = ("sources",)

    @staticmethod
    def csv_queryset(queryset):
        return queryset

    @staticmethod
    def queryset(queryset):
        return queryset

    @staticmethod
    def header():
        return [
            _("Date"),
            _("Date precision"),
            _("Title"),
            _("Kind"),
            _("Summary"),
            _("Sectors"),
            _("Initiatives"),
            _("Organisations"),
            _("Sources"),
            _("URL"),
        ]

    @staticmethod
    def row(milestone, url, names):
        """The CSV cells; `names` is {relation: {milestone id: [name or address, ...]}}."""
        return [
            milestone.machine_date,
            milestone.get_date_precision_display(),
            milestone.title,
            milestone.get_kind_display(),
            milestone.summary,
            *(
                "; ".join(names[relation].get(milestone.pk, ()))
                for relation in (*MilestoneFields.csv_relations, "sources")
            ),
            url,
        ]

    @staticmethod
    def result(milestone, url):
        return {
            "slug": milestone.slug,
            "url": url,
            "date": milestone.date.isoformat(),
            "date_precision": milestone.date_precision,
            "date_label": milestone.date_label,
            "title": milestone.title,
            "kind": milestone.kind,
            "summary": milestone.summary,
            "sectors": _slugs(milestone.sectors),
            "initiatives": _slugs(milestone.initiatives),
            "organisations": _slugs(milestone.organisations),
            "sources": [source.url for source in milestone.sources.all()],
        }


class ArticleCsvView(CsvView):
    listing, fields = ARTICLES, ArticleFields


class InitiativeCsvView(CsvView):
    listing, fields = INITIATIVES, InitiativeFields


class ArticleJsonView(JsonView):
    listing, fields = ARTICLES, ArticleFields


class InitiativeJsonView(JsonView):
    listing, fields = INITIATIVES, InitiativeFields


class MilestoneCsvView(CsvView):
    listing, fields = TIMELINE, MilestoneFields


class MilestoneJsonView(JsonView):
    listing, fields = TIMELINE, MilestoneFields


article_csv_view = ArticleCsvView.as_view()
initiative_csv_view = InitiativeCsvView.as_view()
article_json_view = ArticleJsonView.as_view()
initiative_json_view = InitiativeJsonView.as_view()
milestone_csv_view = MilestoneCsvView.as_view()
milestone_json_view = MilestoneJsonView.as_view()
