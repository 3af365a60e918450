"""The page cache cannot be poisoned through the Host header (settings.SITE_URL,
portal.middleware.ExactHostMiddleware).

Absolute addresses come from SITE_URL, never from the request; a Host that is not written
exactly so in DJANGO_ALLOWED_HOSTS (another port, letter case, a trailing dot) is a 400; a
cached page's key holds the site's origin.
"""

import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client, TestCase, override_settings

from tests.factories import NOW, make_article, make_initiative, make_milestone, make_sector

SITE = "http://testserver"
# Names of formats and vocabularies, not addresses of this site.
VOCABULARIES = {
    "www.w3.org",
    "www.sitemaps.org",
    "schema.org",
    "specs.frictionlessdata.io",
    "datapackage.org",
    "creativecommons.org",
    "purl.org",
    "opendatacommons.org",
}
ABSOLUTE = re.compile(r"""https?://[^\s"'<>\\)]+""")

HOSTILE_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "31337",
    "Forwarded": "host=evil.example;proto=https",
}


def body(response):
    """The response's text, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def foreign_addresses(text):
    """The absolute addresses in `text` that are neither SITE's nor a known vocabulary's."""
    return sorted(
        {
            url
            for url in ABSOLUTE.findall(text)
            if urlsplit(url).hostname not in VOCABULARIES
            and not (url == SITE or url.startswith(SITE + "/"))
        }
    )


@time_machine.travel(NOW, tick=False)
@override_settings(
    PAGE_CACHE=True,
    CACHES={
        "default": {
            "BACKEND": "portal.caching.backends.FastFileBasedCache",
            "LOCATION": tempfile.mkdtemp(prefix="hkai-hosts-"),
        }
    },
)
class HostPoisoningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        sector = make_sector(name="Finance", slug="finance")
        cls.article = make_article(title="Harbour AI story", slug="harbour")
        cls.article.sectors.add(sector)
        make_initiative(name="Harbour Fund", slug="harbour-fund")
        make_milestone(title="Harbour milestone", slug="harbour-milestone")

    def setUp(self):
        cache.clear()

    def pages(self):
        article = self.article.get_absolute_url()
        return [
            "/",
            "/articles/",
            "/articles/?sector=finance",
            article,
            "/zh-hant" + article,
            article + "cite.ris",
            article + "cite.bib",
            article + "cite.json",
            "/articles.atom",
            "/initiatives.atom",
            "/timeline.atom",
            "/changes.atom",
            "/sitemap.xml",
            "/sitemap-pages.xml",
            "/sitemap-articles.xml",
            "/data/",
            "/data/datapackage.json",
            "/articles.csv",
            "/articles.json",
            "/robots.txt",
        ]

    def test_hosts_written_otherwise_are_refused(self):
        for host in [
            "testserver:31337",
            "TESTSERVER",
            "testserver.",
            "TestServer.:80",
            "127.0.0.1:31337",
            "localhost:8000.",
            "evil.example",
        ]:
            with self.subTest(host=host):
                response = self.client.get("/articles.atom", headers={"Host": host})
                self.assertEqual(response.status_code, 400)
        self.assertEqual(list(cache._list_cache_files()), [])

    def test_a_configured_port_is_accepted(self):
        with self.settings(HOST_HEADERS=["localhost:8000"], ALLOWED_HOSTS=["localhost"]):
            self.assertEqual(
                self.client.get("/", headers={"Host": "localhost:8000"}).status_code, 200
            )
            self.assertEqual(
                self.client.get("/", headers={"Host": "localhost:8001"}).status_code, 400
            )
            self.assertEqual(self.client.get("/", headers={"Host": "localhost"}).status_code, 200)

    def test_hostile_headers_leave_every_cached_link_on_the_site(self):
        """A request from another configured host, over "HTTPS" as a proxy trusting
        X-Forwarded-Proto would report it, with forged forwarding headers, fills the cache;
        a plain reader then gets only the site's own addresses."""
        hostile = Client(headers={"Host": "127.0.0.1", **HOSTILE_HEADERS})
        for path in self.pages():
            with self.subTest(path=path):
                response = hostile.get(path, secure=True)
                self.assertEqual(response.status_code, 200, path)
                self.assertEqual(foreign_addresses(body(response)), [])
        plain = Client()
        for path in self.pages():
            with self.subTest(path=path):
                response = plain.get(path)
                self.assertEqual(response.status_code, 200)
                text = body(response)
                self.assertEqual(foreign_addresses(text), [])
                if not path.endswith(".csv") and path != "/articles.json":
                    self.assertIn(SITE + "/", text, path)

    def test_canonical_and_hreflang_links_come_from_the_site_url(self):
        with self.settings(SITE_URL="https://hkai.example"):
            response = Client(headers={"Host": "127.0.0.1"}).get(self.article.get_absolute_url())
        text = response.content.decode()
        path = self.article.get_absolute_url()
        self.assertIn(f'<link rel="canonical" href="https://hkai.example{path}">', text)
        self.assertIn(f'hreflang="zh-Hant" href="https://hkai.example/zh-hant{path}"', text)
        self.assertNotIn("127.0.0.1", text)

    def test_the_cache_key_holds_the_site_origin(self):
        self.client.get("/articles/")
        with self.settings(SITE_URL="https://hkai.example"):
            response = self.client.get("/articles/")
        self.assertContains(response, 'href="https://hkai.example/articles/"')


def load_settings(**env):
    """hkai.settings' SITE_URL, HOST_HEADERS and ALLOWED_HOSTS under `env` (a fresh
    interpreter, none of the developer's DJANGO_* variables); the completed process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = "import hkai.settings as s; print(s.SITE_URL, s.HOST_HEADERS, s.ALLOWED_HOSTS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_site_url_defaults_to_the_first_allowed_host():
    result = load_settings(DJANGO_ALLOWED_HOSTS="hkai.example,www.hkai.example", DJANGO_HTTPS="1")
    assert result.stdout.split(" ", 1)[0] == "https://hkai.example"
    local = load_settings(DJANGO_DEBUG="1")
    assert local.stdout.split(" ", 1)[0] == "http://127.0.0.1:8000"


def test_site_url_host_is_accepted_and_ports_kept_only_in_host_headers():
    result = load_settings(
        DJANGO_ALLOWED_HOSTS="hkai.example,localhost:8000",
        DJANGO_SITE_URL="https://www.hkai.example/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "https://www.hkai.example ['hkai.example', 'localhost:8000', 'www.hkai.example'] "
        "['hkai.example', 'localhost', 'www.hkai.example']"
    )


def test_a_site_url_with_a_path_is_refused():
    for value in ["https://hkai.example/portal", "hkai.example", "ftp://hkai.example", "https://"]:
        result = load_settings(DJANGO_SITE_URL=value)
        assert result.returncode != 0
        assert "DJANGO_SITE_URL must be a scheme and host" in result.stderr


def test_check_warns_without_a_site_url_when_debug_is_off():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env = {**clean, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "hkai.example"}
    run = [sys.executable, "manage.py", "check"]
    without = subprocess.run(run, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert "portal.W001" in without.stderr + without.stdout
    with_url = subprocess.run(
        run,
        env={**env, "DJANGO_SITE_URL": "https://hkai.example"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert "portal.W001" not in with_url.stderr + with_url.stdout
