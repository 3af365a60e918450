"""Suite-wide fixtures."""

import pytest
from django.core.cache import cache

from portal.facets import forget_indexes
from portal.lexicon import forget_lexicon


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts with an empty page cache and no facet index in memory: a test's
    rolled-back transaction can bring a content generation back with other content."""
    cache.clear()
    forget_indexes()
    forget_lexicon()
    yield
    forget_indexes()
    forget_lexicon()
