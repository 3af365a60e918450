"""The article and initiative finders in other formats: the same query string, as CSV or JSON.

Each format view subclasses the list view it mirrors, so it has the same FilterSet and the
same base queryset (for articles, `Article.objects.published()`): one filter definition and one
visibility rule for every format. Invalid filters get a 400 that names the problem, never an
empty file. The Atom feeds are in `portal.feeds`; `finders.format_links()` lists all three
for a page.
"""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Initiative, Organisation
from portal.spreadsheets import csv_response
from portal.views.finders import ArticleListView, FinderMixin, InitiativeListView

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _names(relation, model):
    """Prefetch `relation` fetching only what the formats show: name and slug."""
    return Prefetch(relation, queryset=model.objects.only("name_en", "name_zh_hant", "slug"))


def _slugs(related):
    return [obj.slug for obj in related.all()]


def _names_joined(related):
    return "; ".join(obj.name for obj in related.all())


def filter_errors(form):
    """{parameter: [message, ...]} for each invalid parameter of a bound FilterSet or form."""
    return {name: list(messages) for name, messages in form.errors.items()}


def plain_text_bad_request(errors):
    """A 400 listing `errors` ({parameter: [message]}) one per line, for formats without a page."""
    lines = [_("These parameters could not be used:")]
    lines += [f"{name}: {message}" for name, messages in errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FormatMixin(FinderMixin):
    """Answers a GET with the list view's matching rows in another format.

    Put it before a list view in the bases; subclasses implement `render(queryset)`.
    """

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        if errors := self.input_errors():
            return self.invalid(errors)
        return self.render(self.filtered_queryset())

    def input_errors(self):
        """{parameter: [message]} for each parameter that cannot be used; empty if all can."""
        return filter_errors(self.filterset)

    def invalid(self, errors):
        return plain_text_bad_request(errors)

    def render(self, queryset):
        raise NotImplementedError

    def absolute_url(self, obj):
        return self.request.build_absolute_uri(obj.get_absolute_url())


class CsvMixin(FormatMixin):
    """Every matching row as a CSV download, streamed: memory does not grow with the rows.

    Subclasses set `filename` and implement `header()` and `row(obj)`.
    """

    # Rows fetched (with their prefetches) per round trip to the database.
    chunk_size = 500
    filename = ""

    def render(self, queryset):
        rows = (self.row(obj) for obj in queryset.iterator(chunk_size=self.chunk_size))
        return csv_response(self.filename, self.header(), rows)


class PageForm(forms.Form):
    page_size = forms.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, required=False, label=gettext_lazy("Page size")
    )


class JsonMixin(FormatMixin):
    """One page of matching rows as JSON, with the facet counts the HTML page shows.

    `{"count", "next", "previous", "results", "facets"}`; subclasses implement `result(obj)`.
    Invalid parameters are a 400 and a page past the end a 404, both as `{"errors": {...}}`.
    """

    def input_errors(self):
        errors = super().input_errors()
        page_form = PageForm(self.request.GET)
        if page_form.is_valid():
            self.page_size = page_form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
        else:
            errors.update(filter_errors(page_form))
        return errors

    def invalid(self, errors, status=400):
        return JsonResponse({"errors": errors}, status=status)

    def render(self, queryset):
        paginator = Paginator(queryset, self.page_size)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except PageNotAnInteger as error:
            return self.invalid({"page": [str(error)]})
        except EmptyPage as error:
            return self.invalid({"page": [str(error)]}, status=404)
        return JsonResponse(
            {
                "count": paginator.count,
                "next": self.page_url(page.next_page_number()) if page.has_next() else None,
                "previous": (
                    self.page_url(page.previous_page_number()) if page.has_previous() else None
                ),
                "results": [self.result(obj) for obj in page.object_list],
                "facets": {facet.name: facet.as_json() for facet in self.filterset.facets()},
            }
        )

    def page_url(self, number):
        """The absolute URL of page `number` with every other parameter kept."""
        query = self.request.GET.copy()
        query["page"] = number
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")

    def result(self, obj):
        raise NotImplementedError


class ArticleFormatMixin:
    """What the other formats show of an article, and the prefetches that keeps fixed."""

    filename = "hkai-articles.csv"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                _names("initiatives", Initiative), _names("organisations", Organisation)
            )
        )

    def header(self):
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

    def row(self, article):
        return [
            article.title,
            self.absolute_url(article),
            timezone.localtime(article.publish_at).isoformat(),
            article.summary,
            article.byline,
            _names_joined(article.sectors),
            _names_joined(article.initiatives),
            _names_joined(article.organisations),
        ]

    def result(self, article):
        return {
            "slug": article.slug,
            "url": self.absolute_url(article),
            "title": article.title,
            "summary": article.summary,
            "byline": article.byline,
            "published": timezone.localtime(article.publish_at).isoformat(),
            "sectors": _slugs(article.sectors),
            "initiatives": _slugs(article.initiatives),
            "organisations": _slugs(article.organisations),
        }


class InitiativeFormatMixin:
    """What the other formats show of an initiative, and the prefetches that keeps fixed."""

    filename = "hkai-initiatives.csv"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(_names("partners", Organisation))

    def header(self):
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

    def row(self, initiative):
        lead = initiative.lead_organisation
        return [
            initiative.name,
            initiative.short_name,
            initiative.get_kind_display(),
            initiative.get_status_display(),
            initiative.start_year,
            initiative.end_year,
            lead.name if lead else "",
            _names_joined(initiative.partners),
            _names_joined(initiative.sectors),
            initiative.website,
            initiative.summary,
            self.absolute_url(initiative),
        ]

    def result(self, initiative):
        lead = initiative.lead_organisation
        return {
            "slug": initiative.slug,
            "url": self.absolute_url(initiative),
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


class ArticleCsvView(ArticleFormatMixin, CsvMixin, ArticleListView):
    pass


class InitiativeCsvView(InitiativeFormatMixin, CsvMixin, InitiativeListView):
    pass


class ArticleJsonView(ArticleFormatMixin, JsonMixin, ArticleListView):
    pass


class InitiativeJsonView(InitiativeFormatMixin, JsonMixin, InitiativeListView):
    pass


article_csv_view = ArticleCsvView.as_view()
initiative_csv_view = InitiativeCsvView.as_view()
article_json_view = ArticleJsonView.as_view()
initiative_json_view = InitiativeJsonView.as_view()
