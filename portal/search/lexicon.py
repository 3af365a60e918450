"""What search knows about the portal's own words, built once per content generation: the
records' names as synonyms (`thesaurus`, portal.search.synonyms), and a vocabulary for "did you
mean" (`vocabulary`, built only when a search finds nothing).

Each is built with a fixed number of small, bounded queries (organisations' and initiatives'
names; sector names and the titles of the newest articles), so its cost does not grow with
the content; kept in each process's memory and the shared cache under the content key
(portal.caching.memo), like the facet indexes (portal.finders.facets), so an edit is
reflected on the very next request.
"""

import difflib
from collections import Counter

from portal.caching.memo import Memo
from portal.models import Article, Initiative, Organisation, Sector
from portal.search.ranking import NameIndex, sourced_ids
from portal.search.synonyms import Thesaurus, tokens

# Bounds: the small tables are read up to this many rows (together); article titles only of the
# newest so many; the vocabulary keeps its most frequent words.
MAX_RECORDS = 5_000
MAX_ARTICLE_TITLES = 5_000
MAX_VOCABULARY = 10_000
# Shorter words are too easily "near" other words to suggest anything useful.
MIN_SUGGESTED_LENGTH = 3
# How alike a word and its suggestion must be (difflib's ratio).
SIMILARITY = 0.75
# Unknown words looked up per search (each is a search through the vocabulary).
MAX_CORRECTED_WORDS = 5
NAME_FIELDS = ("name_en", "name_zh_hant", "short_name_en", "short_name_zh_hant", "aliases")

_lexicon = Memo()


def name_groups():
    """Every organisation's and initiative's names (name, short name, other names, in both
    languages) as one list per record, in one query."""
    organisations = Organisation.objects.order_by().values_list(*NAME_FIELDS)
    initiatives = Initiative.objects.order_by().values_list(*NAME_FIELDS)
    rows = organisations.union(initiatives, all=True)[:MAX_RECORDS]
    return [[*names[:-1], *(names[-1] or "").splitlines()] for names in rows]


class Vocabulary:
    """English words of record names, sector names and the newest article titles, most
    frequent first, for "did you mean"."""

    def __init__(self, words):
        self.words = words
        self._known = frozenset(words)
        # A word within SIMILARITY of another differs in length by at most a quarter.
        self._by_length = {}
        for word in words:
            self._by_length.setdefault(len(word), []).append(word)

    def _near(self, word):
        spread = len(word) // 4 + 1
        candidates = [
            candidate
            for length in range(len(word) - spread, len(word) + spread + 1)
            for candidate in self._by_length.get(length, ())
        ]
        near = difflib.get_close_matches(word, candidates, n=1, cutoff=SIMILARITY)
        return near[0] if near else None

    @classmethod
    def build(cls, groups):
        """From the records' `groups` of names (see name_groups) and two more queries."""
        sectors = Sector.objects.order_by("pk").values_list("name_en", flat=True)[:MAX_RECORDS]
        titles = (
            Article.objects.published()
            .order_by("-publish_at")
            .values_list("title_en", flat=True)[:MAX_ARTICLE_TITLES]
        )
        counts = Counter()
        for text in [*(name for group in groups for name in group), *sectors, *titles]:
            counts.update(t for t in tokens(text) if t.isascii() and t.isalpha() and len(t) > 1)
        return cls([word for word, _n in counts.most_common(MAX_VOCABULARY)])

    def suggestion(self, text):
        """`text` with each word the vocabulary does not know replaced by the nearest one it
        does, or "" if no word changed (only English words of 3 letters or more are)."""
        changed = False
        words = []
        tries = MAX_CORRECTED_WORDS
        for word in tokens(text):
            correctable = word.isascii() and word.isalpha() and len(word) >= MIN_SUGGESTED_LENGTH
            near = None
            if correctable and word not in self._known and tries:
                tries -= 1
                near = self._near(word)
            changed = changed or bool(near)
            words.append(near or word)
        return " ".join(words) if changed else ""


def _per_generation(name, state, build):
    """What `build()` makes for the content `state`: from this process's memory, else the
    shared cache, else built (and shared)."""
    return _lexicon.get(name, f"{name}:{state.key}", build)


def thesaurus(state):
    """The Thesaurus of the reviewed synonyms and the records' names (one query to build)."""
    return _per_generation("thesaurus", state, lambda: Thesaurus(name_groups()))


def vocabulary(state):
    """The Vocabulary for "did you mean" (three queries to build)."""
    return _per_generation("vocabulary", state, lambda: Vocabulary.build(name_groups()))


def names(state):
    """The NameIndex of the records' names, for "best match" (one query per named type)."""
    return _per_generation("names", state, NameIndex.build)


def sourced(state, model):
    """The BitMap of `model`'s rows that cite sources (portal.search.ranking.sourced_ids)."""
    return _per_generation(f"sourced:{model._meta.label}", state, lambda: sourced_ids(model))


def forget_lexicon():
    """Drop this process's copies (tests call it between cases, as
    portal.finders.facets.forget_indexes)."""
    _lexicon.clear()
