"""Whether an article's Markdown cites sources: a footnote reference outside a quoted
editor's note (a `>` line) and outside the footnote definitions. Stored on each article as
`has_footnotes` (kept by save() and the importer), so search reads it without the bodies."""

import re

# A footnote reference (not a definition) in a line of Markdown.
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")


def cites_outside_notes(markdown):
    """Whether Markdown `markdown` has a footnote reference outside a quoted editor's note
    (a `>` line) and outside the footnote definitions."""
    return any(
        _FOOTNOTE_REF.search(line)
        for line in (markdown or "").splitlines()
        if not line.lstrip().startswith(">")
    )
