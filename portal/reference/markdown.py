"""Markdown to safe HTML for article bodies and descriptions, with footnotes citing sources.

markdown-it-py parses CommonMark with raw HTML switched off; nh3 (the Rust `ammonia` sanitiser)
then keeps only an allow-list of tags, attributes and URL schemes, so an editor cannot put
script, event handlers or `javascript:` links into a public page.

Footnotes (mdit_py_plugins' footnote plugin, see portal.reference.footnotes for the syntax)
are numbered in order of first reference. Each note shows the source its definition names,
as the title and publisher linked to the source, a link to the page's source list entry
(`#source-<pk>`) and a link back to the reference. The markup follows the pattern GitHub and
others use for screen readers: each reference is a superscript link described by the notes' heading
(`aria-describedby`), the notes are a labelled section, and each back-link says which
reference it returns to. Ids carry a prefix per rendered text (`fn-description-1`), so two
texts on one page never share an id.
"""

import re

import nh3
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

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
    "section",
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
    "h2": {"id", "lang"},
    "li": {"id"},
    "ol": {"start"},
    "section": {"class", "aria-labelledby"},
    "sup": {"class"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The only ids, classes and id references the footnote markup uses; anything else in one of
# those attributes is dropped, so the sanitiser still guards them if the markup ever changes.
_ID = re.compile(r"(?:fn|fnref|notes)-[a-z0-9_]+-\d+(?::\d+)?|notes-[a-z0-9_]+")
_CLASSES = {"footnote-ref", "footnotes", "footnote-backref", "footnote-source", "visually-hidden"}
_ID_ATTRIBUTES = {"id", "aria-describedby", "aria-labelledby"}


def _keep_attribute(tag, attribute, value):
    if attribute in _ID_ATTRIBUTES:
        return value if _ID.fullmatch(value) else None
    if attribute == "lang":
        return value if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value) else None
    if attribute == "class":
        return value if set(value.split()) <= _CLASSES else None
    if attribute == "href" and tag == "a" and value.startswith("#"):
        return value if re.fullmatch(r"#(?:fn|fnref|source|notes)-[a-z0-9_:-]+", value) else None
    return value


def _number(token):
    return token.meta["id"] + 1


def _render_ref(self, tokens, idx, options, env):
    token = tokens[idx]
    prefix, number, sub = env["prefix"], _number(token), token.meta.get("subId", 0)
    ref_id = f"fnref-{prefix}-{number}" + (f":{sub}" if sub else "")
    return format_html(
        '<sup class="footnote-ref"><a href="#fn-{0}-{1}" id="{2}" '
        'aria-describedby="notes-{0}">{1}</a></sup>',
        prefix,
        number,
        ref_id,
    )


def _render_block_open(self, tokens, idx, options, env):
    # The heading is in the page's language even where the text is English standing in for
    # a missing translation (and so marked lang="en" around it).
    return format_html(
        '<section class="footnotes" aria-labelledby="notes-{0}">\n'
        '<h2 id="notes-{0}" lang="{1}">{2}</h2>\n<ol>\n',
        env["prefix"],
        to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-"),
        _("Notes"),
    )


def _render_block_close(self, tokens, idx, options, env):
    return "</ol>\n</section>\n"


def _render_open(self, tokens, idx, options, env):
    return format_html('<li id="fn-{}-{}">', env["prefix"], _number(tokens[idx]))


def _render_close(self, tokens, idx, options, env):
    return "</li>\n"


def _render_source(self, tokens, idx, options, env):
    """A note: the source its definition names, and a back-link to each reference."""
    token = tokens[idx]
    prefix, number = env["prefix"], _number(token)
    url = token.meta["url"]
    source, position = env["sources"].get(url, (None, None))
    if source is None:
        # Not one of the item's sources (the importer and the admin refuse that, but a source
        # can be edited afterwards): the address as text, still readable.
        note = format_html("{}", url)
    else:
        note = format_html(
            '<a class="footnote-source" href="{}">{}</a>{}',
            source.url,
            str(source),
            format_html(", {}", source.publisher) if source.publisher else "",
        )
        note += format_html(
            ' (<a href="#source-{}">{}</a>)',
            source.pk,
            _("source %(number)s") % {"number": position},
        )
    backlinks = [
        format_html(
            ' <a href="#fnref-{}-{}{}" class="footnote-backref" aria-label="{}">\u21a9\ufe0e</a>',
            prefix,
            number,
            f":{sub}" if sub else "",
            _("Back to reference %(reference)s")
            % {"reference": f"{number}.{sub + 1}" if sub else number},
        )
        for sub in range(max(token.meta["count"], 1))
    ]
    return note + "".join(backlinks)


for _name, _rule in {
    "footnote_ref": _render_ref,
    "footnote_block_open": _render_block_open,
    "footnote_block_close": _render_block_close,
    "footnote_open": _render_open,
    "footnote_close": _render_close,
    "footnote_source": _render_source,
}.items():
    _parser.add_render_rule(_name, _rule)


def _notes_as_sources(tokens):
    """Replace each note's body (its definition, parsed) by one `footnote_source` token.

    A definition's text is a source's address, so the note shows that source instead. The
    address is the definition as written (the inline token's content), as portal.reference.footnotes
    compares it.
    """
    result, inside = [], None
    for token in tokens:
        if token.type == "footnote_open":
            inside = Token("footnote_source", "", 0)
            inside.meta = {"id": token.meta["id"], "url": "", "count": 0}
            result.append(token)
        elif token.type == "footnote_close":
            result.extend([inside, token])
            inside = None
        elif inside is None:
            result.append(token)
        elif token.type == "inline" and not inside.meta["url"]:
            inside.meta["url"] = token.content.strip()
        elif token.type == "footnote_anchor":
            inside.meta["count"] = max(inside.meta["count"], token.meta["subId"] + 1)
    return result


def render_markdown(source, *, sources=(), prefix="text"):
    """Return `source` (Markdown) as sanitised HTML, marked safe for templates.

    `sources` are the item's sources in the order its source list shows them (already
    fetched: rendering runs no query); footnotes name them by address. `prefix` (letters,
    digits, "_") keeps this text's footnote ids apart from another's on the same page.
    """
    env = {
        "prefix": prefix,
        "sources": {s.url: (s, position) for position, s in enumerate(sources, start=1)},
    }
    tokens = _notes_as_sources(_parser.parse(source or "", env))
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
