"""Time every public page type on the fixtures and on N generated articles; measure throughput.

Usage, from the checkout root (needs wrk: `sudo apt-get install -y wrk`):

    .venv/bin/python tests/benchmarks/page_bench.py --articles 100000 --workdir /tmp/pages --keep
    .venv/bin/python tests/benchmarks/page_bench.py --articles 100000 --workdir /tmp/pages --reuse
    .venv/bin/python tests/benchmarks/page_bench.py --articles 2000 --seconds 3 \\
        --database-url-template "postgres://postgres@127.0.0.1:5432/{name}"

What it does:

1. Builds two databases, each migrated and filled with `manage.py import_content`: "fixtures"
   from the project's fixtures/*.json, and "generated" from N generated articles
   (content_gen.py: 12 sectors, 500 organisations and 1,500 initiatives, mentioned with a
   long tail). A SQLite file each in the work directory, or PostgreSQL databases made from
   --database-url-template. With --reuse, a database that the work directory already holds
   for the same content is kept (only `migrate` runs again): a 100,000-article import takes
   minutes.
2. For each database, serves it with gunicorn -w 2 (debug off) and a fresh cache directory,
   lets each worker start up on pages that read no content (/healthz, /robots.txt, an empty
   /search/), then requests each page type once: its first hit, with nothing cached.
   Records wall time, status and size, and for the CSV export also the time to the first
   byte. Slugs and search words come from the database: the busiest sector, the most and a
   rarely mentioned initiative, the busiest organisation, a common and a rare title word.
3. Counts each page type's SQL queries, each in a child process of its own with nothing
   cached (query_counts.py: django.test.Client with DJANGO_PAGE_CACHE=0).
4. Measures throughput with wrk at 32 connections, in alternating rounds: /articles/ served
   again (page cache on, warmed), /articles/ uncached (a second gunicorn with
   DJANGO_PAGE_CACHE=0) and the reference page (reference_app/: the 20 newest articles from
   one query, same gunicorn settings).
5. Times the editors' admin pages (admin_timings.py, in a child process per database, signed
   in as a superuser it makes): every change list with its filters, search, sorting and a
   deep page, the change forms, a history and the autocomplete; each one request, in process
   through django.test.Client, with its query count.
6. Prints three tables: first hits per page type against their target, min(3 x the fixtures
   time + 100 ms, 1 s); the admin pages against the same target; and throughput as a ratio of
   the reference page, against its targets (at N, served again at least 0.5x; on the
   fixtures, uncached at least 0.25x).

Exits 0 whether or not the targets are met, and 1 when something failed: a server did not
start, a page answered other than 2xx (the run goes on, marking it), or wrk saw errors.

This is not a test: pytest does not collect it, and no test asserts on timings.
"""

import argparse
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import content_gen
import harness
from harness import BenchmarkError, Server, production_env

FIXTURES = sorted((harness.REPO_ROOT / "fixtures").glob("*.json"))
DATABASES = {"fixtures": "page_fixtures", "generated": "page_generated"}
PAGE_SIZE = 20  # the article list's rows per page, to keep the deep page within the list
TARGET_FACTOR, TARGET_EXTRA_MS, TARGET_CAP_MS = 3, 100, 1000
SERVED_AGAIN_TARGET = 0.5  # at N articles, x the reference page's throughput
UNCACHED_TARGET = 0.25  # on the fixtures, x the reference page's throughput
COUNT_TIMEOUT = 120  # seconds allowed for counting one page's queries
PORTAL_APP = "hkai.wsgi"
REFERENCE_APP = "tests.benchmarks.reference_app.wsgi"


def parse_args(argv=None):
    """Return the command-line options."""
    parser = argparse.ArgumentParser(
        description="First-hit time, size and queries of every public page type, on the "
        "fixtures and on N generated articles, and /articles/ throughput against a bare page."
    )
    parser.add_argument(
        "--articles", type=int, default=100_000, help="generated articles (default 100000)"
    )
    parser.add_argument(
        "--initiatives", type=int, default=1500, help="generated initiatives (default 1500)"
    )
    parser.add_argument(
        "--organisations", type=int, default=500, help="generated organisations (default 500)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where databases and logs go (default: a temp dir)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and logs afterwards"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database the workdir already holds for the same content, instead of "
        "generating and importing it again (needs --workdir; implies --keep)",
    )
    parser.add_argument(
        "--database-url-template",
        help='PostgreSQL URL with a {name} placeholder, e.g. "postgres://postgres@127.0.0.1:5432/'
        '{name}"; databases hkai_bench_page_fixtures and hkai_bench_page_generated are made '
        "there (default: SQLite files in the workdir)",
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="length of each throughput run (default 10)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="throughput rounds per server (default 3)"
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--deep-page", type=int, default=40, help="the deep list page to time (default 40)"
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if args.database_url_template and "{name}" not in args.database_url_template:
        parser.error("--database-url-template must contain {name}")
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir (the directory of an earlier run with --keep)")
    args.keep = args.keep or args.reuse
    return args


# --- Building the databases ------------------------------------------------------------------


def digest(paths):
    """Return a short hash of the files' contents, to notice that content has changed."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def build_database(label, recipe, make_files, args, workdir):
    """Return the DATABASE_URL of database `label`, migrated and holding its content.

    `recipe` describes the content (it is compared on --reuse); `make_files()` returns the
    fixture files to import. A finished import leaves <workdir>/<name>.ready.json behind, so
    --reuse can tell a complete database from one whose import was interrupted.
    """
    name = DATABASES[label]
    url = harness.database_url(name, workdir, args.database_url_template)
    marker = workdir / f"{name}.ready.json"
    wanted = {"database_url": url, **recipe}
    if args.reuse and marker.exists() and json.loads(marker.read_text()) == wanted:
        try:
            harness.fetch_rows(url, "SELECT COUNT(*) FROM portal_article")
        except Exception as error:  # sqlite3 and psycopg errors alike: rebuild it
            print(f"{label}: cannot reuse the database ({error}); building it again", flush=True)
        else:
            print(f"{label}: reusing {url}; migrating ...", flush=True)
            harness.run_manage(["migrate", "-v0"], url, workdir / f"{label}-migrate")
            return url
    marker.unlink(missing_ok=True)
    url = harness.fresh_database(name, workdir, args.database_url_template)
    print(f"{label}: migrating a fresh database ...", flush=True)
    harness.run_manage(["migrate", "-v0"], url, workdir / f"{label}-migrate")
    files = make_files()
    print(f"{label}: importing {len(files)} files ...", flush=True)
    seconds, _ = harness.run_manage(
        ["import_content", *map(str, files)], url, workdir / f"{label}-import"
    )
    print(f"{label}: imported in {seconds:.1f} s", flush=True)
    marker.write_text(json.dumps(wanted))
    return url


def build_databases(args, workdir):
    """Return {label: DATABASE_URL} for the fixtures database and the generated one."""
    generated_dir = workdir / "generated-fixtures"

    def generate():
        generated_dir.mkdir(exist_ok=True)
        print(f"generated: writing {args.articles} articles ...", flush=True)
        files, _ = content_gen.generate_fixtures(
            generated_dir,
            args.articles,
            args.seed,
            initiatives=args.initiatives,
            organisations=args.organisations,
        )
        return files

    generated_recipe = {
        "articles": args.articles,
        "initiatives": args.initiatives,
        "organisations": args.organisations,
        "seed": args.seed,
        "generator": digest([Path(content_gen.__file__)]),
    }
    try:
        return {
            "fixtures": build_database(
                "fixtures", {"fixtures": digest(FIXTURES)}, lambda: FIXTURES, args, workdir
            ),
            "generated": build_database("generated", generated_recipe, generate, args, workdir),
        }
    finally:
        # Hundreds of MB at 100,000 articles, and the seed makes them again if needed.
        shutil.rmtree(generated_dir, ignore_errors=True)


# --- First hits and query counts -------------------------------------------------------------


@dataclass
class PageResult:
    """One page type's first hit on one database (queries are filled in afterwards)."""

    path: str
    status: str  # "200", "404", "ERR: ...", or "n/a" when the page does not exist here
    ttfb_ms: float = 0.0
    total_ms: float = 0.0
    size: int = 0
    queries: str = ""  # e.g. "12", "12 [500]" when counting saw another status, "timeout"

    @property
    def ok(self):
        return self.status.startswith("2") or self.status == "n/a"


def page_paths(facts, deep_page):
    """Return [(page type, path)] for one database, in the order they are requested.

    The sitemap section is missing here: its path is read from /sitemap.xml when fetched.
    """
    last_page = max(1, -(-facts.published_articles // PAGE_SIZE))
    common = urllib.parse.quote(facts.common_word)
    rare = urllib.parse.quote(facts.rare_word)
    return [
        ("home", "/"),
        ("articles", "/articles/"),
        ("articles, busiest sector", f"/articles/?sector={facts.busiest_sector}"),
        ("articles, top initiative", f"/articles/?initiative={facts.top_initiative}"),
        ("articles, rare initiative", f"/articles/?initiative={facts.rare_initiative}"),
        ("articles, common word", f"/articles/?q={common}"),
        ("articles, rare word", f"/articles/?q={rare}"),
        ("articles, deep page", f"/articles/?page={min(deep_page, last_page)}"),
        ("initiatives", "/initiatives/"),
        ("organisations", "/organisations/"),
        ("search, common word", f"/search/?q={common}"),
        ("article", f"/articles/{facts.newest_article}/"),
        ("initiative, top", f"/initiatives/{facts.top_initiative}/"),
        ("organisation, busiest", f"/organisations/{facts.busiest_organisation}/"),
        ("sectors", "/sectors/"),
        ("sector, busiest", f"/sectors/{facts.busiest_sector}/"),
        ("articles.atom", "/articles.atom"),
        ("articles.csv", "/articles.csv"),
        ("articles.json", "/articles.json"),
        ("initiatives.json", "/initiatives.json"),
        ("sitemap.xml", "/sitemap.xml"),
        ("zh-hant articles", "/zh-hant/articles/"),
    ]


def first_section(sitemap_body):
    """Return the path (and query) of the first section a sitemap index lists, or None when
    the sitemap is a plain list of pages."""
    if b"<sitemapindex" not in sitemap_body[:1000]:
        return None
    match = re.search(rb"<sitemap>\s*<loc>([^<]+)</loc>", sitemap_body)
    if not match:
        return None
    parts = urllib.parse.urlsplit(match.group(1).decode().strip())
    return parts.path + (f"?{parts.query}" if parts.query else "")


def measure(server, path):
    """GET `path` once; return its PageResult and the body."""
    result = harness.fetch(server.port, path)
    page = PageResult(path, result.describe(), result.ttfb * 1000, result.total * 1000, result.size)
    return page, result.body


def first_hits(server, pages):
    """Request each page once, in order; return {page type: PageResult}.

    After /sitemap.xml comes the first section it lists ("n/a" without a sitemap index).
    """
    results = {}
    for page_type, path in pages:
        results[page_type], body = measure(server, path)
        if page_type == "sitemap.xml":
            section = first_section(body)
            if section:
                results["sitemap section"] = measure(server, section)[0]
            else:
                results["sitemap section"] = PageResult("(no sitemap index)", "n/a")
    return results


def count_queries(url, results, workdir, label):
    """Set each PageResult's `queries`: a cell such as "12", "12 [500]" or "timeout".

    Each path is counted in a child process of its own (query_counts.py) with a fresh cache
    directory, so every count is a first hit's, whatever the order; a child that takes longer
    than COUNT_TIMEOUT is stopped (on PostgreSQL its query too, by a statement timeout).
    """
    for result in results.values():
        if result.status == "n/a":
            continue
        cache_dir = tempfile.mkdtemp(prefix="hkai-bench-cache-")
        env = production_env(
            url,
            DJANGO_PAGE_CACHE="0",
            DJANGO_CACHE_DIR=cache_dir,
            DJANGO_SETTINGS_MODULE="hkai.settings",
            PGOPTIONS=f"-c statement_timeout={COUNT_TIMEOUT}s",
        )
        log_path = workdir / f"{label}-query-counts.log"
        try:
            with open(log_path, "ab") as log:
                completed = subprocess.run(
                    [sys.executable, "-m", "tests.benchmarks.query_counts", result.path],
                    cwd=harness.REPO_ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    timeout=COUNT_TIMEOUT,
                )
        except subprocess.TimeoutExpired:
            result.queries = "timeout"
            continue
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        if completed.returncode != 0:
            raise BenchmarkError(
                f"counting the queries of {result.path} failed (exit {completed.returncode}).\n"
                f"--- last lines of {log_path} ---\n{harness.tail(log_path)}"
            )
        count = json.loads(completed.stdout.decode().splitlines()[-1])[result.path]
        status = str(count["status"])
        result.queries = str(count["queries"])
        if not status.startswith("2"):
            result.queries += f" [{status}]"


# --- Admin pages -----------------------------------------------------------------------------


def admin_pages(url, workdir, label):
    """Return {page type: {"path", "status", "ms", "queries"}} of the admin pages of the
    database at `url`, timed by admin_timings.py in a child process with nothing cached."""
    cache_dir = tempfile.mkdtemp(prefix="hkai-bench-cache-")
    env = production_env(
        url,
        DJANGO_PAGE_CACHE="0",
        DJANGO_CACHE_DIR=cache_dir,
        DJANGO_SETTINGS_MODULE="hkai.settings",
        PGOPTIONS=f"-c statement_timeout={COUNT_TIMEOUT}s",
    )
    log_path = workdir / f"{label}-admin.log"
    try:
        with open(log_path, "ab") as log:
            completed = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.admin_timings"],
                cwd=harness.REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                timeout=COUNT_TIMEOUT * 10,
            )
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    if completed.returncode != 0:
        raise BenchmarkError(
            f"timing the admin pages failed (exit {completed.returncode}).\n"
            f"--- last lines of {log_path} ---\n{harness.tail(log_path)}"
        )
    return json.loads(completed.stdout.decode().splitlines()[-1])


# --- Throughput ------------------------------------------------------------------------------


@dataclass
class Throughput:
    """wrk's summaries of one server's rounds."""

    rounds: list

    @property
    def requests_per_second(self):
        """The median over the rounds."""
        return statistics.median(r["requests"] / r["duration_s"] for r in self.rounds)

    @property
    def p99_ms(self):
        """The median over the rounds of each round's 99th percentile latency."""
        return statistics.median(r["p99_ms"] for r in self.rounds)

    @property
    def errors(self):
        """Socket errors and answers of 400 or more, over all rounds."""
        kinds = ("connect", "read", "write", "timeout", "status_errors")
        return sum(r[kind] for r in self.rounds for kind in kinds)


def measure_throughput(targets, args):
    """Run wrk in alternating rounds over `targets` ({kind: (server, path)}).

    Each server first gets an unrecorded warm-up run. Returns {kind: Throughput}.
    """
    settings = {"connections": args.connections, "script": "wrk_summary.lua"}

    def run(server, path, seconds):
        summary = harness.run_wrk(server.url(path), seconds=seconds, **settings)
        # When wrk stops, gunicorn still holds the requests it had queued, and would serve
        # them during the next server's run, on the same CPUs. Wait until they are served.
        server.drain(path)
        return summary

    for server, path in targets.values():
        run(server, path, min(2, args.seconds))
    results = {kind: Throughput([]) for kind in targets}
    for round_number in range(1, args.rounds + 1):
        for kind, (server, path) in targets.items():
            summary = run(server, path, args.seconds)
            results[kind].rounds.append(summary)
            rate = summary["requests"] / summary["duration_s"]
            print(f"  round {round_number}, {kind}: {rate:.0f} req/s", flush=True)
    return results


def benchmark_database(label, url, args, workdir):
    """Time, count and load one database's pages; return (facts, page results, admin page
    results, throughput)."""
    facts = harness.content_facts(url)
    portal_env = production_env(url)
    with ExitStack() as servers:
        cached = servers.enter_context(
            Server(f"{label}-cached", PORTAL_APP, portal_env, workdir, args.workers)
        )
        harness.warm_up_portal(cached)
        print(f"{label}: first hits ...", flush=True)
        pages = first_hits(cached, page_paths(facts, args.deep_page))
        print(f"{label}: counting queries ...", flush=True)
        count_queries(url, pages, workdir, label)
        print(f"{label}: admin pages ...", flush=True)
        admin = admin_pages(url, workdir, label)
        uncached = servers.enter_context(
            Server(
                f"{label}-uncached",
                PORTAL_APP,
                production_env(url, DJANGO_PAGE_CACHE="0"),
                workdir,
                args.workers,
            )
        )
        reference = servers.enter_context(
            Server(f"{label}-reference", REFERENCE_APP, portal_env, workdir, args.workers)
        )
        harness.warm_up_portal(uncached)
        reference.warm("/")
        cached.warm("/articles/")  # served again: whatever the first hit cached
        print(f"{label}: throughput, {args.rounds} rounds of {args.seconds} s ...", flush=True)
        throughput = measure_throughput(
            {
                "served again": (cached, "/articles/"),
                "uncached": (uncached, "/articles/"),
                "reference": (reference, "/"),
            },
            args,
        )
    return facts, pages, admin, throughput


# --- Report ----------------------------------------------------------------------------------


def target_ms(fixtures_ms):
    """The first-hit target at N for a page that takes `fixtures_ms` on the fixtures."""
    return min(TARGET_FACTOR * fixtures_ms + TARGET_EXTRA_MS, TARGET_CAP_MS)


def time_cell(result, milliseconds):
    """A table cell: the time, with the status appended when it was not a 2xx."""
    if result.status == "n/a":
        return "n/a"
    cell = f"{milliseconds:.0f}"
    return cell if result.ok else f"{cell} [{result.status[:12]}]"


def page_rows(fixtures, generated):
    """Yield (page type, fixtures result, N result, time of), two rows for the CSV export."""
    for page_type, result in generated.items():
        if page_type == "articles.csv":
            yield "articles.csv, first byte", fixtures[page_type], result, "ttfb_ms"
            yield "articles.csv, whole *", fixtures[page_type], result, "total_ms"
        else:
            yield page_type, fixtures[page_type], result, "total_ms"


def print_facts(label, facts):
    """Print what one database's URLs were built from."""
    print(
        f"{label}: {facts.published_articles} published articles; sector {facts.busiest_sector}"
        f"; initiatives {facts.top_initiative} (top), {facts.rare_initiative} (rare)"
        f"; organisation {facts.busiest_organisation}; words {facts.common_word!r} (common),"
        f" {facts.rare_word!r} (rare); article {facts.newest_article}"
    )


def print_pages_table(args, fixtures, generated, database_kind):
    """Print first hits per page type against their targets."""
    n = f"{args.articles:,}"
    print(f"\nFirst hit per page type, ms ({database_kind}; gunicorn -w {args.workers}, debug off)")
    header = (
        f"{'page type':<28}{'fixtures':>14}{f'at {n}':>16}{'target':>8}{'met?':>6}"
        f"{f'KB at {n}':>14}{f'queries at {n}':>18}"
    )
    print(header)
    print("-" * len(header))
    for page_type, before, after, field in page_rows(fixtures, generated):
        before_ms, after_ms = getattr(before, field), getattr(after, field)
        if after.status == "n/a" or before.status == "n/a":
            target, met = "", ""
        elif page_type.endswith("*"):
            target, met = "-", "-"
        else:
            target = f"{target_ms(before_ms):.0f}"
            met = "yes" if after.ok and before.ok and after_ms <= target_ms(before_ms) else "NO"
        queries = after.queries
        size = f"{after.size / 1024:.1f}" if after.status != "n/a" else ""
        print(
            f"{page_type:<28}{time_cell(before, before_ms):>14}{time_cell(after, after_ms):>16}"
            f"{target:>8}{met:>6}{size:>14}{queries:>18}"
        )
    print(
        f"target: min({TARGET_FACTOR} x fixtures + {TARGET_EXTRA_MS} ms, {TARGET_CAP_MS} ms)."
        " * A whole export grows with the content; its target is on the first byte."
    )


def print_admin_table(args, fixtures, generated, database_kind):
    """Print each admin page's time and queries on both databases, against its target."""
    n = f"{args.articles:,}"
    print(f"\nAdmin pages, ms ({database_kind}; signed in, one request each, in process)")
    header = f"{'admin page':<28}{'fixtures':>10}{f'at {n}':>14}{'target':>8}{'met?':>6}"
    header += f"{'queries':>10}{f'at {n}':>10}"
    print(header)
    print("-" * len(header))
    for page_type, after in generated.items():
        before = fixtures.get(page_type, {"ms": 0, "status": 0, "queries": ""})
        ok = before["status"] == 200 and after["status"] == 200
        target = target_ms(before["ms"])
        met = "yes" if ok and after["ms"] <= target else "NO"
        cell = f"{after['ms']:.0f}" + ("" if after["status"] == 200 else f" [{after['status']}]")
        print(
            f"{page_type:<28}{before['ms']:>10.0f}{cell:>14}{target:>8.0f}{met:>6}"
            f"{before['queries']:>10}{after['queries']:>10}"
        )


def print_throughput_table(args, throughput, database_kind):
    """Print each server's median throughput and p99 latency, as a ratio of the reference."""
    print(
        f"\nThroughput at {args.connections} connections ({database_kind}; median of "
        f"{args.rounds} alternating rounds of {args.seconds} s; gunicorn -w {args.workers})"
    )
    header = (
        f"{'database':<12}{'page':<28}{'req/s':>9}{'p99 ms':>9}{'x ref':>8}{'target':>9}"
        f"{'met?':>6}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    targets = {("generated", "served again"): SERVED_AGAIN_TARGET}
    targets[("fixtures", "uncached")] = UNCACHED_TARGET
    pages = {
        "served again": "/articles/ served again",
        "uncached": "/articles/ uncached",
        "reference": "reference page (1 query)",
    }
    for label, results in throughput.items():
        reference = results["reference"].requests_per_second
        for kind, result in results.items():
            ratio = result.requests_per_second / reference
            target = targets.get((label, kind))
            target_cell = f">= {target:g}x" if target else ""
            met = ("yes" if ratio >= target else "NO") if target else ""
            # wrk has no latency to report when no request finished within a run.
            p99 = f"{result.p99_ms:.0f}" if result.requests_per_second else "-"
            print(
                f"{label:<12}{pages[kind]:<28}{result.requests_per_second:>9.0f}"
                f"{p99:>9}{ratio:>7.2f}x{target_cell:>9}{met:>6}{result.errors:>8}"
            )


def problems_found(pages, throughput):
    """Return a line for each failure: a non-2xx page, or wrk errors."""
    problems = []
    for label, results in pages.items():
        for page_type, result in results.items():
            if not result.ok:
                problem = f"{label}: {page_type} {result.path} answered {result.status}"
                if result.total_ms >= (harness.GUNICORN_TIMEOUT - 1) * 1000:
                    problem += f" after {result.total_ms / 1000:.0f} s (the request timeout)"
                problems.append(problem)
    for label, results in throughput.items():
        for kind, result in results.items():
            if result.errors:
                problems.append(f"{label}: {kind} throughput runs saw {result.errors} errors")
    return problems


def main(argv=None):
    """Run the benchmark; return the process exit status."""
    args = parse_args(argv)
    harness.stop_on_sigterm()
    database_kind = "PostgreSQL" if args.database_url_template else "SQLite"
    with harness.work_directory(args.workdir, args.keep, "hkai-page-bench-") as workdir:
        try:
            harness.require_wrk()
            harness.print_machine_load()
            fixtures_url = harness.database_url(
                DATABASES["fixtures"], workdir, args.database_url_template
            )
            harness.prepare_checkout(fixtures_url, workdir)
            urls = build_databases(args, workdir)
            facts, pages, admin, throughput = {}, {}, {}, {}
            for label, url in urls.items():
                facts[label], pages[label], admin[label], throughput[label] = benchmark_database(
                    label, url, args, workdir
                )
            print()
            for label, database_facts in facts.items():
                print_facts(label, database_facts)
            print_pages_table(args, pages["fixtures"], pages["generated"], database_kind)
            print_admin_table(args, admin["fixtures"], admin["generated"], database_kind)
            print_throughput_table(args, throughput, database_kind)
            problems = problems_found(pages, throughput)
            problems += [
                f"{label}: admin page {page_type} {result['path']} answered {result['status']}"
                for label, results in admin.items()
                for page_type, result in results.items()
                if result["status"] != 200
            ]
            if problems:
                print("\nProblems:\n  " + "\n  ".join(problems))
                if not args.keep:
                    print("(rerun with --keep to keep the server logs)")
                return 1
            return 0
        except BenchmarkError as error:
            return harness.report_failure(error, args.keep, "databases and logs")
        finally:
            if not args.keep:
                for name in DATABASES.values():
                    harness.drop_database(name, args.database_url_template)


if __name__ == "__main__":
    sys.exit(main())
