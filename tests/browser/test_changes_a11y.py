"""The change log with field-level lines, and a detail page's citation, in Chromium: axe finds
nothing, and the citation is text a reader can select and copy."""

import re

import pytest
import reversion

from portal.models import Initiative
from tests.browser import assert_no_axe_violations, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def edited_initiative(real_content):
    """An initiative of the real content edited as the admin would: status, text, sectors."""
    initiative = Initiative.objects.exclude(description_en="").first()
    with reversion.create_revision():
        initiative.status = (
            Initiative.Status.COMPLETED
            if initiative.status != Initiative.Status.COMPLETED
            else Initiative.Status.ACTIVE
        )
        initiative.description_en = "A new first sentence. " + initiative.description_en
        initiative.save()
        initiative.sectors.clear()
    return initiative


@pytest.mark.parametrize("url", ["/changes/", "/changes/?type=initiative", "/zh-hant/changes/"])
def test_change_log_has_no_axe_violations(page, edited_initiative, url):
    response = page.goto(url)

    assert response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator(".change-lines").first).to_contain_text("→")
    expect(page.locator(".word-diff ins").first).to_contain_text("A new first sentence.")
    assert_no_axe_violations(page)


def test_citation_text_is_selectable(page, edited_initiative):
    # The page has no script for it: the citation is plain text in a paragraph.
    page.goto(edited_initiative.get_absolute_url())

    citation = page.locator("#citation-text")
    expect(citation).to_contain_text(edited_initiative.name_en)
    citation.select_text()
    selected = page.evaluate("() => window.getSelection().toString()")
    assert edited_initiative.name_en in selected
    assert_no_axe_violations(page)


def test_the_copy_button_copies_or_selects_the_citation(page, edited_initiative):
    page.goto(edited_initiative.get_absolute_url())

    button = page.get_by_role("button", name="Copy citation")
    expect(button).to_be_visible()
    button.click()
    # Copied where the browser allows it, otherwise selected for the reader to copy.
    expect(page.locator("#citation-copy-status")).to_have_text(
        re.compile(r"Citation (copied|selected)")
    )
    assert_no_axe_violations(page)


@pytest.mark.parametrize("javascript", [False])
def test_without_javascript_no_copy_button_shows(page, edited_initiative, javascript):
    page.goto(edited_initiative.get_absolute_url())

    expect(page.get_by_role("button", name="Copy citation")).to_have_count(0)
    expect(page.locator("#citation-text")).to_contain_text(edited_initiative.name_en)
