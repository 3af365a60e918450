"""Search as a reader uses it, in Chromium: an abbreviation, the highlighted passages and
"did you mean", at desktop and phone widths."""

import re

import pytest

from tests.browser import assert_no_axe_violations, expect

pytestmark = pytest.mark.browser


def test_an_abbreviation_finds_the_model_and_shows_where(page, real_content):
    page.goto("/search/?q=LLM")

    # The model's own page, and its launch on the timeline, both by that name.
    expect(page.get_by_role("link", name="HKGAI V1 large language model").first).to_be_visible()
    marks = page.locator(".search-snippet mark")
    expect(marks.first).to_be_visible()
    assert "large language model" in " ".join(marks.all_inner_texts()).lower()
    assert_no_axe_violations(page)


def test_did_you_mean_leads_to_results_on_a_phone(phone_page, real_content):
    phone_page.goto("/search/?q=sandbx")

    # The results shown are already the corrected spelling's; the suggestion is a link too.
    phone_page.get_by_role("link", name="sandbox", exact=True).click()
    phone_page.wait_for_url("**/search/?q=sandbox")
    expect(phone_page.locator(".search-snippet mark").first).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the results page is {width} px wide"
    assert_no_axe_violations(phone_page)


def test_sources_found_by_search_link_to_their_entry_and_page(page, real_content):
    page.goto("/search/?q=budget&type=sources")

    card = page.locator("[data-search-results] article").first
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Original page")).to_have_attribute(
        "href", re.compile(r"^https?://")
    )
    assert_no_axe_violations(page)
