"""Words that mean the same thing to a search: a small reviewed list of the field's
abbreviations, and every record's own names (built per content generation, portal.search.lexicon).

A search term that one of these names is expanded at query time into "the term, or any of its
equivalents" (portal.search.query), so "LLM" finds "HKGAI V1 large language model" and "HKMA" finds
what only says "Hong Kong Monetary Authority". Only equivalences that are true by definition
belong in REVIEWED; official names are not written here: they come from the records (their
names, short names and other names), which cite their sources.
"""

import re

from portal.records.cjk import split_query_term

# Each line: phrases that mean the same, in any language. Reviewed: expansions of an
# abbreviation, and the standard Chinese term, only.
REVIEWED = (
    ("AI", "artificial intelligence", "人工智能"),
    ("GenAI", "Gen AI", "generative AI", "generative artificial intelligence", "生成式人工智能"),
    ("LLM", "large language model", "大型語言模型", "大語言模型"),
    ("ML", "machine learning", "機器學習"),
)
# Kinds of a thing, by definition: a search for the first (or an equivalent) also finds
# the second (and its equivalents), not the other way round. A large language model is a
# generative AI model, so "genAI" finds "HKGAI V1 large language model"; "LLM" does not
# find every generative AI record.
NARROWER = (("GenAI", "LLM"),)
# One term is expanded into at most this many alternatives (itself included): each is a
# clause of the full-text query.
MAX_ALTERNATIVES = 10
# The longest name, in tokens, that a query is scanned for.
MAX_NAME_TOKENS = 12
# Terms of one search that are expanded (later ones match only as typed), so that no
# search grows past a few dozen clauses.
MAX_EXPANDED_TERMS = 8

_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text, lower=True):
    """`text` as search tokens: words (lower case unless not `lower`) and runs of CJK
    characters, in order."""
    if (text or "").isascii():  # No CJK to split out: the common case, and faster.
        return _WORD.findall(text.lower() if lower else text) if text else []
    found = []
    for term in _WORD.findall(text or ""):
        words, runs = split_query_term(term)
        found += [word.lower() if lower else word for word in words] + runs
    return found


def fold(token):
    """A token as names are compared: an English plural's "s" dropped ("LLMs" is "LLM")."""
    if len(token) > 3 and token.endswith("s") and token.isascii():
        return token[:-1]
    return token


def name_key(text):
    """The key that `text` and its spelling variants share (case, plurals, punctuation)."""
    return tuple(fold(token) for token in tokens(text))


class Thesaurus:
    """{name key: the phrases it is equivalent to}. Built from groups of equivalent phrases;
    a phrase in several groups is equivalent to all of their members."""

    def __init__(self, groups=()):
        self.entries = {}
        self.add_groups(REVIEWED)
        self.add_groups(groups)
        for broader, narrower in NARROWER:
            kinds = self.entries.get(name_key(narrower), [])
            for phrase in list(self.entries.get(name_key(broader), [])):
                known = self.entries[name_key(phrase)]
                known += [kind for kind in kinds if kind not in known]

    def add_groups(self, groups):
        for group in groups:
            phrases = list(dict.fromkeys(p.strip() for p in group if p and p.strip()))
            keys = {name_key(p) for p in phrases} - {()}
            if len(keys) < 2:
                continue  # A name with no other name adds nothing.
            for key in keys:
                if len(key) <= MAX_NAME_TOKENS:
                    known = self.entries.setdefault(key, [])
                    known += [p for p in phrases if p not in known]

    def expand(self, text):
        """`text` as a list of terms that must all match, each a list of alternatives:
        (phrase, exact) pairs, where the first alternative is what the reader typed (its
        words in any order, exact=False) and the others are equivalent names, matched as
        phrases (exact=True). Longest names win: "large language model" is one term."""
        typed = tokens(text)
        # As typed: "RAISe" and "PolyU" match only themselves (portal.search.words).
        as_typed = tokens(text, lower=False)
        keys = [fold(token) for token in typed]
        terms, seen, i = [], set(), 0
        while i < len(typed):
            for length in range(min(MAX_NAME_TOKENS, len(typed) - i), 0, -1):
                key = tuple(keys[i : i + length])
                if key in self.entries:
                    break
            else:
                length, key = 1, None
            own = " ".join(as_typed[i : i + length])
            i += length
            if own.lower() in seen:
                continue  # Every term must match anyway: a repeat adds nothing.
            seen.add(own.lower())
            alternatives = [(own, False)]
            for phrase in self.entries.get(key, ()) if len(terms) < MAX_EXPANDED_TERMS else ():
                if name_key(phrase) != key and len(alternatives) < MAX_ALTERNATIVES:
                    alternatives.append((phrase, True))
            terms.append(alternatives)
        return terms


REVIEWED_ONLY = Thesaurus()
