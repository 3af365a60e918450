"""Queries typed in Simplified Chinese, read as Hong Kong Traditional Chinese.

The portal's Chinese is Traditional, as written in Hong Kong, and Chinese is matched by
character pairs, so a reader who types 医管局 would find nothing that says 醫管局. Search
offers the Traditional spelling the way it offers a near spelling of an English word
(portal.views.search.did_you_mean). The conversion is OpenCC's Simplified to Hong Kong
Traditional table: its phrase lists pick the right character where one Simplified character
stands for several (发 is 發 in 發展 and 髮 in 頭髮).
"""

from functools import cache

import opencc


@cache
def _converter():
    return opencc.OpenCC("s2hk")


def traditional(text):
    """`text` with its Simplified Chinese written as Hong Kong Traditional; other text, and
    text already Traditional, is returned as it is."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)
