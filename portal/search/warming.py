"""Searches run after an import, so that the first reader to ask for a common word doesn't wait
while its matches are read (portal.search.memo remembers them; PostgreSQL only).

Which: the searches already remembered (the content changed under them), and the words in
the most articles of a sample of the newest, as a reader would type them. A search costs in
proportion to its matches, so these are among the dearest; most other searches find fewer.
"""

import re
from collections import Counter

from django.db import connection

from portal.caching.generation import content_state
from portal.models import Article
from portal.search import lexicon, memo, query
from portal.search.words import STOPWORDS

_ENGLISH_WORD = re.compile(r"[A-Za-z]+")

# The newest articles whose words are counted, and how many of the commonest are searched.
SAMPLE = 1_000
COMMON_WORDS = 20
# Shorter words are mostly function words a stoplist misses ("per", "new").
MIN_WORD_LENGTH = 4


def common_words(limit=COMMON_WORDS):
    """The `limit` words in the most articles of the newest SAMPLE, lower case."""
    in_articles = Counter()
    rows = Article.objects.order_by("-pk").values_list("title_en", "summary_en", "body_en")
    for row in rows[:SAMPLE]:
        words = {word.lower() for word in _ENGLISH_WORD.findall(" ".join(filter(None, row)))}
        in_articles.update(w for w in words if len(w) >= MIN_WORD_LENGTH and w not in STOPWORDS)
    return [word for word, _count in in_articles.most_common(limit)]


def warm_searches():
    """Run the remembered searches and the common words' searches over the articles (they
    are remembered again if they find many). Return how many were run; none but on
    PostgreSQL, where the memo is."""
    if connection.vendor != "postgresql":
        return 0
    thesaurus = lexicon.thesaurus(content_state())
    searches = list(dict.fromkeys([*memo.remembered_searches(), *common_words()]))
    for text in searches:
        query.matches(Article, text, thesaurus)
    return len(searches)
