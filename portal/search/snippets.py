"""Highlighted passages for the search results shown: where a row matched, with the matched
words in `<mark>`.

A passage is taken from the text readers see: the Markdown rendered to its words (links as
their text, no footnote markers, no footnote list, no emphasis marks), on either database the
same way. Only whole words are marked, and only the words the search matched
(portal.search.words: "bank" marks "banks" and "banking", "HA" marks "HA" and never "has";
an equivalent name is marked as a phrase). Chinese is marked where the reader's text, or an
equivalent name's, occurs as it is.

No query: the rows shown are already loaded for their cards, and each passage is worked out
from their text in Python (a few dozen rows, each parsed once).
"""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from portal.models import languages
from portal.search.query import ParsedQuery, search_fields
from portal.search.words import forms, matches_word, word_pattern

ELLIPSIS = "…"
# Characters of context either side of the first match: about two lines of a result.
CONTEXT_BEFORE = 80
PASSAGE_LENGTH = 260
# The long-text fields a passage may come from, most useful first.
TEXT_FIELDS = ("body", "description", "summary")

_LATIN = "A-Za-z0-9\u00c0-\u024f"
_markdown = MarkdownIt("commonmark").use(footnote_plugin)
# Inline pieces that are not text readers see.
_SKIPPED_INLINE = {"footnote_ref", "image", "html_inline"}


@lru_cache(maxsize=256)
def reader_text(source):
    """The words of Markdown `source` as a reader sees them, as one line: rendered, without
    footnote markers or the footnote list. Cached: a body is read for each search showing it."""
    pieces, in_notes = [], 0
    for token in _markdown.parse(source or ""):
        if token.type == "footnote_block_open":
            in_notes += 1
        elif token.type == "footnote_block_close":
            in_notes -= 1
        elif token.type == "inline" and not in_notes:
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    pieces.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    pieces.append(" ")
            pieces.append(" ")
        elif token.type in ("code_block", "fence") and not in_notes:
            pieces.append(f" {token.content} ")
    return " ".join("".join(pieces).split())


def text_fields(model):
    """The long-text fields a passage is taken from, most useful first: the page language's
    body (or description), then its summary, then the same in the other languages. Only
    searched fields: the passage shows where the row matched."""
    current = (get_language() or "en").replace("-", "_")
    searched = search_fields(model)
    columns = [c for name in TEXT_FIELDS for c in languages(name) if c in searched]
    return sorted(columns, key=lambda c: (not c.endswith(f"_{current}"), columns.index(c)))


class Highlighter:
    """Finds and marks, in a text, the words a ParsedQuery matched."""

    def __init__(self, query, marked=True):
        self.marked = marked
        patterns, self.prefixed = [], {}
        for term in query.terms:
            for alternative in term:
                # A lone digit or letter (the "1" of "產學研1+計劃") marks nothing useful.
                words = [w for w in alternative.words if len(w) > 1]
                if alternative.exact and len(words) > 1:
                    *first, last = words
                    parts = [re.escape(w) for w in first] + [word_pattern(last)]
                    patterns.append(r"\W+".join(parts))
                else:
                    for word in words:
                        patterns.append(word_pattern(word))
                        if forms(word)[1]:
                            self.prefixed[forms(word)[1]] = word
                patterns += [re.escape(run) for run in alternative.runs]
        patterns = sorted(set(patterns), key=len, reverse=True)
        self.pattern = None
        if patterns:
            self.pattern = re.compile(
                f"(?<![{_LATIN}])(?:{'|'.join(patterns)})(?![{_LATIN}])", re.IGNORECASE
            )

    def _fair(self, found):
        """Whether a match is a word the search matched (a prefix's word of the same root)."""
        if " " in found or not found.isascii():
            return True
        for prefix, word in self.prefixed.items():
            if found.lower().startswith(prefix):
                return matches_word(word, found)
        return True

    def spans(self, text):
        if self.pattern is None:
            return []
        return [m.span() for m in self.pattern.finditer(text) if self._fair(m.group(0))]

    def passage(self, text):
        """Safe HTML: a passage of `text` around its first match, every match in it marked;
        None if `text` has none."""
        spans = self.spans(text)
        if not spans:
            return None
        first = spans[0][0]
        start = 0 if first <= CONTEXT_BEFORE else text.rfind(" ", 0, first - CONTEXT_BEFORE) + 1
        end = start + PASSAGE_LENGTH
        if end < len(text):
            end = max(text.rfind(" ", start, end), spans[0][1])
        else:
            end = len(text)
        html, at = [ELLIPSIS if start else ""], start
        for span_start, span_end in spans:
            if span_start < start or span_end > end:
                continue
            html += [escape(text[at:span_start]), "<mark>" if self.marked else ""]
            html += [escape(text[span_start:span_end]), "</mark>" if self.marked else ""]
            at = span_end
        html += [escape(text[at:end]), ELLIPSIS if end < len(text) else ""]
        return mark_safe("".join(html).strip())


def attach_snippets(rows, text, thesaurus=None, marked=True):
    """Set `search_snippet` on each of `rows` (model instances, as loaded for their cards):
    a passage of where it matched `text`, the matches highlighted if `marked` (not when the
    search ran a corrected spelling: the reader did not type those words), or None. No
    query."""
    rows = list(rows)
    query = ParsedQuery(text, thesaurus)
    highlighter = Highlighter(query, marked) if query else None
    fields_of = {}
    for row in rows:
        row.search_snippet = None
        if highlighter is None:
            continue
        model = type(row)
        if model not in fields_of:
            fields_of[model] = text_fields(model)
        for field in fields_of[model]:
            if passage := highlighter.passage(reader_text(getattr(row, field, "") or "")):
                row.search_snippet = passage
                break
    return rows
