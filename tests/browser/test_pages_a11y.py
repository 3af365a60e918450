"""Every page type, on the real content, in Chromium: it shows its heading and axe finds nothing.

For each detail page the item with the most related content is chosen, so that as much of
the template as possible is on the page that axe checks.
"""

import pytest
from django.db.models import Count
from django.utils import translation

from portal.models import Article, Initiative, Organisation, Sector
from tests.browser import assert_no_axe_violations, expect

pytestmark = pytest.mark.browser


def richest(queryset, *relations):
    """Return the item of the queryset with the most related rows across the relations."""
    counts = {f"n_{name}": Count(name, distinct=True) for name in relations}
    queryset = queryset.annotate(**counts).order_by(*[f"-{name}" for name in counts], "pk")
    return queryset.first()


def busiest_sector():
    return richest(Sector.objects.all(), "initiatives")


# Each page type, and what to open: a URL, or an item whose page has its name in the h1.
PAGES = {
    "home": lambda: "/",
    "articles": lambda: "/articles/",
    "initiatives": lambda: "/initiatives/",
    # Active filters as chips, a "clear all" link, options that would give no results.
    "initiatives-filtered": lambda: f"/initiatives/?sector={busiest_sector().slug}&status=active",
    # The empty state, which says which filter to remove.
    "initiatives-no-results": lambda: f"/initiatives/?sector={busiest_sector().slug}&q=zzzx",
    "organisations": lambda: "/organisations/",
    "sectors": lambda: "/sectors/",
    "search": lambda: "/search/?q=ai",
    "changes": lambda: "/changes/",
    "article": lambda: richest(Article.objects.published(), "sectors", "initiatives", "sources"),
    "initiative": lambda: richest(
        Initiative.objects.all(), "partners", "sectors", "sources", "articles"
    ),
    "organisation": lambda: richest(
        Organisation.objects.all(), "led_initiatives", "sectors", "sources"
    ),
    "sector": lambda: richest(Sector.objects.all(), "initiatives", "organisations", "articles"),
}


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


@pytest.mark.parametrize("url", ["/", "/initiatives/"])
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
    "initiatives-filtered",
    "search",
    "changes",
    "article",
    "initiative",
    "organisation",
    "sector",
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
