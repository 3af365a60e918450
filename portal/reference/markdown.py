"""Markdown to safe HTML for article bodies and descriptions, with footnotes citing sources.

markdown-it-py parses CommonMark with raw HTML switched off; nh3 (the Rust `ammonia` sanitiser)
then keeps only an allow-list of tags, attributes and URL schemes, so an editor cannot put
script, event handlers or `javascript:` links into a public page.

Footnotes (mdit_py_plugins' footnote plugin, see portal.reference.footnotes for the syntax)
name the item's sources, so they are not listed under the text as notes of their own: each
marker is the number its source has in the page's one reference list
(portal.reference.numbering.References), linked to that list's entry (`#source-<pk>`), with an
id the entry links back to (`cite-2a`). Markers are described by the list's heading
(`aria-describedby`), the pattern GitHub and others use for screen readers.
"""

import re

import nh3
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from portal.reference.numbering import References

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable("table")
_parser.use(footnote_plugin, inline=False)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "aria-describedby", "aria-label"},
    "abbr": {"title"},
    "ol": {"start"},
    "sup": {"class"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The only ids, classes and id references the footnote markup uses; anything else in one of
# those attributes is dropped, so the sanitiser still guards them if the markup ever changes.
_ID = re.compile(r"(?:[a-z0-9_]+-)?(?:cite-\d+[a-z]+|sources-heading)")
_CLASSES = {"footnote-ref"}
_ID_ATTRIBUTES = {"id", "aria-describedby"}


def _keep_attribute(tag, attribute, value):
    if attribute in _ID_ATTRIBUTES:
        return value if _ID.fullmatch(value) else None
    if attribute == "class":
        return value if set(value.split()) <= _CLASSES else None
    if attribute == "href" and tag == "a" and value.startswith("#"):
        return value if re.fullmatch(r"#(?:[a-z0-9_]+-)?source-[a-z0-9-]+", value) else None
    return value


def _render_ref(self, tokens, idx, options, env):
    references = env["reference_list"]
    entry, marker_id = references.cite(env["urls"].get(tokens[idx].meta["id"], ""))
    return format_html(
        '<sup class="footnote-ref"><a href="#{}" id="{}" aria-describedby="{}">[{}]</a></sup>',
        entry.anchor,
        marker_id,
        references.heading_id,
        entry.number,
    )


_parser.add_render_rule("footnote_ref", _render_ref)


def _without_notes(tokens, urls):
    """`tokens` without the notes block, each note's address (its definition as written, the
    inline token's content, as portal.reference.footnotes compares it) put in `urls` by the
    footnote's id: the reference list shows the sources instead."""
    result, inside = [], None
    for token in tokens:
        if token.type == "footnote_open":
            inside = token.meta["id"]
        elif token.type == "footnote_close":
            inside = None
        elif token.type == "inline" and inside is not None:
            urls.setdefault(inside, token.content.strip())
        elif inside is None and not token.type.startswith("footnote_block"):
            result.append(token)
    return result


def render_markdown(source, *, references=None):
    """Return `source` (Markdown) as sanitised HTML, marked safe for templates.

    Its footnotes are numbered in `references` (a portal.reference.numbering.References of
    the item's sources, already fetched: rendering runs no query), which the page's reference
    list then shows; without one, they are numbered on their own.
    """
    env = {"reference_list": references if references is not None else References(), "urls": {}}
    tokens = _without_notes(_parser.parse(source or "", env), env["urls"])
    html = _parser.renderer.render(tokens, _parser.options, env)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
