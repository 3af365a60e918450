"""Site basics in Chromium: the 404 and 500 pages on a phone and a desktop, the About page,
breadcrumbs, and what the print stylesheet leaves on paper."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.browser import Axe, assert_no_axe_violations, expect
from tests.browser.conftest import DESKTOP, PHONE, open_page
from tests.factories import make_initiative, make_organisation, make_source

pytestmark = pytest.mark.browser

# Besides the shared WCAG run, axe's best practices, among them landmark-unique: two
# navigation landmarks (the header's language switch and the footer's) need different names.
BEST_PRACTICE = {"runOnly": {"type": "tag", "values": ["best-practice"]}}


@pytest.fixture(params=["phone", "desktop"])
def any_page(request, browser, live_server):
    """A page at 390 px (a phone) and at 1280 px (a desktop)."""
    options = PHONE if request.param == "phone" else {"viewport": DESKTOP}
    yield from open_page(browser, live_server, **options)


def assert_no_best_practice_violations(page):
    violations = Axe().run(page, options=BEST_PRACTICE).response["violations"]
    assert not violations, [(v["id"], [node["target"] for node in v["nodes"]]) for v in violations]


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_the_404_page_has_the_header_search_and_language_switch(
    any_page, transactional_db, language
):
    response = any_page.goto(f"{language}/no-such-page/")

    assert response.status == 404
    assert "no-store" in response.headers["cache-control"]
    expect(any_page.locator("h1")).to_have_count(1)
    expect(any_page.locator("h1")).to_be_visible()
    expect(any_page.locator("header.site-header .site-name")).to_be_visible()
    expect(any_page.locator("#site-search-q")).to_be_attached()
    other = "/zh-hant/no-such-page/" if not language else "/no-such-page/"
    switch = any_page.locator(".language-switcher a")
    expect(switch).to_have_attribute("href", re.compile(rf"^http://[^/]+{re.escape(other)}$"))
    assert_no_axe_violations(any_page)
    assert_no_best_practice_violations(any_page)


def test_the_404_search_finds_what_the_address_named(page, transactional_db):
    make_initiative(name="Inno Lab", slug="inno-lab")
    page.goto("/initiatives/inno-labs/")

    page.get_by_role("button", name="Search").last.click()

    page.wait_for_url("**/search/?q=inno+labs")
    expect(page.locator("h1")).to_have_count(1)


def test_the_language_switch_on_a_404_page_leads_to_the_same_path(page, transactional_db):
    page.goto("/no-such-page/")

    page.get_by_role("navigation", name="Language", exact=True).get_by_role("link").click()

    page.wait_for_url("**/zh-hant/no-such-page/")
    expect(page.locator("h1")).to_have_text("找不到網頁")


def test_the_500_page_has_the_header_and_no_axe_violations(page, transactional_db):
    # The live server runs in a thread of this process: every cursor fails there too.
    with mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("server closed the connection")
    ):
        response = page.goto("/zh-hant/initiatives/")

    assert response.status == 500
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    expect(page.locator("#site-search-q")).to_be_attached()
    assert_no_axe_violations(page)
    assert_no_best_practice_violations(page)


@pytest.mark.parametrize("url", ["/about/", "/zh-hant/about/"])
def test_the_about_page_has_no_axe_violations(any_page, transactional_db, url):
    any_page.goto(url)

    expect(any_page.locator("h1")).to_have_count(1)
    expect(any_page.locator('a[href^="mailto:"]')).to_have_count(1)
    assert_no_axe_violations(any_page)
    assert_no_best_practice_violations(any_page)


@pytest.fixture
def initiative(transactional_db):
    lead = make_organisation(name="Hospital Authority", slug="ha")
    initiative = make_initiative(
        name="AI Lab",
        slug="ai-lab",
        lead_organisation=lead,
        description="It opened in 2024.[^s]\n\n[^s]: https://example.org/lab",
    )
    initiative.sources.add(make_source(url="https://example.org/lab", title="The lab"))
    return initiative


def test_breadcrumbs_lead_back_and_mark_the_current_page(page, initiative):
    page.goto("/initiatives/ai-lab/")

    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.get_by_role("listitem")).to_have_count(3)
    expect(trail.locator('[aria-current="page"]')).to_have_text("AI Lab")
    assert_no_axe_violations(page)
    assert_no_best_practice_violations(page)
    trail.get_by_role("link", name="Initiatives").click()
    page.wait_for_url("**/initiatives/")


def test_printing_hides_navigation_and_shows_where_outside_links_go(page, initiative):
    page.goto("/initiatives/ai-lab/")
    expect(page.locator("nav.site-nav")).to_be_visible()

    page.emulate_media(media="print")

    for selector in ["nav.site-nav", ".site-search", ".breadcrumbs", ".footer-nav"]:
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    # The source's own link, not the lettered links back to where it is cited.
    source_link = page.locator('.source-list a[href^="http"]').first
    after = source_link.evaluate("(link) => getComputedStyle(link, '::after').content")
    assert after == '" (https://example.org/lab)"', after
    colour = page.locator("body").evaluate("(body) => getComputedStyle(body).color")
    assert colour == "rgb(0, 0, 0)"
