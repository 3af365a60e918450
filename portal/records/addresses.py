"""Detail-page addresses by slug, without a full `reverse()` for every row.

A list page links to 20-odd records, and each `reverse()` walks the URL resolver under the
active language's prefix, a measurable part of rendering a finder.
The address of a detail page differs from row to row only in its slug, so the pattern is
reversed once per URL name, language and script prefix, with a placeholder where the slug
goes, and each row's address is that pattern with its slug put in.

Absolute addresses (feeds, sitemaps, canonical links, citations, exports) start with
settings.SITE_URL, never with the request's host and scheme: those come from the client (or
a proxy), and a page made with them may be cached and served to everyone (`absolute_url`).
"""

import re
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

# Stands in for the slug in a reversed pattern; it cannot occur elsewhere in an address.
PLACEHOLDER = "slug-placeholder"
# Slugs that go into an address unchanged. Anything else (a slug saved from the shell,
# bypassing SlugField's validation) is reversed the slow way, which quotes it.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=128)
def slug_pattern(url_name, language, script_prefix, urlconf):
    """The address of `url_name` in `language` with PLACEHOLDER as its slug."""
    with translation.override(language):
        return reverse(url_name, urlconf=urlconf, kwargs={"slug": PLACEHOLDER})


def absolute_url(path):
    """The absolute address of `path`, an address on this site (starting with "/", query
    and fragment allowed), under settings.SITE_URL. "//host" stays a path on this site."""
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not an address on this site")
    return settings.SITE_URL + path


def absolute_detail_urls(request, url_name):
    """A function from a slug to the absolute address of `url_name`'s page for it, for the
    thousands of rows of an export: the address is built once, each row only fills it in.
    (`request` is not read: addresses come from settings.SITE_URL.)"""
    pattern = absolute_url(detail_url(url_name, PLACEHOLDER))

    def url(slug):
        if _PLAIN_SLUG.fullmatch(slug or ""):
            return pattern.replace(PLACEHOLDER, slug)
        return absolute_url(detail_url(url_name, slug))

    return url


def detail_url(url_name, slug):
    """The same as ``reverse(url_name, kwargs={"slug": slug})`` in the active language."""
    if not _PLAIN_SLUG.fullmatch(slug or ""):
        return reverse(url_name, kwargs={"slug": slug})
    pattern = slug_pattern(url_name, translation.get_language(), get_script_prefix(), get_urlconf())
    return pattern.replace(PLACEHOLDER, slug)


@receiver(setting_changed)
def _forget_patterns(setting, **kwargs):
    # Tests that swap the URLconf or languages must not get addresses of the old one.
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        slug_pattern.cache_clear()
