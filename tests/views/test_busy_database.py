"""A busy database: pages keep answering while an import writes; when a request truly cannot
get the database, it gets a 503 with Retry-After and a short plain page, never a 500.

The import test runs the production stack for real: gunicorn serving a file-based SQLite
database (a copy of the migrated test database) while `manage.py import_content` writes a
few thousand generated records into it from another process.
"""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client

from portal.lockout import ADDRESS_LIMIT
from portal.middleware import is_database_busy
from tests.benchmarks.content_gen import generate_fixtures

ON_SQLITE = connection.vendor == "sqlite"
only_sqlite = pytest.mark.skipif(not ON_SQLITE, reason="SQLite's locking is what is tested")
only_postgresql = pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL's locking is what is tested")


def sqlite_busy_error(tmp_path):
    """A real "database is locked" error as Django raises it: django.db.OperationalError
    caused by the sqlite3 error, from a write that found another connection writing."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    probe = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(path), "OPTIONS": {"timeout": 0}}, "probe"
    )
    try:
        with pytest.raises(OperationalError, match="database is locked") as raised:
            probe.cursor().execute("CREATE TABLE t (x)")
    finally:
        probe.close()
        holder.close()
    return raised.value


# --- Settings --------------------------------------------------------------------------------


@only_sqlite
def test_sqlite_uses_wal_immediate_transactions_and_a_long_busy_timeout(
    tmp_path, django_db_blocker
):
    # A file database opened with the site's settings (the test database is in memory).
    probe = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "db.sqlite3")})
    try:
        with django_db_blocker.unblock(), probe.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            busy_timeout_ms = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        assert 20_000 <= busy_timeout_ms < 30_000  # under gunicorn's 30 s worker timeout
        assert probe.transaction_mode == "IMMEDIATE"
    finally:
        probe.close()


# --- The 503 ---------------------------------------------------------------------------------


def busy_response_from(client, error, path="/sectors/"):
    """GET `path` while its view raises `error`."""
    with mock.patch("portal.views.pages.SectorListView.get_queryset", side_effect=error):
        return client.get(path)


def assert_busy_answer(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response.content.decode() == (
        "The site is busy saving changes. Please try again in a few seconds."
    )


@pytest.mark.django_db
def test_a_locked_sqlite_database_answers_503_with_retry_after(client, tmp_path):
    error = sqlite_busy_error(tmp_path)

    assert_busy_answer(busy_response_from(client, error))


@pytest.mark.django_db
def test_the_busy_answer_speaks_the_page_language(client, tmp_path):
    response = busy_response_from(client, sqlite_busy_error(tmp_path), "/zh-hant/sectors/")

    assert response.status_code == 503
    assert response.content.decode() == "網站正在儲存變更，請幾秒後再試。"


@pytest.mark.django_db
def test_a_busy_database_outside_a_view_answers_503_too(tmp_path):
    # E.g. SessionMiddleware saving the session after the view: process_exception never sees
    # that, handler500 does. raise_request_exception=False: answer as in production.
    client = Client(raise_request_exception=False)
    error = sqlite_busy_error(tmp_path)

    with mock.patch.object(SessionMiddleware, "process_response", side_effect=error):
        response = client.get("/sectors/")

    assert_busy_answer(response)


@pytest.mark.django_db
def test_other_database_errors_are_still_server_errors(tmp_path):
    client = Client(raise_request_exception=False)
    error = OperationalError("no such table: portal_sector")

    with mock.patch("portal.views.pages.SectorListView.get_queryset", side_effect=error):
        response = client.get("/sectors/")

    assert response.status_code == 500
    assert not is_database_busy(error)


@only_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_lock_timeout_answers_503(client):
    import psycopg

    db = connection.settings_dict
    holder = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or None,
    )
    try:
        holder.execute("LOCK TABLE portal_sector IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        response = client.get("/sectors/")
    finally:
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert_busy_answer(response)


# --- Pages while an import writes (SQLite, in other processes) -------------------------------

IMPORTED_ARTICLES = 3000
PAGES = ["/", "/sectors/", "/articles/", "/initiatives/", "/search/?q=ai", "/admin/login/"]
STAFF_PASSWORD = "a passphrase for the busy test"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Plain HTTP with cookies, for talking to a server in another process."""

    def __init__(self, base_url, env):
        self.base_url, self.env = base_url, env
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path, data=None):
        """Return (status, headers, body) for GET `path`, or POST `data` to it."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, body, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def answers(self, path):
        """Whether the server answers `path` with 200 yet."""
        try:
            return self.request(path)[0] == 200
        except OSError:
            return False


@pytest.fixture
def file_database(tmp_path, transactional_db):
    """A file-based SQLite copy of the migrated test database, with one staff account
    ("eddie", STAFF_PASSWORD); its path. (transactional_db: no transaction is open, which
    SQLite's backup needs.)"""
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    with target:
        target.execute(
            "INSERT INTO auth_user (username, password, is_staff, is_superuser, is_active, "
            "first_name, last_name, email, date_joined) "
            "VALUES ('eddie', ?, 1, 0, 1, '', '', '', '2026-01-01 00:00:00')",
            [make_password(STAFF_PASSWORD)],
        )
    target.close()
    return path


@pytest.fixture
def server(file_database, tmp_path):
    """gunicorn serving `file_database` with the test settings (debug off); a Browser."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{file_database}",
        "DJANGO_SETTINGS_MODULE": "hkai.settings_test",
        "DJANGO_SECURE_COOKIES": "0",  # plain HTTP here
        "DJANGO_ALLOWED_HOSTS": f"127.0.0.1:{port}",
    }
    with open(tmp_path / "gunicorn.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "hkai.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    browser = Browser(f"http://127.0.0.1:{port}", env)
    try:
        deadline = time.monotonic() + 30
        while not browser.answers("/healthz"):
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
            time.sleep(0.1)
        yield browser
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in(browser, username, password):
    """Post the admin's sign-in form; return the status and headers of the page it ends on.

    A wrong password writes too: django-axes records it in a transaction that reads before
    it writes, which SQLite's default (deferred) transactions cannot do while another
    connection writes. A right one saves a session, a log entry and the last login."""
    status, headers, form = browser.request("/admin/login/")
    if status != 200 or "csrfmiddlewaretoken" not in form:
        return status, headers
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    status, headers, page = browser.request("/admin/login/?next=/admin/", data)
    assert status != 403, f"sign-in refused: {page[:500]}"  # CSRF (a lockout is 429)
    if status == 200:
        expected = "Site administration" if password == STAFF_PASSWORD else "Please enter"
        assert expected in page, page[:500]
    return status, headers


@only_sqlite
def test_pages_and_sign_ins_answer_while_an_import_writes(server, tmp_path):
    files, _ = generate_fixtures(tmp_path, IMPORTED_ARTICLES, seed=9)

    started = time.monotonic()
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_content", *map(str, files)],
        cwd=settings.BASE_DIR,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def read_pages():
        answers = []
        while importer.poll() is None:
            answers += [(path, *server.request(path)[:2]) for path in PAGES]
        return answers

    def sign_in_and_out():
        # Wrong passwords for ever-new usernames, one after another, so that some land while
        # the importer holds the write lock, but fewer than lock this address out (an
        # editor's sign-in clears only the editor's own count); now and then an editor
        # signs in. The guesser keeps cookies of its own: in the jar read_pages shares, a
        # CSRF cookie set by read_pages' first visit to the sign-in page could replace the
        # one the guesser's form token was made for, and its post would fail CSRF (403).
        answers = []
        guesser = Browser(server.base_url, server.env)
        while importer.poll() is None:
            guess = f"guess-{len(answers)}"
            if sum(path == "wrong password" for path, *_ in answers) < ADDRESS_LIMIT - 1:
                answers.append(("wrong password", *sign_in(guesser, guess, "a wrong guess")))
            else:
                editor = Browser(server.base_url, server.env)
                answers.append(("sign-in", *sign_in(editor, "eddie", STAFF_PASSWORD)))
            if len(answers) % 6 == 0:
                editor = Browser(server.base_url, server.env)
                answers.append(("sign-in", *sign_in(editor, "eddie", STAFF_PASSWORD)))
        return answers

    # Two at a time, as gunicorn has two workers.
    with ThreadPoolExecutor(2) as pool:
        reading, signing = pool.submit(read_pages), pool.submit(sign_in_and_out)
        answers = reading.result() + signing.result()
    output, errors = importer.communicate()
    duration = time.monotonic() - started

    assert importer.returncode == 0, errors
    assert re.search(rf"portal\.article +{IMPORTED_ARTICLES} created", output), output
    assert len(answers) > 20, f"only {len(answers)} requests in the import's {duration:.1f} s"
    assert any(path == "sign-in" and status == 200 for path, status, _ in answers)
    wrong = [
        (path, status)
        for path, status, headers in answers
        if status != 200 and not (status == 503 and headers["Retry-After"])
    ]
    assert not wrong, f"{len(wrong)} of {len(answers)} answers were not 200: {wrong[:10]}"
    # What it imported is on the site once it has committed.
    assert server.request("/sectors/sector-1/")[0] == 200
