"""Shared pieces of the benchmark scripts: databases, manage.py runs, gunicorn servers and wrk.

import_bench.py, page_bench.py and load_bench.py import this as a sibling module
(`import harness`). It holds no Django code: the scripts drive the portal from outside, as an
operator would, through manage.py, gunicorn, HTTP and the database's own client library.

Every server and command runs with production settings (debug off, a throwaway secret key,
REDIS_URL unset), and every server start gets a fresh, empty cache directory
(DJANGO_CACHE_DIR), so a first request really has nothing cached.
"""

import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MANAGE_PY = REPO_ROOT / "manage.py"
BENCH_DIR = Path(__file__).resolve().parent
# The scripts are run with the venv's python, and gunicorn is installed beside it.
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET_KEY = "benchmark-only-not-a-secret"
GUNICORN_TIMEOUT = 30  # seconds; gunicorn's default, written out because queries share it
# "testserver" is django.test.Client's host name (query counting runs through the Client).
ALLOWED_HOSTS = "testserver,localhost,127.0.0.1"
# Variables that would change what is measured if inherited from the caller's shell.
UNINHERITED = (
    "REDIS_URL",
    "DJANGO_PAGE_CACHE",
    "DJANGO_CACHE_DIR",
    "DJANGO_DOWNLOADS_DIR",
    "DJANGO_SETTINGS_MODULE",
)


class BenchmarkError(Exception):
    """Something failed; the message says what, and the script exits non-zero."""


@contextlib.contextmanager
def work_directory(requested, keep, prefix):
    """Yield the run's work directory: `requested`, or a new temporary one named `prefix`...

    On exit, unless `keep`, removes what the run added (the whole directory if the run made
    it); with `keep`, says where the files are.
    """
    made = requested is None
    workdir = (Path(tempfile.mkdtemp(prefix=prefix)) if made else requested).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    before = set(workdir.iterdir())
    print(f"work directory: {workdir}", flush=True)
    try:
        yield workdir
    finally:
        if keep:
            print(f"files kept in {workdir}")
        elif made:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for path in set(workdir.iterdir()) - before:
                shutil.rmtree(path) if path.is_dir() else path.unlink()


def report_failure(error, keep, kept):
    """Print why the run failed (and, without --keep, what keeping would have kept); return
    the exit status 1."""
    print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
    if not keep:
        print(f"(rerun with --keep to keep the {kept})", file=sys.stderr)
    return 1


def stop_on_sigterm():
    """Make a plain `kill` end the run through its finally blocks, which stop the servers and
    processes it started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def production_env(database_url, **extra):
    """Return the environment for manage.py, gunicorn or a child process: debug off.

    Debug off matters beyond realism: with debug on, Django keeps every query's SQL in memory.
    `extra` adds or overrides variables, e.g. DJANGO_PAGE_CACHE="0".
    """
    env = {key: value for key, value in os.environ.items() if key not in UNINHERITED}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=ALLOWED_HOSTS,
        DATABASE_URL=database_url,
    )
    env.update(extra)
    return env


def print_machine_load():
    """Print the load average, since other work on the machine skews every figure."""
    load = os.getloadavg()[0]
    cpus = os.cpu_count()
    note = " (busy: the figures will be noisy)" if load > cpus / 2 else ""
    print(f"machine: {cpus} CPUs, load average {load:.1f} over the last minute{note}", flush=True)


# --- Databases -------------------------------------------------------------------------------


def database_url(name, workdir, url_template):
    """Return the DATABASE_URL of the benchmark database called `name` (it may not exist yet).

    SQLite: <workdir>/<name>.sqlite3. PostgreSQL: hkai_bench_<name> on url_template's server.
    """
    if not url_template:
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    return url_template.format(name=f"hkai_bench_{name}")


def fresh_database(name, workdir, url_template):
    """Create an empty database called `name`, dropping any old one; return its DATABASE_URL."""
    if not url_template:
        path = workdir / f"{name}.sqlite3"
        for leftover in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    else:
        drop_database(name, url_template)
        postgres_admin(url_template, "CREATE DATABASE {}", name)
    return database_url(name, workdir, url_template)


def drop_database(name, url_template):
    """Drop `name`'s PostgreSQL database if there is one (SQLite files go with the workdir).

    FORCE (PostgreSQL 13+) ends sessions still open on it, such as a stopped gunicorn
    worker's whose query the server has not yet cancelled.
    """
    if url_template:
        postgres_admin(url_template, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def postgres_admin(url_template, statement, name):
    """Run `statement` on the server's postgres database, {} being `name`'s database name."""
    import psycopg  # only needed, and only imported, when benchmarking PostgreSQL
    from psycopg import sql

    query = sql.SQL(statement).format(sql.Identifier(f"hkai_bench_{name}"))
    with psycopg.connect(url_template.format(name="postgres"), autocommit=True) as conn:
        conn.execute(query)


def connect(url):
    """Return a DB-API connection to the database at DATABASE_URL `url`."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg  # only needed, and only imported, when benchmarking PostgreSQL

    return psycopg.connect(url)


def fetch_rows(url, statement):
    """Run one SELECT (no parameters) on the database at `url`; return its rows."""
    conn = connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute(statement)
        return cursor.fetchall()
    finally:
        conn.close()


def count_rows(url, tables):
    """Return {table: row count} read directly from the database at `url`."""
    # Fixed table names from the scripts, never user input.
    return {table: fetch_rows(url, f"SELECT COUNT(*) FROM {table}")[0][0] for table in tables}


# --- What to ask for: slugs and words picked from the database --------------------------------


# Visible articles, the rule of ArticleQuerySet.published(), in each database's own SQL
# (Django stores SQLite datetimes as UTC text that sorts like the time it names).
PUBLISHED = {
    "sqlite": "a.status = 'published' AND a.publish_at <= datetime('now')",
    "postgres": "a.status = 'published' AND a.publish_at <= now()",
}
# Words too common in English to be searched for (PostgreSQL drops them from queries).
STOP_WORDS = {"about", "from", "have", "into", "more", "over", "that", "their", "this", "with"}
WORD_SAMPLE = 1000  # articles read to find a common word


def words_in(text):
    """Return the lower-case words (letters only) in `text`."""
    return re.findall(r"[^\W\d_]+", text.lower())


@dataclass
class ContentFacts:
    """Slugs and words for benchmark URLs, chosen by what the database holds."""

    published_articles: int
    newest_article: str
    busiest_sector: str
    top_initiative: str
    rare_initiative: str
    busiest_organisation: str
    common_word: str
    rare_word: str


def content_facts(url):
    """Return the ContentFacts of the database at `url` (which must hold published articles).

    "Busiest" and "top" mean mentioned by the most published articles; "rare" by the fewest
    (but at least one). The common word is in the most articles (title, summary or body)
    of a sample of WORD_SAMPLE; the rare word, of six letters or more, in the fewest titles.
    """
    published = PUBLISHED["sqlite" if url.startswith("sqlite:") else "postgres"]
    count = fetch_rows(url, f"SELECT COUNT(*) FROM portal_article a WHERE {published}")[0][0]
    if not count:
        raise BenchmarkError("the database holds no published articles to benchmark")
    newest = f"SELECT a.slug FROM portal_article a WHERE {published} ORDER BY a.publish_at DESC"
    newest = fetch_rows(url, f"{newest} LIMIT 1")[0][0]

    def by_mentions(table, column, entity):
        return fetch_rows(
            url,
            f"SELECT e.slug, COUNT(*) AS n FROM {table} l"
            f" JOIN portal_article a ON a.id = l.article_id"
            f" JOIN {entity} e ON e.id = l.{column}"
            f" WHERE {published} GROUP BY e.slug ORDER BY n DESC, e.slug",
        )

    sectors = by_mentions("portal_article_sectors", "sector_id", "portal_sector")
    initiatives = by_mentions("portal_article_initiatives", "initiative_id", "portal_initiative")
    organisations = by_mentions(
        "portal_article_organisations", "organisation_id", "portal_organisation"
    )
    if not (sectors and initiatives and organisations):
        raise BenchmarkError("no published article mentions a sector, initiative and organisation")
    # The common word: in the most articles (title, summary or body) of a sample.
    sample = fetch_rows(
        url,
        "SELECT a.title_en, a.summary_en, a.body_en FROM portal_article a"
        f" WHERE {published} ORDER BY a.id LIMIT {WORD_SAMPLE}",
    )
    in_articles, occurrences = Counter(), Counter()
    for row in sample:
        found = words_in(" ".join(row))
        in_articles.update(set(found))
        occurrences.update(found)
    # Ties go to the word used most often, then to the alphabetically first, so that every
    # run asks for the same pages.
    common = sorted(
        (w for w in in_articles if len(w) >= 4 and w not in STOP_WORDS),
        key=lambda w: (-in_articles[w], -occurrences[w], w),
    )
    # The rare word: in the fewest titles, of all of them.
    in_titles = Counter()
    for (title,) in fetch_rows(url, f"SELECT a.title_en FROM portal_article a WHERE {published}"):
        in_titles.update(set(words_in(title)))
    rare = sorted((n, w) for w, n in in_titles.items() if len(w) >= 6)
    return ContentFacts(
        published_articles=count,
        newest_article=newest,
        busiest_sector=sectors[0][0],
        top_initiative=initiatives[0][0],
        rare_initiative=initiatives[-1][0],
        busiest_organisation=organisations[0][0],
        common_word=common[0] if common else "hong",
        rare_word=rare[0][1] if rare else "cyberport",
    )


# --- Running manage.py -----------------------------------------------------------------------


def tail(path, lines=30):
    """Return the last `lines` lines of a log file."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def run_manage(args, url, log_stem, **extra_env):
    """Run `manage.py <args>` in a child process and return (wall seconds, peak RSS in MB).

    The child's output goes to <log_stem>.stdout.log and .stderr.log. Peak RSS comes from
    os.wait4() on this one child, not getrusage(RUSAGE_CHILDREN), which would take the
    maximum over every child this script has waited for. Raises BenchmarkError on failure.
    """
    command = [sys.executable, str(MANAGE_PY), *args]
    stdout_path = Path(f"{log_stem}.stdout.log")
    stderr_path = Path(f"{log_stem}.stderr.log")
    env = production_env(url, **extra_env)
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if process.returncode != 0:
        raise BenchmarkError(
            f"`manage.py {' '.join(args[:1])}` exited with {process.returncode}.\n"
            f"--- stderr (last lines of {stderr_path}) ---\n{tail(stderr_path)}\n"
            f"--- stdout (last lines of {stdout_path}) ---\n{tail(stdout_path, 10)}"
        )
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def prepare_checkout(url, workdir):
    """Collect static files (debug-off pages need whitenoise's manifest) and compile the
    Chinese translations, as `make setup` does; both write into the checkout and are cheap
    when nothing changed."""
    run_manage(["collectstatic", "--noinput", "-v0"], url, workdir / "collectstatic")
    run_manage(["compile_translations", "-v0"], url, workdir / "compile_translations")


# --- gunicorn --------------------------------------------------------------------------------


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving a WSGI `app` on a free local port, as a context manager.

    Output goes to <workdir>/<name>.log. Each start gets a fresh DJANGO_CACHE_DIR, removed on
    stop, and in it a fresh DJANGO_DOWNLOADS_DIR unless `env` names one (files built ahead).
    gunicorn runs in its own process group, so stopping it also stops its workers.
    """

    def __init__(self, name, app, env, workdir, workers=2):
        self.name = name
        self.app = app
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.workers = workers
        self.process = None
        self.port = None
        self.cache_dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self, timeout=60):
        """Start gunicorn and return once it listens; raise BenchmarkError if it does not."""
        if not GUNICORN.exists():
            raise BenchmarkError(f"{GUNICORN} not found: run the script with the venv's python")
        self.cache_dir = tempfile.mkdtemp(prefix="hkai-bench-cache-")
        self.port = free_port()
        env = {**self.env, "DJANGO_CACHE_DIR": self.cache_dir}
        env.setdefault("DJANGO_DOWNLOADS_DIR", str(Path(self.cache_dir) / "downloads"))
        # The portal takes only Host headers written exactly so (portal.middleware), and
        # clients send the port: allow "127.0.0.1:<port>" as well.
        hosts = env.get("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS)
        env["DJANGO_ALLOWED_HOSTS"] = f"{hosts},127.0.0.1:{self.port}"
        # gunicorn stops a worker whose request outlives its timeout, but PostgreSQL would go
        # on running that request's query, slowing whatever is measured next: give queries
        # the same limit. (SQLite's queries end with the worker.)
        env.setdefault("PGOPTIONS", f"-c statement_timeout={GUNICORN_TIMEOUT}s")
        command = [
            str(GUNICORN),
            self.app,
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            str(GUNICORN_TIMEOUT),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Wait for gunicorn's own "Listening at" line rather than for the port alone, which
        # another program could have taken in the meantime.
        listening = f"Listening at: http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.failure(f"exited with {self.process.returncode} while starting")
            if listening in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise self.failure(f"did not listen within {timeout} s")

    def warm(self, path):
        """Request `path` twice per worker at once and wait for the answers, so that every
        worker has loaded the app. Raises BenchmarkError on a non-2xx."""
        for result in self.fetch_on_every_worker(path):
            if not result.ok:
                raise self.failure(f"answered {path} with {result.describe()}")

    def drain(self, path, timeout=600):
        """Return once requests queued earlier (by a load run that has ended) are served:
        then `path`, requested twice per worker, has been answered, whatever the status."""
        self.fetch_on_every_worker(path, timeout)

    def fetch_on_every_worker(self, path, timeout=120):
        """GET `path` twice per worker, all at once; return the Fetch results."""
        copies = 2 * self.workers
        with concurrent.futures.ThreadPoolExecutor(copies) as pool:
            return list(pool.map(lambda _: fetch(self.port, path, timeout), range(copies)))

    def url(self, path="/"):
        """Return the absolute URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def failure(self, message):
        """Return a BenchmarkError naming this server, with the tail of its log."""
        return BenchmarkError(
            f"server {self.name} ({self.app}) {message}.\n"
            f"--- last lines of {self.log_path} ---\n{tail(self.log_path)}"
        )

    def stop(self):
        """Stop gunicorn and its workers (SIGTERM, then SIGKILL after 15 s)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.cache_dir:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            self.cache_dir = None


# An exception's last traceback line, e.g. "django.db.utils.OperationalError: database is locked".
EXCEPTION_LINE = re.compile(r"^([\w.]+(?:Error|Exception)): (.*)$")


def server_log_summary(log_path):
    """Return (tracebacks, worker timeouts, Counter of exception lines) in gunicorn's log."""
    tracebacks, timeouts, exceptions = 0, 0, Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            tracebacks += 1
        elif "WORKER TIMEOUT" in line:
            timeouts += 1
        elif match := EXCEPTION_LINE.match(line):
            exceptions[f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)[:80]}"] += 1
    return tracebacks, timeouts, exceptions


def warm_up_portal(server):
    """Have every portal worker load the app and compile the shared page template, through
    pages that read no content (so no content cache is filled): what is measured next is
    the pages, not the workers' start-up."""
    for path in ("/healthz", "/robots.txt", "/search/"):
        server.warm(path)


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Fetch:
    """One request's outcome. status is 0 when no HTTP answer came (see `error`)."""

    status: int
    ttfb: float  # seconds until the status line and headers had arrived
    total: float  # seconds until the whole body had arrived
    size: int  # body bytes
    body: bytes = b""
    error: str = ""

    @property
    def ok(self):
        return 200 <= self.status < 300

    def describe(self):
        """Return the status, or the error when no answer came, e.g. "404" or "ERR: timed out"."""
        return str(self.status) if self.status else f"ERR: {self.error}"


def fetch(port, path, timeout=120):
    """GET `path` from 127.0.0.1:`port` on a new connection, timing it; return a Fetch."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        ttfb = time.perf_counter() - started
        body = response.read()
        total = time.perf_counter() - started
        return Fetch(response.status, ttfb, total, len(body), body)
    except (OSError, http.client.HTTPException) as error:
        elapsed = time.perf_counter() - started
        return Fetch(0, elapsed, elapsed, 0, error=str(error) or type(error).__name__)
    finally:
        conn.close()


# --- wrk -------------------------------------------------------------------------------------


def require_wrk():
    """Raise BenchmarkError, saying how to install it, unless wrk is on PATH."""
    if not shutil.which("wrk"):
        raise BenchmarkError(
            "wrk (the HTTP load generator) is not on PATH. Install it with\n"
            "  sudo apt-get install -y wrk     (Debian, Ubuntu)\n"
            "  brew install wrk                (macOS)"
        )


def run_wrk(url, *, connections, seconds, script, script_args=(), threads=2, timeout=30):
    """Run wrk against `url` with a Lua `script` from this directory; return its summary.

    The scripts print one line "WRK_JSON {...}" when done: requests, duration_s, the latency
    percentiles in ms (p50, p99), socket errors (connect, read, write, timeout), the count of
    answers with a status of 400 or more (status_errors) and, for wrk_rotate.lua, requests by
    status. Raises BenchmarkError if wrk fails.
    """
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={timeout}s",
        f"--script={BENCH_DIR / script}",
        url,
    ]
    if script_args:
        command += ["--", *script_args]
    result = subprocess.run(command, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise BenchmarkError(
        f"wrk exited with {result.returncode} and no summary:\n{result.stdout}\n{result.stderr}"
    )
