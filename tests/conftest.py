"""Suite-wide fixtures."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from portal.downloads.store import remove_all as remove_built_downloads
from portal.finders.cards import forget_cards
from portal.finders.facets import forget_indexes
from portal.search.lexicon import forget_lexicon


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts with an empty page cache, no built download and no facet index or
    card in memory: a test's rolled-back transaction can bring a content generation back with
    other content."""
    cache.clear()
    remove_built_downloads()
    forget_indexes()
    forget_cards()
    forget_lexicon()
    yield
    forget_indexes()
    forget_cards()
    forget_lexicon()


@pytest.fixture(autouse=True)
def english_by_default():
    """Every test starts in English: a request to a /zh-hant/ page leaves Chinese active in
    the thread, and `obj.title = ...` would then write the Chinese column."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
