"""Footnotes that cite an item's own sources: where they are, and whether they are right.

Descriptions and article bodies cite with Markdown footnotes (pandoc's syntax, as
markdown-it-py's footnote plugin reads it): a marker after the sentence, `...in 2023.[^pa]`,
and at the end of the text one definition per label, `[^pa]: https://exact.source/url`, whose
text is exactly the address of one of the item's sources. `footnote_problems` is the one
check: the importer (portal.content.schema) and the admin (portal.admin.base) both call it.
`portal.reference.markdown` renders the notes.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from portal.records.registry import record_of

# For finding footnotes only: markers are matched even without a definition (so a missing
# one can be reported), and definitions stay where they are written (so none is dropped).
# Inline notes (`^[...]`) are off here and when rendering: they could not name a source.
_finder = MarkdownIt("commonmark", {"html": False}).enable("table")
_finder.use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)

# A marker or a definition's start, for plain-text uses (meta descriptions, exports).
_DEFINITION_LINE = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:.*(?:\n|$)", re.MULTILINE)
_MARKER = re.compile(r"\[\^[^\]\s]+\]")


def cited_fields(model):
    """The names of `model`'s fields whose footnotes must name its sources (its
    PublicRecord's `cites`, in every language); () if none."""
    record = record_of(model)
    return record.cited_columns if record else ()


@dataclass
class Footnotes:
    """The footnotes in one text: labels in order of first reference, and definitions."""

    references: list = field(default_factory=list)  # labels, first reference first, once each
    definitions: dict = field(default_factory=dict)  # label -> the definition's text
    defined_twice: list = field(default_factory=list)


def find_footnotes(text):
    """Return the `Footnotes` of Markdown `text`, read the way the page renders it."""
    found = Footnotes()
    current = None  # The label of the definition being read, if any.
    for token in _finder.parse(text or "", {}):
        if token.type == "footnote_reference_open":
            label = token.meta["label"]
            if label in found.definitions:
                found.defined_twice.append(label)
            found.definitions[label] = ""
            current = label
        elif token.type == "inline" and current is not None and not found.definitions[current]:
            # The definition's text as written, before inline parsing, so an address with
            # "_" or "*" in it is compared as typed.
            found.definitions[current] = token.content.strip()
        elif token.type == "footnote_reference_close":
            current = None
        for child in token.children or ():
            if child.type == "footnote_ref" and child.meta["label"] not in found.references:
                found.references.append(child.meta["label"])
    return found


def footnote_problems(text, source_urls):
    """Return a message for each footnote in `text` that is wrong, given the item's source
    addresses `source_urls`: a marker without a definition, a definition never referred to,
    a label defined twice, or a definition that is not one of the sources. [] when all's well.
    """
    notes = find_footnotes(text)
    source_urls = set(source_urls)
    problems = []
    for label in notes.references:
        if label not in notes.definitions:
            problems.append(
                _(
                    'footnote [^%(label)s] has no definition; add a line "[^%(label)s]: '
                    "<the address of one of this record's sources>\" at the end"
                )
                % {"label": label}
            )
    for label in dict.fromkeys(notes.defined_twice):
        problems.append(_("footnote [^%(label)s] is defined more than once") % {"label": label})
    for label, url in notes.definitions.items():
        if label not in notes.references:
            message = _("footnote [^%(label)s] is defined but never referred to")
        elif not url:
            message = _("footnote [^%(label)s] names no source")
        elif url not in source_urls:
            message = _(
                "footnote [^%(label)s] names %(url)s which is not one of this record's sources"
            )
        else:
            continue
        problems.append(message % {"label": label, "url": url})
    return problems


def without_footnotes(text):
    """`text` with its footnote markers and definition lines removed, for plain-text uses."""
    return _MARKER.sub("", _DEFINITION_LINE.sub("", text or "")).strip()
