"""Template tags for the portal's pages: page URLs, JSON-LD, footnote markers, year spans."""

import json
from dataclasses import dataclass
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
from portal.records.wording import bcp47, list_separator, year_span
from portal.reference.footnotes import without_footnotes
from portal.reference.markdown import render_markdown
from portal.reference.numbering import References

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


@dataclass
class CitedPage:
    """A detail page's cited texts, rendered (``texts``: field name -> HTML), and the
    reference list that numbers their sources (``references``)."""

    texts: dict
    references: References


@register.simple_tag
def references(obj, *fields):
    """``{% references initiative "description" as refs %}``: `obj`'s translated Markdown
    `fields` rendered in order (marked like ``tr_block`` where English stands in), their
    footnotes numbered in one reference list with `obj`'s other sources (``obj.sources.all()``,
    prefetched by the view), so the "Sources:" line, the markers and the list at the foot of
    the page all show the same numbers. Runs no query of its own."""
    numbered = References(obj.sources.all() if hasattr(obj, "sources") else ())
    texts = {}
    for name in fields:
        text, language = in_current_language(obj, name)
        texts[name] = _english_only(render_markdown(text, references=numbered), language)
    numbered.entries  # noqa: B018 - numbers the sources the texts do not cite, after them
    return CitedPage(texts, numbered)


@register.simple_tag
def source_refs(page):
    """The "Sources:" line: a link to each entry of the page's reference list (a
    `CitedPage`), numbered as the list numbers them; empty when there are none."""
    entries = page.references.entries
    if not entries:
        return ""
    links = format_html_join(
        " ", '<a href="#{}">[{}]</a>', ((entry.anchor, entry.number) for entry in entries)
    )
    return format_html('<p class="source-refs">{} {}</p>', _("Sources:"), links)


@register.simple_tag
def cite_source(page, source_id):
    """A marker like the texts' footnotes for the source with primary key `source_id`, with
    its number in the page's reference list; empty if the page does not list it."""
    references = page.references
    number = references.number_of(source_id)
    if number is None:
        return ""
    return format_html(
        '<sup class="footnote-ref"><a href="#{}source-{}" aria-describedby="{}">[{}]</a></sup>',
        references.id_prefix,
        source_id,
        references.heading_id,
        number,
    )


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
    the site's time zone: one conversion where two ``date`` filters made two. To the second:
    HTML's valid date strings allow at most three digits of a second's fraction, and no reader
    needs them."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        date_format(local, "DATE_FORMAT"),
    )


@register.filter
def names(obj, relation):
    """The names of `obj`'s related rows (``{{ article|names:"sectors" }}``), as a list in the
    page's language ("Health, Education"; "醫療、教育"), each through `tr` (English stand-ins
    marked). Reads what the view prefetched."""
    return format_html_join(
        list_separator(), "{}", ((tr(item, "name"),) for item in getattr(obj, relation).all())
    )


@register.filter
def join_list(items):
    """`items` joined as a list in the page's language, each escaped (``join:", "`` put an
    English comma between Chinese words)."""
    return format_html_join(list_separator(), "{}", ((item,) for item in items))


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
