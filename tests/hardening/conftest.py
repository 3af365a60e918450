"""Fixtures for the hardening tests."""

import pytest

from portal.caching.backends import forget_failures


@pytest.fixture(autouse=True)
def caches_tried_afresh():
    """Each test starts with no cache remembered as failing (portal.caching.backends)."""
    forget_failures()
    yield
    forget_failures()
