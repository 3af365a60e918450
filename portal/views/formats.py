"""The article, initiative and milestone finders in other formats: the same query string, as
CSV or JSON.

Each format view reads the same listing (portal.finders.listings) as its finder page: the same
FilterSet, the same visible rows (for articles, `Article.objects.published()`), the same
order and the same bounds. Invalid filters get a 400 that names the problem, never an empty
file. The Atom feeds are in `portal.views.feeds`; `finders.format_links()` lists all three for a
page. CSV gives every matching row: the whole list (no filter, no search) from a file built
once per content generation (portal.views.downloads), any other query streamed from the
database while it is sent, as one of the machine's few live exports at a time
(portal.downloads.limits: past them, 503 with Retry-After). JSON is paged, and as deep as the
HTML pages go.
"""

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal.caching.pages import request_state
from portal.downloads.files import WHOLE_FILES, list_csv_path
from portal.downloads.limits import limited
from portal.finders.exports import Addresses, csv_table
from portal.finders.listings import ARTICLES, INITIATIVES, TIMELINE
from portal.finders.query import FinderQuery
from portal.finders.querystrings import query_with
from portal.opendata.spreadsheets import csv_response
from portal.records.addresses import absolute_url
from portal.records.columns import json_objects
from portal.views.downloads import whole_file_response

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def plain_text_bad_request(errors):
    """A 400 listing `errors` ({parameter: [message]}) one per line, for formats without a page."""
    lines = [_("These parameters could not be used:")]
    lines += [f"{name}: {message}" for name, messages in errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FormatView(View):
    """Answers a GET with the listing's matching rows in another format.

    Subclasses set `listing` and implement `render()`; what a row shows is its record type's
    `columns` (portal.records.columns); `self.query` is the request's FinderQuery.
    """

    listing = None

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

    @property
    def record(self):
        return self.listing.model.public

    def results(self):
        """The matching rows, reading what the columns show."""
        return self.query.results(self.record.columns.queryset(self.listing.visible()))

    def addresses(self):
        return Addresses(self.listing.detail_url_name)

    def render(self):
        raise NotImplementedError


class CsvView(FormatView):
    """Every matching row as a CSV download: the whole list from its built file, any other
    query streamed (memory does not grow with the rows), as a limited live export.

    Built for whole lists of 100,000 rows: rows are read a chunk at a time without model
    instances for their relations (one query per relation and chunk), and addresses are
    filled into one reversed pattern, not reversed per row (portal.finders.exports).
    """

    def render(self):
        if self.query.is_whole_list:
            return whole_file_response(self.request, WHOLE_FILES[list_csv_path(self.record)])
        return limited(
            lambda: csv_response(self.record.export_filename, *csv_table(self.listing, self.query))
        )


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
        results = json_objects(
            self.record.columns, self.listing.model, list(page.object_list), self.addresses()
        )
        return JsonResponse(
            {
                "count": paginator.count,
                "next": self.page_url(page.next_page_number()) if page.has_next() else None,
                "previous": (
                    self.page_url(page.previous_page_number()) if page.has_previous() else None
                ),
                "results": results,
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


class ArticleCsvView(CsvView):
    listing = ARTICLES


class InitiativeCsvView(CsvView):
    listing = INITIATIVES


class ArticleJsonView(JsonView):
    listing = ARTICLES


class InitiativeJsonView(JsonView):
    listing = INITIATIVES


class MilestoneCsvView(CsvView):
    listing = TIMELINE


class MilestoneJsonView(JsonView):
    listing = TIMELINE


article_csv_view = ArticleCsvView.as_view()
initiative_csv_view = InitiativeCsvView.as_view()
article_json_view = ArticleJsonView.as_view()
initiative_json_view = InitiativeJsonView.as_view()
milestone_csv_view = MilestoneCsvView.as_view()
milestone_json_view = MilestoneJsonView.as_view()
