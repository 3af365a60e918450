"""What every detail page shares: when it last changed, when its sources were checked, how to
cite it (`<page>cite.bib`, `cite.ris`, `cite.json`, and the permanent address of each version,
`<page>v/<version>/`), its updates (`<page>changes/`) and change feed (`<page>changes.atom`,
see portal.changelog)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from portal.caching.pages import public_page
from portal.changelog.versions import public_version, version_fields, version_sources
from portal.records.addresses import absolute_url
from portal.records.registry import record_named
from portal.reference.citations import CITATION_FORMATS, PageCitation, record_meta
from portal.reference.numbering import References
from portal.reference.versions import latest_version_id


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
    version = latest_version_id(obj)
    citation = PageCitation.of(obj, request, record_type, get_language(), version)
    _text, content_type, write = CITATION_FORMATS[citation_format]
    response = HttpResponse(write(citation), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{citation_format}"'
    return response


@require_safe
def version_view(request, record_type, slug, version):
    """One version of an item's page, as "Cite this page" links it: its public fields as
    they were, marked as an old version with a link to the current page (or as the current
    one). 404 for a version readers never saw (a draft) or of another item, and for an item
    readers cannot see. Template: ``portal/record_version.html``."""
    obj = get_object_or_404(record_named(record_type).visible(), slug=slug)
    found = public_version(obj, version)
    if found is None:
        raise Http404("No such version of this page")
    version, values = found
    heading, _language = in_current_language_values(values, obj.public.name_field)
    references = References(version_sources(values))
    return render(
        request,
        "portal/record_version.html",
        {
            "object": obj,
            "version": version,
            "heading": heading,
            "fields": version_fields(obj, values, references),
            # The page's one reference list, as detail pages show theirs.
            "refs": {"references": references},
            "is_current": version.pk == latest_version_id(obj),
            "canonical_url": absolute_url(obj.get_absolute_url()),
        },
    )


def in_current_language_values(values, name):
    """(text, language code) of the translated field `name` in a version's `values`: the
    current language's, or the English where that is empty."""
    current = get_language() or "en"
    text = values.get(f"{name}_{current.replace('-', '_')}")
    return (text, current) if text else (values.get(f"{name}_en", ""), "en")


def citation_urls(record):
    """The URL patterns of the citations and of the permanent addresses of each version
    under each page of `record` (a PublicRecord)."""
    return [
        path(
            f"{record.prefix}/<slug:slug>/cite.<str:citation_format>",
            public_page(citation_view),
            {"record_type": record.name},
            name=f"{record.name}_cite",
        ),
        path(
            f"{record.prefix}/<slug:slug>/v/<int:version>/",
            public_page(version_view),
            {"record_type": record.name},
            name=f"{record.name}_version",
        ),
    ]


def changes_feed_urls(record):
    """The URL patterns of the updates ("See all updates") and the change feed under each
    page of `record` (a PublicRecord)."""
    from portal.views.changes import record_changes_view
    from portal.views.feeds import record_changes_feed

    return [
        path(
            f"{record.prefix}/<slug:slug>/changes/",
            public_page(record_changes_view),
            {"record_type": record.name},
            name=f"{record.name}_changes",
        ),
        path(
            f"{record.prefix}/<slug:slug>/changes.atom",
            public_page(record_changes_feed),
            {"record_type": record.name},
            name=f"{record.name}_changes_feed",
        ),
    ]
