"""How an English search word matches the words of the text: whole words, never fragments.

A short word or an abbreviation (three letters or fewer, a capital after the first letter as
in "PolyU", or a digit) matches only itself: "HA" is not "has", "AI" is not "aid". A longer
word matches the words that share its root (`root`): its inflections ("banks", "banking"
for "bank") and, when the root keeps at least MIN_PREFIX letters, its derivations
("regulation", "regulator" for "regulate"), found as a prefix of the root. "general" and
"generative" have different roots ("general", "generat"), so neither finds the other.
Common function words ("the", "when", "for") are left out of what the reader typed, as
PostgreSQL's english configuration leaves them out; a search of nothing else keeps them.

Both databases' indexes store whole words (SQLite's FTS5 without its Porter stemmer, which
made "has" of "HA" and "gener" of both "general" and "generative"); the highlights mark what
`matcher` finds, the same words.
"""

import re
from functools import lru_cache

# English endings: inflections, then derivations (longest first) that may be dropped when
# what remains keeps at least MIN_ROOT letters.
INFLECTIONS = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
DERIVATIONS = sorted(
    ("ion", "or", "er", "ive", "ory", "al", "ance", "ence", "ment", "ity")
    + ("ise", "ize", "ist", "ism", "ally", "ly", "ness", "ic", "ical"),
    key=len,
    reverse=True,
)
MIN_ROOT = 5
# A root this long is matched as a prefix ("regulat" finds "regulation"); a shorter one
# only through its inflections ("bank" does not find "bankrupt").
MIN_PREFIX = 5
# Words longer than this are matched as typed.
SHORT_WORD = 3
STOPWORDS = frozenset(
    "a an and are as at be been by did do does for from had has have how i in is it its of on"
    " or that the this to was were what when where which who why will with".split()
)
# Endings tried on a short root to list its inflected forms.
_FORMS = ("", "s", "es", "ed", "ing", "e", "ies", "ied")


def is_exact(word):
    """Whether `word` (as typed) matches only itself: short, an abbreviation or a name with
    a capital inside ("PolyU", "RAISe"), or not all letters."""
    return (
        len(word) <= SHORT_WORD
        or not word.isalpha()
        or not word.isascii()
        or any(c.isupper() for c in word[1:])
    )


def _without_inflection(word):
    for ending, replacement in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
            return word[: -len(ending)] + replacement
    return word


@lru_cache(maxsize=4096)
def root(word):
    """`word` (lower case) without an inflection, then without derivational endings while
    at least MIN_ROOT letters remain, then without a final "e"."""
    word = _without_inflection(word.lower())
    changed = True
    while changed:
        changed = False
        for ending in DERIVATIONS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_ROOT:
                word, changed = word[: -len(ending)], True
                break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


@lru_cache(maxsize=4096)
def forms(word):
    """How `word` (as typed) matches: (whole words, prefix or None). An exact word is itself;
    a long root is a prefix; a short root lists its inflected forms."""
    lower = word.lower()
    if is_exact(word):
        return (lower,), None
    base = root(lower)
    if len(base) >= MIN_PREFIX:
        return (), base
    stems = {base, lower, _without_inflection(lower), base.removesuffix("y")}
    candidates = {stem + ending for stem in stems for ending in _FORMS}
    return tuple(sorted(c for c in candidates if root(c) == base) or [lower]), None


def drop_stopwords(words):
    """`words` without common function words, unless that would leave none."""
    kept = [word for word in words if word.lower() not in STOPWORDS]
    return kept or list(words)


def word_pattern(word):
    """A regular expression (text) for the words of a text that `word` matches."""
    whole, prefix = forms(word)
    if prefix:
        return rf"{re.escape(prefix)}\w*"
    return "(?:" + "|".join(re.escape(w) for w in whole) + ")"


def matches_word(word, found):
    """Whether the word `found` in a text is one that `word` (as typed) matches: for a
    prefix, only a word of the same root ("robotics" for "robot", not "robotaxi")."""
    whole, prefix = forms(word)
    lower = found.lower()
    if prefix:
        return root(lower) == prefix
    return lower in whole
