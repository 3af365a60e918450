"""Every page type, on the real content, in Chromium: it shows its heading and axe finds nothing.

For each detail page the item with the most related content is chosen, so that as much of
the template as possible is on the page that axe checks.
"""

import pytest
from django.utils import translation

from tests.browser import assert_no_axe_violations, expect
from tests.page_types import PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_type", PAGES)
def test_page_shows_one_h1_and_has_no_axe_violations(page, real_content, page_type):
    target = PAGES[page_type]()
    url = target if isinstance(target, str) else target.get_absolute_url()

    response = page.goto(url)

    assert response.status == 200, f"{url} answered {response.status}"
    h1 = page.locator("h1")
    expect(h1).to_have_count(1)
    expect(h1).to_be_visible()
    if not isinstance(target, str):
        expect(h1).to_contain_text(str(target))
    assert_no_axe_violations(page)


@pytest.mark.parametrize("url", ["/", "/initiatives/", "/timeline/"])
def test_page_fits_a_phone_screen_without_sideways_scrolling(phone_page, real_content, url):
    phone_page.goto(url)

    # Not window.innerWidth: on a phone the layout viewport grows to fit content that
    # overflows (or to 980 px without a meta viewport), so compare with the screen itself.
    screen_width = phone_page.viewport_size["width"]
    page_width, sticking_out = phone_page.evaluate(
        """(screenWidth) => [
            document.documentElement.scrollWidth,
            [...document.body.querySelectorAll("*")]
                .filter((element) => element.getBoundingClientRect().right > screenWidth + 0.5)
                .slice(0, 5)
                .map((element) => element.outerHTML.slice(0, 120)),
        ]""",
        screen_width,
    )
    assert page_width <= screen_width, (
        f"{url} is {page_width} px wide on a {screen_width} px phone screen; "
        f"elements sticking out: {sticking_out}"
    )


# The Chinese edition shares every template with the English one; these page types cover
# each of them at least once (home, finder with filters, search, the detail templates).
CHINESE_PAGE_TYPES = [
    "home",
    "data",
    "initiatives-filtered",
    "search",
    "changes",
    "article",
    "initiative",
    "organisation",
    "organisation-part-of",
    "sector",
    "timeline",
    "milestone",
    "initiative-corrected",
    "corrections",
    "record-updates",
    "version",
]


@pytest.mark.parametrize("page_type", CHINESE_PAGE_TYPES)
def test_chinese_page_declares_its_language_and_has_no_axe_violations(
    page, real_content, page_type
):
    target = PAGES[page_type]()
    with translation.override("zh-hant"):
        url = f"/zh-hant{target}" if isinstance(target, str) else target.get_absolute_url()

    response = page.goto(url)

    assert response.status == 200, f"{url} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_data_page_with_every_column_list_open_has_no_axe_violations(page, real_content, language):
    page.goto(f"{language}/data/")
    summaries = page.locator("details > summary")
    assert summaries.count() >= 5
    for index in range(summaries.count()):
        summaries.nth(index).click()
    expect(page.locator("details[open] table").first).to_be_visible()
    assert_no_axe_violations(page)


def test_home_chart_bars_are_links_a_keyboard_reaches(page, real_content):
    page.goto("/")
    bar = page.locator(".chart-bars a").first
    label = bar.get_attribute("aria-label")
    year = label.split(":")[0]
    bar.focus()
    expect(bar).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/initiatives/?started_from={year}&started_to={year}")
    expect(page.locator("h1")).to_have_text("Initiatives")
    # The list shows as many initiatives as the bar counted.
    count = int(label.split(":")[1].split()[0])
    expect(page.locator("#result-count")).to_contain_text(str(count))
