"""The finder pages as a reader uses them, on the real content, in Chromium.

What each page should list is worked out from the database directly, not through
portal/filters.py, so these tests check the filters rather than repeat them.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q

from portal.models import Article, Initiative, Milestone, Sector
from tests.browser import PlaywrightTimeoutError, expect

pytestmark = pytest.mark.browser

PAGE_SIZE = 20
SEED_ARTICLE = "Hong Kong’s Ascendance in the AI Landscape"

# Each finder page and, from the database, everything it lists with no filter applied.
FINDERS = {
    "/initiatives/": lambda: Initiative.objects.all(),
    "/articles/": lambda: Article.objects.published(),
}


def shows_number(n):
    """A pattern for text that shows the number n (not as part of a larger number)."""
    return re.compile(rf"(^|\D){n}(\D|$)")


def query(url):
    return parse_qs(urlsplit(url).query)


def listed(page, finder_url):
    """Return the paths of the items the page lists: its links to the finder's detail pages."""
    paths = page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)")
    return {path for path in paths if path.startswith(finder_url) and path != finder_url}


def paths(items):
    return {item.get_absolute_url() for item in items}


def narrowing_sector(items):
    """Return (sector, the items it keeps): the sector filter keeping the most items that fit
    on one page, short of all of them."""
    total = items.count()
    candidates = []
    for sector in Sector.objects.all():
        kept = list(items.filter(sectors=sector).distinct())
        if 0 < len(kept) < total and len(kept) <= PAGE_SIZE:
            candidates.append((len(kept), sector.pk, sector, kept))
    assert candidates, "no sector filter narrows this list: the fixtures have changed"
    _, _, sector, kept = max(candidates)
    return sector, kept


def option(page, name, value):
    """The filter form's checkbox or radio button for name=value."""
    return page.locator(f'#filters input[name="{name}"][value="{value}"]')


def choose(page, name, value, *, javascript=True):
    """Tick a filter option as a reader does, and wait until the page shows its results.

    Without JavaScript the reader then presses "Apply filters". With it the page may refresh
    its results in place; if the address hasn't taken the choice within 2 s, the reader
    presses the button all the same.
    """
    option(page, name, value).check()

    def chosen(url):
        return value in query(url).get(name, [])

    if javascript:
        try:
            page.wait_for_url(chosen, timeout=2000)
            return
        except PlaywrightTimeoutError:
            pass
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(chosen)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("finder_url", FINDERS)
def test_ticking_a_filter_option_narrows_the_list_and_updates_the_count(
    page, real_content, finder_url, javascript
):
    items = FINDERS[finder_url]()
    sector, kept = narrowing_sector(items)
    count = page.locator("#result-count")
    page.goto(finder_url)
    expect(count).to_have_text(shows_number(items.count()))

    choose(page, "sector", sector.slug, javascript=javascript)

    expect(count).to_have_text(shows_number(len(kept)))
    expect(count).to_have_attribute("aria-live", "polite")
    assert listed(page, finder_url) == paths(kept)
    expect(option(page, "sector", sector.slug)).to_be_checked()


def test_a_result_count_refreshed_in_place_stays_the_same_live_region(page, real_content):
    """Screen readers announce changes inside a live region they already know; a region
    swapped in with new results is new to them and stays silent. A full page load is fine."""
    sector, _ = narrowing_sector(Initiative.objects.all())
    page.goto("/initiatives/")
    page.evaluate("() => { window.countBefore = document.getElementById('result-count'); }")

    choose(page, "sector", sector.slug)

    reloaded, same_region = page.evaluate(
        """() => [window.countBefore === undefined,
                  window.countBefore === document.getElementById('result-count')]"""
    )
    assert reloaded or same_region, (
        "the results were refreshed in place, but #result-count was replaced by a new "
        "element, so screen readers won't announce the new count: update its text instead"
    )


def test_a_chip_removes_its_filter_and_keeps_the_others(page, real_content):
    active = Initiative.objects.filter(status=Initiative.Status.ACTIVE)
    sector, _ = narrowing_sector(active)
    page.goto(f"/initiatives/?sector={sector.slug}&status=active")
    chip = page.locator("#active-filters").get_by_role(
        "link", name=re.compile(rf"^Remove filter: .*{re.escape(sector.name)}")
    )

    chip.click()
    page.wait_for_url(lambda url: "sector" not in query(url))

    assert query(page.url) == {"status": ["active"]}
    expect(page.locator("#result-count")).to_have_text(shows_number(active.count()))
    expect(chip).to_have_count(0)
    expect(option(page, "sector", sector.slug)).not_to_be_checked()
    assert listed(page, "/initiatives/") <= paths(active)


def test_the_next_page_keeps_the_filters(page, real_content):
    total = Initiative.objects.count()
    status = max(Initiative.Status, key=lambda s: Initiative.objects.filter(status=s).count())
    matching = Initiative.objects.filter(status=status)
    assert PAGE_SIZE < matching.count() < total, "the fixtures no longer fill two filtered pages"
    page.goto(f"/initiatives/?status={status}")
    first_page = listed(page, "/initiatives/")

    page.locator('a[rel="next"]').click()
    page.wait_for_url(lambda url: query(url).get("page") == ["2"])

    assert query(page.url)["status"] == [status]
    expect(page.locator("#result-count")).to_have_text(shows_number(matching.count()))
    assert len(first_page) == PAGE_SIZE
    assert first_page | listed(page, "/initiatives/") == paths(matching)


def test_site_search_finds_a_seed_article(page, real_content):
    page.goto("/")

    search_box = page.get_by_role("search").get_by_role("searchbox")
    search_box.fill("ascendance")
    search_box.press("Enter")

    page.wait_for_url(lambda url: urlsplit(url).path == "/search/")
    assert query(page.url)["q"] == ["ascendance"]
    expect(page.get_by_role("link", name=SEED_ARTICLE)).to_be_visible()


def test_home_page_chart_draws_bars_and_has_a_text_alternative(page, real_content):
    page.goto("/")

    # A group of links (one per bar, to the timeline of its year), not an image.
    chart = page.locator('svg[role="document"]')
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile(r"\w"))
    bars = chart.locator("rect.chart-bar")
    assert bars.count() > 0
    expect(bars.first).to_be_visible()
    links = chart.get_by_role("link")
    assert links.count() == bars.count()
    expect(links.first).to_have_accessible_name(re.compile(r"^\d{4}: \d+ initiatives? started"))


@pytest.fixture
def long_facet(transactional_db):
    """24 initiatives mentioned by articles (the most by the last), so the article finder's
    initiative facet shows only its top ten."""
    from tests.factories import make_article, make_initiative

    initiatives = [make_initiative(name=f"Scheme {n:02}") for n in range(24)]
    for n, initiative in enumerate(initiatives):
        for _ in range(1 + n // 4):
            make_article().initiatives.add(initiative)
    return initiatives


def test_typing_in_a_long_facet_finds_options_beyond_the_top_ten(page, long_facet):
    rare = long_facet[1]  # Mentioned once: not among the ten shown.
    page.goto("/articles/")
    expect(option(page, "initiative", rare.slug)).to_have_count(0)
    page.get_by_label("Find a value of “Initiative”").fill("Scheme 01")
    expect(option(page, "initiative", rare.slug)).to_be_visible()
    expect(option(page, "initiative", long_facet[23].slug)).to_be_hidden()
    choose(page, "initiative", rare.slug)
    expect(page.locator("#result-count")).to_have_text(shows_number(1))


@pytest.mark.parametrize("javascript", [False], ids=["no-js"])
def test_without_javascript_a_link_shows_the_rest_of_a_long_facet(page, long_facet, javascript):
    page.goto("/articles/")
    expect(page.get_by_label("Find a value of “Initiative”")).to_be_hidden()
    page.get_by_role("link", name="Show 14 more options of “Initiative”").click()
    expect(option(page, "initiative", long_facet[1].slug)).to_be_visible()
    choose(page, "initiative", long_facet[1].slug, javascript=False)
    expect(page.locator("#result-count")).to_have_text(shows_number(1))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_timeline_asks_for_years_first_and_filters_by_kind_of_actor(
    page, real_content, javascript
):
    """The year range is in the first screenful of the filter column (it was some 3,300 px
    down, after every facet), and ticking a kind of actor lists the milestones that name
    an organisation of that kind or an initiative that one leads."""
    page.goto("/timeline/")
    field = page.locator("#id_from").bounding_box()
    assert field["y"] < page.viewport_size["height"], field
    boxes = [
        page.locator(f"#facet-{name}").bounding_box()["y"]
        for name in ("kind", "actor_kind", "sector", "initiative", "organisation")
    ]
    assert field["y"] < boxes[0] and boxes == sorted(boxes)

    universities = Milestone.objects.filter(
        Q(organisations__kind="university") | Q(initiatives__lead_organisation__kind="university")
    ).distinct()
    assert 0 < universities.count() < min(Milestone.objects.count(), PAGE_SIZE)
    choose(page, "actor_kind", "university", javascript=javascript)
    expect(page.locator("#result-count")).to_have_text(shows_number(universities.count()))
    assert listed(page, "/timeline/") == {m.get_absolute_url() for m in universities}
