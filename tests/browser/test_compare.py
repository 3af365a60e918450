"""Comparing initiatives as a reader does, on the real content, in Chromium: ticking the
"Compare" boxes on the finder's cards (with and without JavaScript), the table that follows,
on a 1280 px desktop and a 390 px phone, on screen and on paper."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db.models import Count

from portal.models import Initiative, Sector
from tests.browser import AXE_OPTIONS, assert_no_axe_violations, expect
from tests.browser.conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"viewport": DESKTOP}, "phone": PHONE}
# WCAG 2.2 A and AA, and axe's best practices (landmarks, heading order, ...).
AXE_WITH_BEST_PRACTICE = {
    **AXE_OPTIONS,
    "runOnly": {"type": "tag", "values": [*AXE_OPTIONS["runOnly"]["values"], "best-practice"]},
}
# An A4 sheet's printable width at the default 1 cm margins, in CSS pixels (96 per inch):
# 190 mm portrait, 277 mm landscape.
A4_WIDTHS = {"portrait": 718, "landscape": 1047}


def assert_axe_clean(page, context=None):
    """axe's WCAG and best-practice rules find nothing on the page (or in `context`, an axe
    selection such as {"include": [["#compare-form"]]})."""
    violations = Axe().run(page, context, options=AXE_WITH_BEST_PRACTICE).response["violations"]
    found = [
        f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
        for v in violations
    ]
    assert not found, f"axe on {page.url}:\n" + "\n".join(found)


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def compare_box(page, initiative):
    return page.locator(f'input[type=checkbox][form="compare-form"][value="{initiative.slug}"]')


def first_two_listed(page):
    """The initiatives of the finder's first two cards, as the page lists them."""
    slugs = page.locator('input[form="compare-form"]').evaluate_all(
        "boxes => boxes.slice(0, 2).map(box => box.value)"
    )
    return [Initiative.objects.get(slug=slug) for slug in slugs]


def assert_table_of(page, initiatives):
    """The page is the comparison of `initiatives`, at its comma-separated address."""
    slugs = ",".join(initiative.slug for initiative in initiatives)
    expect(page).to_have_url(re.compile(rf"/initiatives/compare/\?items={re.escape(slugs)}$"))
    headings = page.locator(".compare-table thead th")
    expect(headings).to_have_count(len(initiatives))
    for heading, initiative in zip(headings.all(), initiatives, strict=True):
        expect(heading).to_contain_text(initiative.name_en)
    row_names = page.locator(".compare-table tbody th[scope=row]").all_inner_texts()
    assert row_names[:3] == ["Summary", "Lead organisation", "Kind"], row_names


@pytest.mark.parametrize("screen", SCREENS)
def test_ticking_two_cards_without_javascript_shows_them_side_by_side(
    browser, live_server, real_content, screen
):
    for page in open_page(browser, live_server, java_script_enabled=False, **SCREENS[screen]):
        page.goto("/initiatives/")
        chosen = first_two_listed(page)
        for initiative in chosen:
            compare_box(page, initiative).check()

        page.get_by_role("button", name="Compare selected").click()

        assert_table_of(page, chosen)
        address = page.url
    # axe needs JavaScript to run; the page it checks is the same server-rendered one.
    for page in open_page(browser, live_server, **SCREENS[screen]):
        page.goto(address)
        region = page.get_by_role("region", name="The initiatives side by side")
        expect(region).to_have_attribute("tabindex", "0")
        if screen == "phone":
            width = page.viewport_size["width"]
            assert page_width(page) <= width, f"the page is {page_width(page)} px wide"
            # The table scrolls in its own box, which a keyboard can reach and scroll.
            assert region.evaluate("box => box.scrollWidth > box.clientWidth")
            region.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('.compare-scroll').scrollLeft > 0", timeout=3000
            )
        assert_axe_clean(page)


def test_with_javascript_the_button_waits_for_two_to_four(page, real_content):
    page.goto("/initiatives/")
    button = page.get_by_role("button", name="Compare selected")
    count = page.locator(".compare-count")
    slugs = page.locator('input[form="compare-form"]').evaluate_all(
        "boxes => boxes.slice(0, 5).map(box => box.value)"
    )
    chosen = [Initiative.objects.get(slug=slug) for slug in slugs]

    expect(count).to_have_text("0 selected")
    expect(button).to_be_disabled()
    compare_box(page, chosen[0]).check()
    expect(count).to_have_text("1 selected")
    expect(button).to_be_disabled()
    for n, initiative in enumerate(chosen[1:], start=2):
        compare_box(page, initiative).check()
        expect(count).to_have_text(f"{n} selected")
        if n <= 4:
            expect(button).to_be_enabled()
    expect(button).to_be_disabled()  # Five.
    compare_box(page, chosen[4]).uncheck()
    expect(button).to_be_enabled()
    # The finder's own headings are issue 11.7's; here the boxes and their form are checked.
    assert_no_axe_violations(page)
    assert_axe_clean(page, {"include": [["#compare-form"], [".compare-pick"]]})

    button.click()

    assert_table_of(page, chosen[:4])


def test_a_choice_survives_changing_the_filters(page, real_content):
    """With JavaScript the finder swaps in other results in place; what was ticked stays
    chosen, and goes with the form even when its card is no longer shown."""
    page.goto("/initiatives/")
    first = first_two_listed(page)[0]
    compare_box(page, first).check()
    sector = Sector.objects.exclude(initiatives=first).filter(initiatives__isnull=False).first()
    other = sector.initiatives.first()

    page.locator(f'#filters input[name="sector"][value="{sector.slug}"]').check()
    page.wait_for_url(re.compile(rf"sector={sector.slug}"))
    expect(compare_box(page, first)).to_have_count(0)
    compare_box(page, other).check()
    expect(page.locator(".compare-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Compare selected").click()

    # The boxes on the page come first, then those ticked before the filters changed.
    assert_table_of(page, [other, first])


@pytest.mark.parametrize("orientation", A4_WIDTHS)
def test_four_initiatives_fit_an_a4_page_when_printed(
    browser, live_server, real_content, orientation
):
    busiest = Initiative.objects.annotate(
        related=Count("partners", distinct=True) + Count("sources", distinct=True)
    ).order_by("-related", "pk")[:4]
    slugs = ",".join(initiative.slug for initiative in busiest)
    viewport = {"width": A4_WIDTHS[orientation], "height": 1000}
    for page in open_page(browser, live_server, viewport=viewport):
        page.emulate_media(media="print")
        page.goto(f"/initiatives/compare/?items={slugs}")

        table_width = page.locator(".compare-table").evaluate("table => table.scrollWidth")
        assert table_width <= A4_WIDTHS[orientation]
        assert page_width(page) <= A4_WIDTHS[orientation]
        expect(page.locator(".compare-actions")).to_be_hidden()


def test_the_chinese_comparison_is_clean_too(page, real_content):
    page.goto(
        "/zh-hant/initiatives/compare/?items=hkchat,ai-supercomputing-centre,ai-subsidy-scheme"
    )

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator(".compare-table thead th")).to_have_count(3)
    assert_axe_clean(page)


# Four funding schemes of the real content: a founder's comparison (issue #21).
SCHEMES = (
    "ai-subsidy-scheme",
    "raise-plus",
    "frontier-technology-research-support-scheme",
    "ai-for-science-education-funding",
)
SCHEME_ROWS = ["Amount", "Who may apply", "How to apply", "Application window", "Applications"]


@pytest.mark.parametrize("width", [390, 1366])
def test_funding_schemes_compare_on_their_terms(browser, live_server, real_content, width):
    screen = PHONE if width == 390 else {"viewport": {"width": width, "height": 900}}
    for page in open_page(browser, live_server, **screen):
        page.goto(f"/initiatives/compare/?items={','.join(SCHEMES)}")

        rows = page.locator(".compare-table tbody th[scope=row]").all_inner_texts()
        assert rows[0] == "Summary", rows
        assert [row for row in rows if row in SCHEME_ROWS] == SCHEME_ROWS, rows
        amount = page.locator(".compare-table tbody tr", has_text="Amount").first
        expect(amount.locator("td").first).to_contain_text("HK$3,000,000,000")
        who = page.locator(".compare-table tbody tr", has_text="Who may apply").first
        expect(who.locator("td").nth(1)).to_have_text("Universities")
        # The page never scrolls sideways; the table scrolls in its own box.
        assert page_width(page) <= width, f"the page is {page_width(page)} px wide"
        assert_axe_clean(page)
