"""Fixtures for the browser tests: one Chromium per session, a fresh page per test.

Pages come from pytest-django's `live_server`, a real server in a thread. A test that uses it
gets a transactional database (emptied after each test, not rolled back), so content a test
needs is created inside the test or a function-scoped fixture such as `real_content`.
"""

import io

import pytest
from django.core.management import call_command

from tests.browser import (
    FIXTURE_FILES,
    launch_chromium,
    sync_playwright,
    why_browser_tests_cannot_run,
)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; skips the test when there is none."""
    reason = why_browser_tests_cannot_run()
    if reason:
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio event loop marked as running in this thread from
    # start to stop, so Django's async-safety guard would refuse every query made here (by
    # the tests and by pytest-django's flush), though none runs inside that loop. Lifted only
    # while Playwright runs. https://docs.djangoproject.com/en/stable/topics/async/#async-safety
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            yield browser
            browser.close()


@pytest.fixture(autouse=True)
def site_on_live_server(request, settings):
    """A test that uses the live server gets it as the site's own address (SITE_URL, so
    links stay on it) and its host and port as an accepted Host header."""
    if "live_server" in request.fixturenames:
        serve_site_from(request.getfixturevalue("live_server"), settings)


def serve_site_from(live_server, settings):
    """Make `live_server` the site's address. Also called by the page fixtures: a test may
    ask for one of them only while it runs (request.getfixturevalue), after the autouse
    fixture above has looked at its fixture names."""
    url = live_server.url
    settings.SITE_URL = url
    host = url.split("://", 1)[1]
    if host not in settings.HOST_HEADERS:
        settings.HOST_HEADERS = [*settings.HOST_HEADERS, host]


def open_page(browser, live_server, **context_options):
    """Yield a page in a new browser context whose relative URLs go to the live server.

    Fails the test at teardown if the page threw an uncaught JavaScript error.
    """
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert not errors, f"Uncaught JavaScript error(s): {errors}"


@pytest.fixture
def javascript():
    """Whether `page` runs JavaScript. Parametrize a test on it to check pages both ways."""
    return True


@pytest.fixture
def page(browser, live_server, settings, javascript):
    """A desktop-sized page (1280x800); `page.goto("/")` opens the live server's home page."""
    serve_site_from(live_server, settings)
    yield from open_page(browser, live_server, viewport=DESKTOP, java_script_enabled=javascript)


@pytest.fixture
def phone_page(browser, live_server, settings):
    """A page as a 390x844 phone shows it: touch, and the page's meta viewport applies."""
    serve_site_from(live_server, settings)
    yield from open_page(browser, live_server, **PHONE)


@pytest.fixture
def real_content(transactional_db):
    """Import the portal's real content (fixtures/*.json) into the test database."""
    call_command("import_content", *FIXTURE_FILES, stdout=io.StringIO())
