"""Every page type, on the real content, in Chromium: it shows its heading and axe finds nothing.

For each detail page the item with the most related content is chosen, so that as much of
the template as possible is on the page that axe checks.
"""

import pytest
from django.db.models import Count
from django.utils import translation

from portal.models import Article, Correction, Initiative, Milestone, Organisation, Sector
from portal.reference.versions import latest_version_id
from tests.browser import assert_no_axe_violations, expect

pytestmark = pytest.mark.browser


def richest(queryset, *relations):
    """Return the item of the queryset with the most related rows across the relations."""
    counts = {f"n_{name}": Count(name, distinct=True) for name in relations}
    queryset = queryset.annotate(**counts).order_by(*[f"-{name}" for name in counts], "pk")
    return queryset.first()


def busiest_sector():
    return richest(Sector.objects.all(), "initiatives")


def corrected(model):
    """The richest item of `model`, given a correction in both languages (issue #20)."""
    item = richest(model.objects.all(), "sources")
    Correction.objects.create(
        **{model.public.name: item},
        field="summary_en",
        text_en="An earlier version named the wrong lead organisation.",
        text_zh_hant="先前版本所列的牽頭機構有誤。",
    )
    return item


def updates_of(model):
    """The address of the updates ("See all updates") of `model`'s richest item."""
    item = richest(model.objects.all(), "sources")
    return item.get_absolute_url() + "changes/"


def old_version(model):
    """The permanent address of the newest version of `model`'s richest item."""
    item = richest(model.objects.all(), "sources")
    return f"{item.get_absolute_url()}v/{latest_version_id(item)}/"


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
    # Each source with what cites it; a long facet (publishers) and a chosen type.
    "sources": lambda: "/sources/",
    "sources-filtered": lambda: "/sources/?publisher_type=government",
    "sources-chinese": lambda: "/zh-hant/sources/?publisher_type=university",
    "search": lambda: "/search/?q=ai",
    "data": lambda: "/data/",
    "changes": lambda: "/changes/",
    "article": lambda: richest(Article.objects.published(), "sectors", "initiatives", "sources"),
    "initiative": lambda: richest(
        Initiative.objects.all(), "partners", "sectors", "sources", "articles"
    ),
    "organisation": lambda: richest(
        Organisation.objects.all(), "children", "led_initiatives", "sectors", "sources"
    ),
    # "Part of" its parent, beside the other facts.
    "organisation-part-of": lambda: richest(
        Organisation.objects.filter(parent__isnull=False), "led_initiatives", "sources"
    ),
    "sector": lambda: richest(Sector.objects.all(), "initiatives", "organisations", "articles"),
    # Footnotes: references, the labelled notes section and its links to the source list.
    "initiative-with-notes": lambda: footnoted(Initiative),
    "organisation-with-notes": lambda: footnoted(Organisation),
    "timeline": lambda: "/timeline/",
    # A year range with chips, and the explanation of a range that ends before it starts.
    "timeline-filtered": lambda: "/timeline/?from=2024&to=2025&kind=regulation",
    "timeline-bad-range": lambda: "/timeline/?from=2025&to=2020",
    "milestone": lambda: richest(
        Milestone.objects.all(), "initiatives", "organisations", "sectors", "sources"
    ),
    # Issue #20: a correction at the top of a page, the list of corrections, a record's
    # updates and a version's permanent address.
    "initiative-corrected": lambda: corrected(Initiative),
    "corrections": lambda: corrected(Organisation) and "/corrections/",
    "record-updates": lambda: updates_of(Initiative),
    "version": lambda: old_version(Initiative),
}


def footnoted(model):
    """The item of `model` whose English description cites the most footnotes."""
    items = model.objects.filter(description_en__contains="[^")
    return max(items, key=lambda item: (item.description_en.count("[^"), -item.pk))


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


def test_a_footnote_leads_to_its_note_the_source_list_and_back(page, real_content):
    initiative = footnoted(Initiative)
    page.goto(initiative.get_absolute_url())
    reference = page.locator("sup.footnote-ref a").first
    expect(reference).to_have_attribute("aria-describedby", "notes-description")

    reference.click()
    note = page.locator("#fn-description-1")
    expect(note).to_be_in_viewport()
    source_entry = note.locator('a[href^="#source-"]')
    entry_id = source_entry.get_attribute("href")[1:]
    expect(page.locator(f"li#{entry_id}")).to_have_count(1)

    note.locator("a.footnote-backref").first.click()
    expect(page.locator("#fnref-description-1")).to_be_in_viewport()


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
    page.wait_for_url(f"**/timeline/?from={year}&to={year}")
    expect(page.locator("h1")).to_have_text("Timeline")
