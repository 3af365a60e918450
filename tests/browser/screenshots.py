"""Take the README's screenshots: `.venv/bin/python -m tests.browser.screenshots`.

Serves the real content (fixtures/*.json) from a throwaway SQLite database, so neither
db.sqlite3 nor DATABASE_URL is touched, and saves each page below as it looks in Debian's
headless Chromium to docs/screenshots/: 1280 px wide and full length, or a phone's first
screen. Not a test: the suite never writes into the checkout.
"""

import io
import os
import tempfile
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

from tests.browser import FIXTURE_FILES, launch_chromium, sync_playwright
from tests.browser.conftest import PHONE

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "screenshots"

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
WIDE = {"viewport": {"width": 1366, "height": 900}}
FUNDING_SCHEMES = (
    "ai-subsidy-scheme",
    "raise-plus",
    "frontier-technology-research-support-scheme",
    "ai-for-science-education-funding",
)

# File name -> (the page it shows, the browser context's options, whether the whole page).
SCREENSHOTS = {
    "home.png": ("/", DESKTOP, True),
    # The home page in both languages on a 1366 px laptop and a 390 px phone (issue #21).
    "home-en-laptop.png": ("/", WIDE, True),
    "home-en-phone.png": ("/", PHONE, True),
    "home-zh-laptop.png": ("/zh-hant/", WIDE, True),
    "home-zh-phone.png": ("/zh-hant/", PHONE, True),
    # The test of a finder: every initiative in a sector active in a given year.
    "initiatives-filtered.png": ("/initiatives/?sector=healthcare&active_in=2025", DESKTOP, True),
    # A phone's first screen: the count and the first results, the filters folded above them.
    "phone-finder.png": ("/initiatives/?sector=healthcare&active_in=2025", PHONE, False),
    # Who works with whom: every organisation and initiative and the links between them.
    "network.png": ("/network/", DESKTOP, True),
    # Three kinds side by side: a research centre, a computing facility and the scheme that
    # subsidises use of that facility.
    "compare.png": (
        "/initiatives/compare/?items=hkchat,ai-supercomputing-centre,ai-subsidy-scheme",
        DESKTOP,
        True,
    ),
    # A founder's comparison: four funding schemes on their terms (issue #21), on a 1366 px
    # screen and a phone.
    "compare-schemes.png": (f"/initiatives/compare/?items={','.join(FUNDING_SCHEMES)}", WIDE, True),
    "phone-compare-schemes.png": (
        f"/initiatives/compare/?items={','.join(FUNDING_SCHEMES)}",
        PHONE,
        True,
    ),
}


# The admin's dashboard (issue #20) at 1366 px, signed in as an Editor who has just made a
# draft copy of one article and scheduled a copy of another: the throwaway database's only
# changes to the real content.
# Taken signed in (editor_session); "{in_review}" is the article an Editor submitted for review.
ADMIN_SCREENSHOTS = {
    "admin-dashboard.png": ("/admin/", WIDE, True),
    # The publishing control as a Publisher sees an article submitted for review (issue #20).
    "admin-publishing-control.png": ("/admin/portal/article/{in_review}/change/", WIDE, False),
}
# A public page with a correction at its top (issue #20); the correction is added by
# editor_session and says it is an example.
CORRECTION_SCREENSHOT = {"correction.png": ("/initiatives/{corrected}/", WIDE, False)}


def editor_session():
    """Make an Editor with a draft and a scheduled copy of the two oldest articles, saved as
    the admin's "Duplicate as draft" action saves them, and a third copy submitted for review;
    make a Publisher, and an example correction on one initiative. Return the Editor's and the
    Publisher's session cookies and {name: value} for the screenshots' addresses."""
    import datetime

    import reversion
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from portal.models import Article, Correction, Initiative

    call_command("setup_roles", stdout=io.StringIO())
    users = get_user_model().objects
    editor = users.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    publisher = users.create_user("publisher", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publisher"))
    first, second, third = Article.objects.order_by("publish_at")[:3]
    with reversion.create_revision():
        reversion.set_user(editor)
        first.duplicate_as_draft()
        scheduled = second.duplicate_as_draft()
        scheduled.status = Article.Status.PUBLISHED
        scheduled.publish_at = timezone.now() + datetime.timedelta(days=7)
        scheduled.save()
        in_review = third.duplicate_as_draft()
        in_review.status = Article.Status.IN_REVIEW
        in_review.submitted_by, in_review.submitted_at = editor, timezone.now()
        in_review.publish_at = None
        in_review.save()
    corrected = Initiative.objects.order_by("slug").first()
    Correction.objects.create(
        initiative=corrected,
        text_en="Example for the documentation: a correction says what an earlier version of "
        "the page stated and what it says now.",
    )
    sessions = {}
    for name, user in (("editor", editor), ("publisher", publisher)):
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies["sessionid"].value
    return sessions, {"in_review": in_review.pk, "corrected": corrected.slug}


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def serve_real_content(database_path):
    """Start a server with the real content in a new SQLite database; return its URL."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings_test")
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    call_command("import_content", *FIXTURE_FILES, stdout=io.StringIO())
    # The test settings don't collect static files; this serves them from static/ directly.
    server = make_server(
        "127.0.0.1", 0, StaticFilesHandler(get_wsgi_application()), handler_class=QuietHandler
    )
    # Hosts are taken only as written (portal.middleware.ExactHostMiddleware): the port is
    # known only now.
    from django.conf import settings

    settings.HOST_HEADERS = [*settings.HOST_HEADERS, f"127.0.0.1:{server.server_port}"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def main(only=None, suffix=""):
    """Save every screenshot (or those named in `only`), each name ending in `suffix`."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        base_url = serve_real_content(Path(directory) / "screenshots.sqlite3")
        # Before Playwright, whose event loop Django's async-safety guard would see.
        sessions, names = editor_session()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for name, (url, context_options, full_page) in {
                **SCREENSHOTS,
                **ADMIN_SCREENSHOTS,
                **CORRECTION_SCREENSHOT,
            }.items():
                if only and name not in only:
                    continue
                name = name.replace(".png", f"{suffix}.png")
                page = browser.new_page(**context_options)
                if name.startswith("admin-"):
                    # The dashboard is an Editor's; the publishing control a Publisher's.
                    who = "publisher" if "publishing" in name else "editor"
                    cookie = {"name": "sessionid", "value": sessions[who], "url": base_url}
                    page.context.add_cookies([cookie])
                url = url.format(**names)
                page.goto(base_url + url, wait_until="networkidle")
                page.screenshot(path=OUTPUT / name, full_page=full_page)
                page.close()
                print(f"Saved {(OUTPUT / name).relative_to(ROOT)} ({url})")
            browser.close()


if __name__ == "__main__":
    main()
