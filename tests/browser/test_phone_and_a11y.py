"""Every public page type on a phone and a desktop, in both languages (issue 11, points 1 and 7).

On each: axe's WCAG 2.2 A/AA and best-practice rules find nothing at 1280 and 390 px; nothing
makes the page scroll sideways at 390 or 320 px; at 390 px every form control has text of at
least 16 px (phones zoom into smaller ones) and every link or button in the header, a form or
a navigation block is at least 24x24 px (WCAG 2.5.8; links inside running text are exempt).
Every disclosure (<details>) is opened first, so that what it hides is checked too.

The finders fold their filters behind "Filters (n)" on a phone, with or without JavaScript,
so that the results come first; on a desktop the filters show beside the results.
"""

from contextlib import contextmanager

import pytest
from django.utils import translation

from portal.models import Initiative, Organisation
from tests.browser import assert_no_axe_violations, expect
from tests.browser.conftest import DESKTOP, PHONE
from tests.page_types import PAGES

pytestmark = pytest.mark.browser

SMALL_PHONE = {**PHONE, "viewport": {"width": 320, "height": 640}}
VIEWPORTS = {"1280 px": {"viewport": DESKTOP}, "390 px": PHONE, "320 px": SMALL_PHONE}
# axe at the desktop and the common phone width; the narrowest phone only for sideways scrolling.
AXE_VIEWPORTS = ["1280 px", "390 px"]

# Every public page type (test_pages_a11y.PAGES says what each opens), and a search that
# finds nothing.
PAGE_TYPES = {
    **{
        name: PAGES[name]
        for name in [
            "home",
            "articles",
            "initiatives",
            "initiatives-filtered",
            "organisations",
            "timeline",
            "sources",
            "sectors",
            "search",
            "data",
            "changes",
            "article",
            "initiative",
            "organisation",
            "sector",
            "milestone",
            "initiative-corrected",
            "corrections",
            "record-updates",
            "version",
        ]
    },
    "search-no-results": lambda: "/search/?q=zzqxv",
    "about": lambda: "/about/",
    "network": lambda: "/network/",
    "compare": lambda: "/initiatives/compare/?items=hkchat,ai-supercomputing-centre",
}
LANGUAGES = ["en", "zh-hant"]

FINDERS = ["/articles/", "/initiatives/", "/organisations/", "/timeline/", "/sources/"]

# The element of each result in a finder's list (cards, or the timeline's milestones).
RESULTS = "#results :is(.results-list, .timeline) > li"


def url_of(target, language):
    """The address of a PAGES entry (a URL or an item) in the language given."""
    with translation.override(language):
        if not isinstance(target, str):
            return target.get_absolute_url()
        return target if language == "en" else f"/{language}{target}"


@contextmanager
def opened(browser, live_server, viewport, *, javascript=True):
    """Yield a new page at a viewport of VIEWPORTS; fail if the page threw a JavaScript error."""
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, **VIEWPORTS[viewport]
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"Uncaught JavaScript error(s) at {viewport}: {errors}"


def open_every_disclosure(page):
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def assert_no_sideways_scrolling(page, viewport):
    # Not window.innerWidth: on a phone the layout viewport grows to fit content that
    # overflows, so compare with the screen itself.
    screen_width = page.viewport_size["width"]
    page_width, sticking_out = page.evaluate(
        """(screenWidth) => [
            document.documentElement.scrollWidth,
            [...document.body.querySelectorAll("*")]
                .filter((element) => element.getBoundingClientRect().right > screenWidth + 0.5)
                .slice(-3)
                .map((element) => element.outerHTML.slice(0, 120)),
        ]""",
        screen_width,
    )
    assert page_width <= screen_width, (
        f"{page.url} is {page_width} px wide on a {viewport} screen; "
        f"innermost elements sticking out: {sticking_out}"
    )


def assert_controls_have_16px_text(page):
    small = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea, button")]
            .filter((control) => control.checkVisibility())
            .map((control) => [control.outerHTML.slice(0, 80), getComputedStyle(control).fontSize])
            .filter(([, size]) => parseFloat(size) < 16)"""
    )
    assert not small, f"{page.url}: controls with text under 16 px: {small}"


def assert_targets_at_least_24px(page):
    # Links and controls a reader taps in the header, forms and navigation blocks. Links in
    # running text are exempt (WCAG 2.5.8, "inline"); hidden fields have no box to tap.
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                ".site-header a, .site-header button, .site-header input, nav a, summary, "
                + "form a, form button, form select, form input:not([type=hidden]), .chip"
            )]
            .filter((target) => target.checkVisibility())
            .map((target) => [target.outerHTML.slice(0, 80), target.getBoundingClientRect()])
            .filter(([, box]) => box.width < 23.5 || box.height < 23.5)
            .map(([html, box]) => `${html} (${Math.round(box.width)}x${Math.round(box.height)})`)"""
    )
    assert not small, f"{page.url}: targets smaller than 24x24 px: {small}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_is_accessible_and_fits_phones(
    browser, live_server, real_content, page_type, language
):
    url = url_of(PAGE_TYPES[page_type](), language)

    for viewport in VIEWPORTS:
        with opened(browser, live_server, viewport) as page:
            response = page.goto(url)
            assert response.status == 200, f"{url} answered {response.status}"
            open_every_disclosure(page)

            if viewport in AXE_VIEWPORTS:
                assert_no_axe_violations(page, best_practice=True, context=f"at {viewport}")
            assert_no_sideways_scrolling(page, viewport)
            if viewport == "390 px":
                assert_controls_have_16px_text(page)
                assert_targets_at_least_24px(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_initiative_or_organisation_page_scrolls_sideways_on_a_small_phone(
    browser, live_server, real_content, language
):
    # Their facts hold the longest unbroken text: website addresses and organisation names.
    items = [*Initiative.objects.all(), *Organisation.objects.all()]
    with opened(browser, live_server, "320 px") as page:
        for item in items:
            page.goto(url_of(item, language))
            assert_no_sideways_scrolling(page, "320 px")


def filter_fold(page):
    return page.locator("summary", has_text="Filters")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
@pytest.mark.parametrize("finder", FINDERS)
def test_phone_shows_results_first_and_filters_behind_a_control(
    browser, live_server, real_content, finder, javascript
):
    with opened(browser, live_server, "390 px", javascript=javascript) as page:
        page.goto(finder)
        filters = page.locator("#filters")
        first_result = page.locator(RESULTS).first
        fold = filter_fold(page)

        expect(fold).to_have_text("Filters (0)")
        expect(filters).to_be_hidden()
        expect(first_result).to_be_visible()
        # On the first screen, below the count.
        assert first_result.bounding_box()["y"] < page.viewport_size["height"]
        expect(page.locator("#result-count")).to_be_in_viewport()

        fold.click()

        expect(filters).to_be_visible()
        assert filters.bounding_box()["y"] > fold.bounding_box()["y"]
        # Every option of a facet without a "more" link shows: none is hidden in a scroll box.
        for facet in page.locator("#filters fieldset.facet").all():
            if facet.locator(".facet-more").count():
                continue
            for option in facet.locator(".facet-option").all():
                expect(option).to_be_visible()
            scroll_height, client_height = facet.evaluate(
                "(box) => [box.scrollHeight, box.clientHeight]"
            )
            assert scroll_height <= client_height + 1, f"{facet.get_attribute('id')} scrolls"
        assert_controls_have_16px_text(page)
        assert_targets_at_least_24px(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_filters_chosen_on_a_phone_are_counted_on_the_fold(
    browser, live_server, real_content, javascript
):
    with opened(browser, live_server, "390 px", javascript=javascript) as page:
        page.goto("/initiatives/?status=active")
        fold = filter_fold(page)
        expect(fold).to_have_text("Filters (1)")

        fold.click()
        page.locator("#filters .facet-option input").first.check()
        if not javascript:
            page.get_by_role("button", name="Apply filters").click()

        expect(fold).to_have_text("Filters (2)")
        expect(page.locator(RESULTS).first).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
@pytest.mark.parametrize("finder", FINDERS)
def test_desktop_shows_filters_beside_the_results(
    browser, live_server, real_content, finder, javascript
):
    with opened(browser, live_server, "1280 px", javascript=javascript) as page:
        page.goto(finder)
        filters = page.locator("#filters")
        first_result = page.locator(RESULTS).first

        expect(filters).to_be_visible()
        expect(filter_fold(page)).to_be_hidden()
        expect(filters.locator("button", has_text="Apply filters")).to_be_visible()
        assert filters.bounding_box()["x"] < first_result.bounding_box()["x"]
