"""Chinese (and other CJK) text as overlapping two-character tokens, for full-text search.

Chinese writes words without spaces, so word-based full-text search cannot find 數碼港 in
香港數碼港管理有限公司. Indexing every pair of neighbouring characters (香港 港數 數碼 碼港 ...)
lets any search of two or more characters match as "all of its pairs", and a one-character
search match as a prefix, on SQLite's FTS5 and PostgreSQL's text search alike.
This is the bigram method of Lucene's CJKAnalyzer and Elasticsearch's cjk_bigram filter.
"""

import re

# Han ideographs (with extensions and compatibility forms), kana, Hangul and bopomofo.
_CJK_RUN = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002fa1f]+"
)


def cjk_runs(text):
    """The runs of consecutive CJK characters in `text`, in order."""
    return _CJK_RUN.findall(text or "")


def bigrams(run):
    """The overlapping character pairs of one run; a single character stands alone."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text):
    """`text`'s CJK content as space-separated tokens, ready for a word-based index."""
    return " ".join(token for run in cjk_runs(text) for token in bigrams(run))


def split_query_term(term):
    """A search term as (its non-CJK words, its CJK runs): "AI效能" -> (["AI"], ["效能"])."""
    return _CJK_RUN.sub(" ", term).split(), cjk_runs(term)
