"""Template tags for the portal's pages: page URLs, JSON-LD, footnote markers, year spans."""

import json
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.caching.pages import request_state
from portal.finders.cards import render_card
from portal.models import in_current_language
from portal.records.addresses import absolute_url
from portal.records.wording import bcp47, year_span
from portal.reference.footnotes import without_footnotes
from portal.reference.markdown import render_markdown

register = template.Library()

# The escaping Django's json_script uses: no "</script>" or "<!--" can close or confuse the
# element, and the JSON still parses to the same data.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def page_url(context):
    """The page's canonical absolute URL: the view's ``canonical_url`` if it set one, else
    the requested path without its query string (so tracking parameters never count)."""
    if context.get("canonical_url"):
        return context["canonical_url"]
    request = context.get("request")
    return absolute_url(request.path) if request else ""


@register.simple_tag
def json_ld(data):
    """``data`` as a ``<script type="application/ld+json">`` element, safe to put in a page."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def source_refs(sources):
    """Numbered links to the page's source list entries (``#source-<pk>``), numbered as the
    list numbers them; empty when there are none."""
    if not sources:
        return ""
    links = format_html_join(
        " ",
        '<a href="#source-{}">[{}]</a>',
        ((source.pk, n) for n, source in enumerate(sources, start=1)),
    )
    return format_html('<p class="source-refs">{} {}</p>', _("Sources:"), links)


register.simple_tag(year_span)
register.filter(bcp47)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in every language: [{code, lang, name, url, current}], query string kept.

    Used for the language switcher and the hreflang alternates, so both always agree.
    """
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    full_url = absolute_url(request.get_full_path())
    # translate_url() needs a page that resolves; a "not found" or an error page may have
    # none, and then switches between the same path with and without the language prefix.
    translate = translate_url if getattr(request, "resolver_match", None) else _with_prefix
    return [
        {
            "code": code,
            "lang": bcp47(code),
            "name": name,
            "url": translate(full_url, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


def _with_prefix(url, code):
    """`url` with its path under language `code`'s prefix (none for the default language)."""
    parts = urlsplit(url)
    path = parts.path
    for other, _name in settings.LANGUAGES:
        prefix = f"/{other}"
        if other != settings.LANGUAGE_CODE and (path == prefix or path.startswith(prefix + "/")):
            path = path.removeprefix(prefix) or "/"
            break
    if code != settings.LANGUAGE_CODE:
        path = f"/{code}{path}"
    return urlunsplit(parts._replace(path=path))


@register.simple_tag(takes_context=True)
def card(context, template_name, obj, heading_level=3, **options):
    """``{% card "portal/includes/_article_card.html" article %}``: `obj`'s card, rendered once
    per content state and language (portal.finders.cards: what a card template may depend on).
    Keyword `options` reach the card's context (``compare_choice=compare_choice``)."""
    state = request_state(context["request"])
    return render_card(template_name, obj, state, heading_level, **options)


@register.filter
def as_time(value):
    """A date and time as ``<time datetime="ISO 8601">date in the page's format</time>``, in
    the site's time zone: one conversion where two ``date`` filters made two."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), date_format(local, "DATE_FORMAT")
    )


@register.filter
def names(obj, relation):
    """The names of `obj`'s related rows (``{{ article|names:"sectors" }}``), comma-separated,
    each through `tr` (English stand-ins marked). Reads what the view prefetched."""
    return format_html_join(
        ", ", "{}", ((tr(item, "name"),) for item in getattr(obj, relation).all())
    )


@register.filter
def tr(obj, name):
    """A translated field inline, e.g. ``{{ initiative|tr:"name" }}``; English text shown on
    a page in another language is marked ``lang="en"`` so screen readers pronounce it right."""
    text, language = in_current_language(obj, name)
    if language == (get_language() or settings.LANGUAGE_CODE):
        return text
    return format_html('<span lang="en">{}</span>', text)


def _english_only(html, language):
    """Wrap English `html` on a page in another language, with a visible note saying so."""
    current = get_language() or settings.LANGUAGE_CODE
    if language == current or not html:
        return mark_safe(html)  # noqa: S308 - callers pass escaped or sanitised HTML
    note = format_html(
        '<p class="english-only" lang="{}">{}</p>', bcp47(current), _("English only")
    )
    return format_html('<div lang="en">{}{}</div>', note, mark_safe(html))  # noqa: S308


@register.filter
def tr_block(obj, name):
    """A translated plain-text field as paragraphs (like ``linebreaks``), marked when English
    stands in for a missing translation."""
    text, language = in_current_language(obj, name)
    return _english_only(linebreaks(text, autoescape=True), language)


register.filter("without_footnotes", without_footnotes)


@register.filter
def tr_markdown(obj, name):
    """A translated Markdown field rendered to sanitised HTML, marked like ``tr_block``.

    Its footnotes name `obj`'s sources (``obj.sources.all()``, prefetched by the view, in the
    order of the page's source list); their ids are prefixed with `name`."""
    text, language = in_current_language(obj, name)
    sources = obj.sources.all() if hasattr(obj, "sources") else ()
    return _english_only(render_markdown(text, sources=sources, prefix=name), language)
