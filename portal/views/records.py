"""What every detail page shares: when it last changed, when its sources were checked, how to
cite it (`<page>cite.bib`, `cite.ris`, `cite.json`) and its own change feed
(`<page>changes.atom`, see portal.changelog)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from portal.caching.pages import public_page
from portal.records.registry import record_named
from portal.reference.citations import CITATION_FORMATS, PageCitation, record_meta


class RecordMetaMixin:
    """Adds to a detail view's context: ``record_updated`` (a datetime), ``sources_checked``
    ((oldest, newest, count) of the sources' check dates, or None), ``citation``,
    ``citation_links`` ([(text, url)]) and ``changes_feed_url``. Reads the sources the view
    prefetched, so it adds no query. The record type is the object's PublicRecord."""

    def get_context_data(self, **kwargs):
        meta = record_meta(self.object, self.request, self.object.public.name)
        kwargs = {**meta, **kwargs}
        return super().get_context_data(**kwargs)


@require_safe
def citation_view(request, record_type, slug, citation_format):
    """One item's citation as a download: BibTeX, RIS or CSL-JSON. 404 for an unknown format
    or an item readers cannot see (a draft, a scheduled article)."""
    if citation_format not in CITATION_FORMATS:
        raise Http404(f"No citation format {citation_format!r}")
    obj = get_object_or_404(record_named(record_type).visible(), slug=slug)
    citation = PageCitation.of(obj, request, record_type, get_language())
    _text, content_type, write = CITATION_FORMATS[citation_format]
    response = HttpResponse(write(citation), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{citation_format}"'
    return response


def citation_urls(record):
    """The URL patterns of the citations under each page of `record` (a PublicRecord)."""
    return [
        path(
            f"{record.prefix}/<slug:slug>/cite.<str:citation_format>",
            public_page(citation_view),
            {"record_type": record.name},
            name=f"{record.name}_cite",
        )
    ]


def changes_feed_urls(record):
    """The URL pattern of the change feed under each page of `record` (a PublicRecord)."""
    from portal.views.feeds import record_changes_feed

    return [
        path(
            f"{record.prefix}/<slug:slug>/changes.atom",
            public_page(record_changes_feed),
            {"record_type": record.name},
            name=f"{record.name}_changes_feed",
        )
    ]
