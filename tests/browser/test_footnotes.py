"""The footnotes as one reference list, in Chromium at a phone's and a desktop's width: a
marker jumps to its source's entry and highlights it, the entry's lettered back-links return to
each citation, and axe (best practices included) finds nothing on the way."""

import re

import pytest

from portal.models import Initiative
from portal.reference.markdown import render_markdown
from portal.reference.numbering import References
from tests.browser import assert_no_axe_violations, expect
from tests.browser.conftest import PHONE, open_page, serve_site_from

pytestmark = pytest.mark.browser

VIEWPORTS = {"390 px": PHONE, "1366 px": {"viewport": {"width": 1366, "height": 768}}}
# The colour portal.css gives the entry or marker a jump lands on (:target).
TARGET_BACKGROUND = "rgb(255, 243, 196)"


def cited_twice():
    """An initiative whose English description cites one source at least twice."""
    for item in Initiative.objects.filter(description_en__contains="[^").order_by("pk"):
        references = References(item.sources.all())
        render_markdown(item.description_en, references=references)
        if any(len(entry.citations) > 1 for entry in references.entries):
            return item
    pytest.fail("no initiative in the content cites a source twice")


@pytest.fixture(params=VIEWPORTS)
def sized_page(request, browser, live_server, settings):
    serve_site_from(live_server, settings)
    yield from open_page(browser, live_server, **VIEWPORTS[request.param])


def test_a_marker_jumps_to_its_highlighted_source_and_lettered_links_lead_back(
    sized_page, real_content
):
    page = sized_page
    page.goto(cited_twice().get_absolute_url())
    markers = page.locator("sup.footnote-ref a[id^='cite-']")
    numbers = markers.all_inner_texts()
    # One numbering: the first marker cites source [1], and a number repeats for a source
    # cited again rather than counting on.
    assert numbers[0] == "[1]"
    assert len(set(numbers)) < len(numbers)
    # The "Sources:" line lists the same numbers, in order, with the same targets.
    line = page.locator("p.source-refs a")
    assert line.all_inner_texts()[: len(set(numbers))] == sorted(set(numbers), key=numbers.index)

    repeated = next(n for n in numbers if numbers.count(n) > 1)
    marker = markers.nth(numbers.index(repeated))
    target = marker.get_attribute("href")
    expect(marker).to_have_attribute("aria-describedby", "sources-heading")
    marker.click()
    entry = page.locator(f"li{target}")
    expect(entry).to_be_in_viewport()
    expect(entry).to_have_css("background-color", TARGET_BACKGROUND)
    assert line.nth(int(repeated.strip("[]")) - 1).get_attribute("href") == target

    # Lettered back-links, each named for the citation it returns to.
    backlinks = entry.locator(".backrefs a")
    shown = [link.evaluate("a => a.lastChild.textContent") for link in backlinks.all()]
    assert shown[:2] == ["a", "b"]
    number = repeated.strip("[]")
    expect(backlinks.nth(1)).to_have_accessible_name(re.compile(rf"citation {number}\s?b$"))
    assert_no_axe_violations(page, best_practice=True, context="after a jump to a source")

    backlinks.nth(1).click()
    second = page.locator(f"#cite-{number}b")
    expect(second).to_be_in_viewport()
    expect(second).to_have_css("background-color", TARGET_BACKGROUND)
    assert_no_axe_violations(page, best_practice=True, context="after a jump back")


def test_the_reference_list_in_chinese_has_no_axe_violations(sized_page, real_content):
    page = sized_page
    item = cited_twice()
    page.goto(f"/zh-hant{item.get_absolute_url()}")
    expect(page.locator("#sources-heading")).to_have_text("來源")
    page.locator("sup.footnote-ref a").first.click()
    assert_no_axe_violations(page, best_practice=True)
