"""`manage.py check_sources`: against a local server only (never the internet), what it stores
per source, how it treats robots.txt, redirects, missing pages and slow answers; the admin's
filter by result and the public list's mark on a page that is gone."""

import datetime
import http.server
import threading
import time
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from portal.models import Source
from portal.reference.linkcheck import USER_AGENT, check_addresses
from tests.factories import make_source

R = Source.CheckResult
SLOW_SECONDS = 1.5  # the slow page's wait; the checks below time out after 0.5 s


class Handler(http.server.BaseHTTPRequestHandler):
    """A small site: a page, a page that moved, a missing one, a slow one, one that fails,
    and a robots.txt that disallows /private/. Records each request's path and user agent."""

    requests = []

    def do_GET(self):
        type(self).requests.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/robots.txt":
            return self._answer(200, b"User-agent: *\nDisallow: /private/\n")
        if self.path in ("/page", "/private/page", "/new"):
            return self._answer(200, b"<title>A page</title>")
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self._answer(200, b"late")
        if self.path == "/broken":
            return self._answer(500, b"oops")
        if self.path == "/removed":
            return self._answer(410, b"gone")
        return self._answer(404, b"not here")

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


class LocalSite:
    """The Handler's site on 127.0.0.1, in a thread, for the duration of a test class."""

    def __enter__(self):
        Handler.requests = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class CheckAddressesTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = LocalSite()
        cls.base = cls.site.__enter__()
        cls.addClassCleanup(cls.site.__exit__, None, None, None)

    def check(self, *paths):
        urls = [f"{self.base}{path}" for path in paths]
        outcomes = check_addresses(urls, timeout=0.5, delay=0)
        return [outcomes[url] for url in urls]

    def test_each_kind_of_answer_has_its_result(self):
        page, old, missing, removed, broken = self.check(
            "/page", "/old", "/missing", "/removed", "/broken"
        )
        self.assertEqual((page.result, page.status, page.final_url), (R.OK, 200, ""))
        self.assertEqual((old.result, old.status), (R.MOVED, 200))
        self.assertEqual(old.final_url, f"{self.base}/new")
        self.assertEqual((missing.result, missing.status), (R.GONE, 404))
        self.assertEqual((removed.result, removed.status), (R.GONE, 410))
        self.assertEqual((broken.result, broken.status), (R.FAILED, 500))

    def test_a_slow_page_times_out(self):
        started = time.monotonic()
        (slow,) = self.check("/slow")
        self.assertEqual(
            (slow.result, slow.status, slow.reason), (R.UNREACHABLE, None, "timed out")
        )
        self.assertLess(time.monotonic() - started, SLOW_SECONDS)

    def test_robots_txt_is_read_once_per_site_and_obeyed(self):
        Handler.requests = []
        private, page = self.check("/private/page", "/page")
        self.assertEqual(private.result, R.DISALLOWED)
        self.assertEqual(page.result, R.OK)
        paths = [path for path, _agent in Handler.requests]
        self.assertEqual(paths, ["/robots.txt", "/page"])  # the disallowed page: never fetched
        self.assertEqual({agent for _path, agent in Handler.requests}, {USER_AGENT})

    def test_one_site_is_fetched_one_request_at_a_time_with_the_delay_between(self):
        started = time.monotonic()
        self.check("/page", "/new", "/missing")
        # Two gaps of 0.3 s between three requests to the same site, whatever the concurrency.
        outcomes = check_addresses(
            [f"{self.base}/page", f"{self.base}/new", f"{self.base}/missing"],
            timeout=0.5,
            delay=0.3,
            concurrency=4,
        )
        self.assertEqual(len(outcomes), 3)
        self.assertGreaterEqual(time.monotonic() - started, 0.6)

    def test_an_address_nothing_answers_is_unreachable(self):
        with LocalSite() as base:
            pass  # the server is gone: nothing listens on its port any more
        outcome = check_addresses([f"{base}/page"], timeout=0.5, delay=0)[f"{base}/page"]
        self.assertEqual(outcome.result, R.UNREACHABLE)


class CheckSourcesCommandTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = LocalSite()
        cls.base = cls.site.__enter__()
        cls.addClassCleanup(cls.site.__exit__, None, None, None)

    def setUp(self):
        self.page = make_source(url=f"{self.base}/page", title="A page")
        self.old = make_source(url=f"{self.base}/old", title="Moved page")
        self.gone = make_source(
            url=f"{self.base}/missing",
            title="Missing page",
            archive_url="https://web.archive.org/web/2026/https://example.org/missing",
        )

    def run_command(self, *args):
        out = StringIO()
        call_command("check_sources", "--timeout", "0.5", "--delay", "0", *args, stdout=out)
        return out.getvalue()

    def test_stores_each_result_with_its_date_status_and_redirect(self):
        output = self.run_command()
        self.page.refresh_from_db()
        self.old.refresh_from_db()
        self.gone.refresh_from_db()
        self.assertEqual((self.page.check_result, self.page.check_status), (R.OK, 200))
        self.assertEqual(
            (self.old.check_result, self.old.check_final_url), (R.MOVED, f"{self.base}/new")
        )
        self.assertEqual((self.gone.check_result, self.gone.check_status), (R.GONE, 404))
        self.assertLess(timezone.now() - self.page.checked_at, datetime.timedelta(minutes=1))
        self.assertIn(f"Gone (404 or 410) {self.base}/missing HTTP 404", output)
        self.assertIn("Checked 3.", output)

    def test_dry_run_stores_nothing(self):
        output = self.run_command("--dry-run")
        self.assertIn("dry run", output)
        self.assertFalse(Source.objects.exclude(checked_at=None).exists())

    def test_only_the_given_addresses_or_those_not_checked_lately(self):
        self.run_command(self.page.url)
        self.assertEqual(list(Source.objects.exclude(checked_at=None)), [self.page])
        output = self.run_command("--older-than", "7")
        self.assertIn("Checking 2 source address(es)", output)

    def test_an_address_no_source_has_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "No source has the address"):
            self.run_command("https://example.org/unknown")

    def test_the_public_list_marks_a_gone_page_and_links_its_archived_copy(self):
        self.run_command()
        response = self.client.get("/sources/")
        self.assertContains(response, "page gone when checked on", count=1)
        self.assertContains(
            response,
            '<a href="https://web.archive.org/web/2026/https://example.org/missing">'
            "archived copy</a>",
        )

    def test_the_admin_filters_sources_by_result(self):
        self.run_command()
        admin = get_user_model().objects.create_superuser("admin", "a@example.org", "x")
        self.client.force_login(admin)
        response = self.client.get("/admin/portal/source/?check_result__exact=gone")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["cl"].result_list), [self.gone])
        form = self.client.get(f"/admin/portal/source/{self.gone.pk}/change/")
        self.assertContains(form, "Gone (404 or 410)")
