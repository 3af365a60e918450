"""Detail-page addresses from a reversed pattern (portal.records.addresses) agree with
`reverse()`."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from portal.records.addresses import absolute_detail_urls, detail_url

URL_NAMES = [
    "portal:article_detail",
    "portal:initiative_detail",
    "portal:organisation_detail",
    "portal:sector_detail",
    "portal:milestone_detail",
]


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("url_name", URL_NAMES)
def test_detail_url_is_what_reverse_gives_in_each_language(url_name, language):
    with translation.override(language):
        for slug in ["hkgai-v1", "a", "x_y-2"]:
            assert detail_url(url_name, slug) == reverse(url_name, kwargs={"slug": slug})


def test_a_slug_the_pattern_refuses_fails_as_reverse_does():
    # SlugField validates slugs in forms and imports, but the shell can save anything; such a
    # slug must not slip into an address unchecked.
    for function in (detail_url, lambda name, slug: reverse(name, kwargs={"slug": slug})):
        with pytest.raises(NoReverseMatch):
            function("portal:article_detail", "caf\u00e9 ai")


def test_the_script_prefix_is_respected(settings):
    from django.urls import set_script_prefix

    set_script_prefix("/portal/")
    try:
        assert detail_url("portal:sector_detail", "finance") == "/portal/sectors/finance/"
    finally:
        set_script_prefix("/")


def test_absolute_addresses_for_an_export_are_what_reverse_gives(rf):
    request = rf.get("/articles.csv")
    url = absolute_detail_urls(request, "portal:article_detail")
    for slug in ["hkgai-v1", "x_y-2"]:
        expected = request.build_absolute_uri(reverse("portal:article_detail", args=[slug]))
        assert url(slug) == expected
    with pytest.raises(NoReverseMatch):  # Not filled into the pattern unchecked.
        url("caf\u00e9 ai")
