"""The home page in Chromium on the real content, at a phone's 390 px and a laptop's 1366 px,
in both languages: search first, the ways in and the figures on the page, no sideways
scrolling, and axe's WCAG and best-practice rules satisfied."""

import pytest

from tests.browser import assert_no_axe_violations, expect
from tests.browser.conftest import PHONE, open_page, serve_site_from

pytestmark = pytest.mark.browser

VIEWPORTS = {"390 px": PHONE, "1366 px": {"viewport": {"width": 1366, "height": 900}}}


@pytest.fixture(params=VIEWPORTS)
def sized_page(request, browser, live_server, settings):
    serve_site_from(live_server, settings)
    yield from open_page(browser, live_server, **VIEWPORTS[request.param])


def width(page):
    return f"at {page.viewport_size['width']} px"


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_the_home_page_leads_with_search_then_tasks_and_figures(sized_page, real_content, language):
    page = sized_page
    response = page.goto(f"{language}/")
    assert response.status == 200

    # The search box is the first control in the main content, and in the first screen.
    first_field = page.locator("main input, main button, main a").first
    expect(first_field).to_have_attribute("id", "home-search-q")
    expect(first_field).to_be_in_viewport()
    expect(page.locator("form[role=search]")).to_have_count(1)
    expect(page.locator(".tasks a")).to_have_count(4)
    expect(page.locator(".figures a")).to_have_count(6)
    for count in page.locator(".figure-count").all_inner_texts():
        assert count.isdigit() and int(count) > 0
    expect(page.locator(".change-summary li").first).to_be_visible()
    expect(page.locator(".chart-bars a").first).to_be_attached()

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= page.viewport_size["width"], f"scrolls sideways {width(page)}"
    assert_no_axe_violations(page, best_practice=True, context=width(page))


def test_a_figure_leads_to_a_list_of_as_many_results(sized_page, real_content):
    page = sized_page
    page.goto("/zh-hant/")
    figure = page.locator(".figures a").nth(1)
    count = figure.locator(".figure-count").inner_text()
    figure.click()
    page.wait_for_url("**/zh-hant/initiatives/?kind=funding")
    expect(page.locator("#result-count")).to_contain_text(count)
    assert_no_axe_violations(page, best_practice=True, context=width(page))
