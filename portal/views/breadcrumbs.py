"""Breadcrumbs for the detail pages: Home › the item's section › the item.

One place builds them: `trail(obj)` gives the crumbs that the page shows (base.html, through
`portal/includes/_breadcrumbs.html`) and that `with_breadcrumbs` adds to the page's JSON-LD
as a schema.org `BreadcrumbList` (https://schema.org/BreadcrumbList). Both read only the item
the view has already loaded, so neither adds a query.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import in_current_language
from portal.records.addresses import absolute_url
from portal.records.registry import record_of


@dataclass(frozen=True)
class Crumb:
    """One step of the trail: its text, its path, and the language of its text when that is
    not the page's (English standing in for a missing translation), else None."""

    name: str
    url: str
    lang: str | None = None


def trail(obj):
    """[home, obj's section, obj] as Crumbs; the last is the page itself. The section and
    the field that names `obj` come from its model's PublicRecord."""
    record = record_of(type(obj))
    name, language = in_current_language(obj, record.name_field)
    current = get_language() or settings.LANGUAGE_CODE
    return [
        Crumb(str(_("Home")), reverse("portal:home")),
        Crumb(str(record.section), record.list_url()),
        Crumb(name, obj.get_absolute_url(), None if language == current else language),
    ]


def breadcrumb_list(crumbs, request):
    """The crumbs as a schema.org BreadcrumbList, positions from 1, absolute URLs."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.name,
                "item": absolute_url(crumb.url),
            }
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }


def with_breadcrumbs(entity, crumbs, request, context):
    """The page's JSON-LD with its breadcrumbs in it.

    With an `entity` (the Article, Organization, ... the page is about), the trail belongs
    to the page, not the entity: the entity's `mainEntityOfPage` becomes that WebPage, with
    its `breadcrumb`, so a page still has one JSON-LD object whose type is what it is about.
    Without one, the BreadcrumbList stands alone. `context` is the "@context" to declare."""
    page_url = absolute_url(crumbs[-1].url)
    breadcrumbs = breadcrumb_list(crumbs, request)
    if entity is None:
        return {"@context": context, **breadcrumbs}
    page = {"@type": "WebPage", "@id": page_url, "url": page_url, "breadcrumb": breadcrumbs}
    return {**entity, "mainEntityOfPage": page}
