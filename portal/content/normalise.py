"""Text repair applied to every string that comes in through the importer.

`normalise_text` returns the text in Unicode NFC with mojibake repaired (via ftfy, plus the one
pattern ftfy leaves alone: a UTF-8 character misread in a legacy code page where the result looks
plausible, such as the seed article's "Hong" + U+0100 + U+00A0 + "Kong"), no-break spaces made
plain spaces and stray control characters removed. Line breaks and tabs are kept.
"""

import re
import unicodedata

import ftfy

# Code pages in which UTF-8 bytes are commonly misread, in the order ftfy tries them.
LEGACY_CODE_PAGES = (
    "sloppy-windows-1252",
    "sloppy-windows-1257",
    "sloppy-windows-1250",
    "sloppy-windows-1251",
    "iso-8859-2",
    "latin-1",
)

# A run of two to four non-ASCII characters: the shape of one UTF-8 character read byte by byte.
_SUSPECT_RUN = re.compile(r"[\u0080-\u024f\u2010-\u203a\u20ac\u2122]{2,4}")
# C0 and C1 control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Spaces that look like a space but break search and line wrapping in subtle ways.
_ODD_SPACES = re.compile(r"[\u00a0\u2007\u202f]")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    # Entities in Markdown source, curly quotes and ligatures are the author's choice, not damage.
    unescape_html=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization="NFC",
)


def _redecode(run):
    """Return `run` decoded as the UTF-8 it was before a code-page misreading, or None."""
    for code_page in LEGACY_CODE_PAGES:
        try:
            original = run.encode(code_page).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(original) < len(run):
            return original
    return None


def repair_mojibake(text):
    """Return `text` with UTF-8 characters that were misread in a legacy code page restored."""
    text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    return _SUSPECT_RUN.sub(lambda match: _redecode(match.group()) or match.group(), text)


def normalise_text(text):
    """Return `text` repaired and normalised; see the module docstring for what changes."""
    if text.isascii() and not _CONTROL.search(text):
        return text  # The common case, and nothing below would change it.
    text = repair_mojibake(text)
    text = _ODD_SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)
