"""Load the portal with many readers while something else happens, and report what goes wrong.

Usage, from the checkout root (needs wrk: `sudo apt-get install -y wrk`):

    .venv/bin/python tests/benchmarks/load_bench.py
    .venv/bin/python tests/benchmarks/load_bench.py --articles 2000 --seconds 10 \\
        --database-url-template "postgres://postgres@127.0.0.1:5432/{name}"

What it does:

1. Generates content with content_gen.py (12 sectors, 500 organisations, 1,500 initiatives):
   a starting set of --initial-articles articles (default 2,000), and --articles more
   (default 30,000) in a file of their own.
2. Makes a fresh database (load.sqlite3 in the work directory, or hkai_bench_load from
   --database-url-template), migrates it and imports the starting set.
3. Serves it with gunicorn on production settings (debug off, --workers 2, page cache on,
   a fresh cache directory) and lets each worker start up.
4. Starts `manage.py import_content` of the further articles and, at the same moment, wrk:
   --connections 64 for --seconds 60, each connection taking the next of a list of URLs
   (wrk_rotate.lua): lists, filtered lists, details, search, feeds, /healthz, /admin/login/.
5. Reports requests, answers by status, socket errors, p50 and p99 latency, whether the
   import finished (when, or how it failed), and the tracebacks in the server's log.

No errors are expected (no status of 400 or more, no socket error). The script reports them
and does not judge: it exits 0 when the load ran, and 1 only when it could not run (a
command or server failed to start, wrk failed).

Other scenarios (--scenario; load_faults.py), each on a fresh gunicorn and cache, serving the
starting set only (no import), 32 connections for 15 s by default:

- downloads: the same URLs while --downloaders (3) clients download whole data files,
  /data/articles.json, /data/articles.csv and /articles.csv (built by the import, as
  `import_content` and `make serve` leave them), and the busiest sector's
  /articles.csv?sector=... (streamed, a few at once), one after another; reports the
  pages' p50/p99 and errors, and the downloads' count, answers by status (503: the
  live-export limit) and throughput.
- redis-restart: the portal's cache on a redis-server the script starts itself on a free
  127.0.0.1 port (never 6379), stopped a third of the way in and started again
  --redis-down (3) seconds later; reports answers by status, p50/p99, and a probe of
  /articles/ a few times a second before, during and after the outage. The cache fails open,
  so every answer should still be a 200.
- junk-params: the lists, every request with a made-up ?utm_<random>=1 parameter (no page
  reads it, so no answer is stored), on the file cache and then on Redis (--junk-cache);
  reports the cache's size before and after: files in the cache directory, or Redis's
  DBSIZE and INFO memory's used_memory.
- all: those three in turn, on one database.

    .venv/bin/python tests/benchmarks/load_bench.py --scenario all
    .venv/bin/python tests/benchmarks/load_bench.py --scenario downloads --initial-articles 20000 \\
        --connections 64 --seconds 60

This is not a test: pytest does not collect it, and no test asserts on timings.
"""

import argparse
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import content_gen
import harness
import load_faults
from harness import BenchmarkError, Server, production_env

DATABASE_NAME = "load"
INITIATIVES, ORGANISATIONS = 1500, 500
FAULT_SCENARIOS = ("downloads", "redis-restart", "junk-params")
SCENARIOS = ("import", *FAULT_SCENARIOS, "all")


def parse_args(argv=None):
    """Return the command-line options."""
    parser = argparse.ArgumentParser(
        description="Many readers across page types while import_content writes; report "
        "errors and latency."
    )
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default="import",
        help="what happens during the load (default import; all: every scenario but import)",
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=30_000,
        help="articles imported during the load (default 30000; import scenario only)",
    )
    parser.add_argument(
        "--initial-articles",
        type=int,
        default=2000,
        help="articles imported before the load starts (default 2000)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        help="wrk connections (default 64 for import, 32 for the other scenarios)",
    )
    parser.add_argument(
        "--seconds",
        type=int,
        help="length of each load (default 60 for import, 15 for the other scenarios)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=1_000_000,
        help="wrk stops after this many answers even before --seconds (default 1000000; "
        "fault scenarios)",
    )
    parser.add_argument(
        "--downloaders",
        type=int,
        default=3,
        help="clients downloading whole data files (default 3; downloads)",
    )
    parser.add_argument(
        "--max-downloads",
        type=int,
        default=500,
        help="downloads per client at most, even before --seconds (default 500; downloads)",
    )
    parser.add_argument(
        "--redis-down",
        type=float,
        default=3,
        help="seconds the portal's Redis stays stopped (default 3; redis-restart)",
    )
    parser.add_argument(
        "--junk-cache",
        choices=("file", "redis", "both"),
        default="both",
        help="the cache junk-params runs on (default both, one after the other)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=30,
        help="seconds wrk waits for an answer before counting a timeout (default 30, "
        "gunicorn's own worker timeout)",
    )
    parser.add_argument(
        "--database-url-template",
        help='PostgreSQL URL with a {name} placeholder, e.g. "postgres://postgres@127.0.0.1:5432/'
        '{name}"; the database hkai_bench_load is made there (default: SQLite in the workdir)',
    )
    parser.add_argument(
        "--workdir", type=Path, help="where fixtures, database and logs go (default: a temp dir)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep fixtures, database and logs afterwards"
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = parser.parse_args(argv)
    importing = args.scenario == "import"
    if args.connections is None:
        args.connections = 64 if importing else 32
    if args.seconds is None:
        args.seconds = 60 if importing else 15
    if min(args.connections, args.seconds, args.max_requests, args.max_downloads) < 1:
        parser.error("--connections, --seconds, --max-requests and --max-downloads must be >= 1")
    if args.downloaders < 0 or args.redis_down < 0:
        parser.error("--downloaders and --redis-down cannot be negative")
    if args.articles < 1 or args.initial_articles < 1:
        parser.error("--articles and --initial-articles must be at least 1")
    if args.database_url_template and "{name}" not in args.database_url_template:
        parser.error("--database-url-template must contain {name}")
    return args


def load_paths(facts):
    """Return the URLs the load rotates through, with slugs and a word from the database."""
    word = urllib.parse.quote(facts.common_word)
    return [
        "/",
        "/articles/",
        f"/articles/?sector={facts.busiest_sector}",
        f"/articles/?initiative={facts.top_initiative}",
        f"/articles/?q={word}",
        f"/articles/{facts.newest_article}/",
        "/initiatives/",
        f"/initiatives/?sector={facts.busiest_sector}",
        f"/initiatives/{facts.top_initiative}/",
        "/organisations/",
        f"/organisations/{facts.busiest_organisation}/",
        "/sectors/",
        f"/sectors/{facts.busiest_sector}/",
        f"/search/?q={word}",
        "/articles.atom",
        "/articles.json",
        "/initiatives.atom",
        "/zh-hant/articles/",
        "/healthz",
        "/admin/login/",
    ]


def prepare_database(args, workdir, later_articles):
    """Generate the content, make and fill the database; return (DATABASE_URL, later file)."""
    print(f"writing {args.initial_articles} + {later_articles} articles ...", flush=True)
    files, _ = content_gen.generate_fixtures(
        workdir,
        args.initial_articles,
        args.seed,
        initiatives=INITIATIVES,
        organisations=ORGANISATIONS,
        later_articles=later_articles,
    )
    url = harness.fresh_database(DATABASE_NAME, workdir, args.database_url_template)
    harness.prepare_checkout(url, workdir)
    print("migrating a fresh database ...", flush=True)
    harness.run_manage(["migrate", "-v0"], url, workdir / "migrate")
    print(f"importing the starting set ({args.initial_articles} articles) ...", flush=True)
    # import_content also builds the whole-data downloads, as after any import.
    harness.run_manage(
        ["import_content", *map(str, files)],
        url,
        workdir / "import-initial",
        DJANGO_DOWNLOADS_DIR=str(downloads_dir(workdir)),
    )
    return url, workdir / content_gen.LATER_ARTICLES_FILE


def downloads_dir(workdir):
    """Where imports build the downloads (the downloads scenario serves them from there)."""
    return workdir / "downloads"


class Import:
    """`manage.py import_content` of one file, running in the background.

    A thread waits for it, so `seconds` is how long it ran, not when someone looked.
    """

    def __init__(self, url, path, workdir):
        self.stdout_path = workdir / "import-during-load.stdout.log"
        self.stderr_path = workdir / "import-during-load.stderr.log"
        command = [sys.executable, str(harness.MANAGE_PY), "import_content", str(path)]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.started = time.monotonic()
            self.process = subprocess.Popen(
                command,
                cwd=harness.REPO_ROOT,
                env=production_env(url, DJANGO_DOWNLOADS_DIR=str(downloads_dir(workdir))),
                stdout=out,
                stderr=err,
            )
        self.seconds = None
        self.waiter = threading.Thread(target=self._wait_for_exit, daemon=True)
        self.waiter.start()

    def _wait_for_exit(self):
        self.process.wait()
        self.seconds = time.monotonic() - self.started

    def finished(self):
        """Return True once the import has ended, either way."""
        return not self.waiter.is_alive()

    def wait(self, timeout):
        """Wait for the import to end; stop it (and say so) after `timeout` seconds."""
        self.waiter.join(timeout)
        if self.waiter.is_alive():
            self.stop()
            raise BenchmarkError(f"the import was still running after {timeout} s more; stopped")

    def stop(self):
        """Stop the import if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
            self.waiter.join()


def print_report(args, summary, paths, load_import, during, articles_after, server):
    """Print what the load saw and what became of the import."""
    database_kind = "PostgreSQL" if args.database_url_template else "SQLite"
    seconds = summary["duration_s"]
    print(
        f"\nLoad: {args.connections} connections for {args.seconds} s over {len(paths)} URLs "
        f"({database_kind}; gunicorn -w {args.workers}, debug off), while importing "
        f"{args.articles:,} articles into {args.initial_articles:,}"
    )
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(summary["statuses"].items()))
    sockets = {name: summary[name] for name in ("connect", "read", "write", "timeout")}
    errors = summary["status_errors"] + sum(sockets.values())
    rows = [
        ("requests", f"{summary['requests']} ({summary['requests'] / seconds:.1f}/s)"),
        ("answers by status", statuses or "none"),
        ("socket errors", ", ".join(f"{k} {n}" for k, n in sockets.items())),
        ("latency p50 / p99", f"{summary['p50_ms']:.0f} ms / {summary['p99_ms']:.0f} ms"),
    ]
    if load_import.process.returncode != 0:
        last = harness.tail(load_import.stderr_path, 1) or "(no output)"
        outcome = f"FAILED (exit {load_import.process.returncode}): {last}"
    elif during:
        outcome = f"finished during the load, in {load_import.seconds:.1f} s"
    else:
        outcome = f"finished {load_import.seconds - seconds:.1f} s after the load ended"
        outcome += f" (took {load_import.seconds:.1f} s)"
    rows.append(("import", outcome))
    expected = args.initial_articles + args.articles
    rows.append(("articles afterwards", f"{articles_after} (expected {expected})"))
    tracebacks, timeouts, exceptions = harness.server_log_summary(server.log_path)
    rows.append(("server log", f"{tracebacks} tracebacks, {timeouts} worker timeouts"))
    rows += [("", f"{n} x {line}") for line, n in exceptions.most_common(5)]
    for name, value in rows:
        print(f"{name:<22}{value}")
    verdict = "as expected" if errors == 0 else "0 expected"
    print(f"errors (status >= 400 or socket): {errors}, {verdict}")


def main(argv=None):
    """Run the load; return the process exit status."""
    args = parse_args(argv)
    harness.stop_on_sigterm()
    with harness.work_directory(args.workdir, args.keep, "hkai-load-bench-") as workdir:
        load_import = None
        try:
            harness.require_wrk()
            harness.print_machine_load()
            if args.scenario != "import":
                url, _ = prepare_database(args, workdir, later_articles=0)
                paths = load_paths(harness.content_facts(url))
                scenarios = FAULT_SCENARIOS if args.scenario == "all" else (args.scenario,)
                load_faults.run(args, url, paths, workdir, scenarios)
                return 0
            url, later_file = prepare_database(args, workdir, args.articles)
            paths = load_paths(harness.content_facts(url))
            with Server("load", "hkai.wsgi", production_env(url), workdir, args.workers) as server:
                harness.warm_up_portal(server)
                print(
                    f"load: {args.connections} connections for {args.seconds} s, "
                    f"importing {args.articles} articles meanwhile ...",
                    flush=True,
                )
                load_import = Import(url, later_file, workdir)
                summary = harness.run_wrk(
                    server.url(),
                    connections=args.connections,
                    seconds=args.seconds,
                    threads=args.threads,
                    timeout=args.timeout,
                    script="wrk_rotate.lua",
                    script_args=paths,
                )
                during = load_import.finished()
                if not during:
                    print("load over; waiting for the import to finish ...", flush=True)
                    load_import.wait(timeout=1800)
            articles_after = harness.count_rows(url, ["portal_article"])["portal_article"]
            print_report(args, summary, paths, load_import, during, articles_after, server)
            return 0
        except BenchmarkError as error:
            return harness.report_failure(error, args.keep, "fixtures, database and logs")
        finally:
            if load_import:
                load_import.stop()
            if not args.keep:
                harness.drop_database(DATABASE_NAME, args.database_url_template)


if __name__ == "__main__":
    sys.exit(main())
