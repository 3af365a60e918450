"""Time the open data downloads (/data/articles.csv and .json) on N generated articles.

Usage, from the checkout root:

    .venv/bin/python tests/benchmarks/data_bench.py --articles 100000 --workdir /tmp/pages --keep
    .venv/bin/python tests/benchmarks/data_bench.py --articles 100000 --workdir /tmp/pages --reuse

It builds (or, with --reuse, keeps) the same databases as page_bench.py, so one work
directory serves both. Each download is made from a gunicorn with one worker, started afresh
(nothing cached), and the script prints its time to the first byte, its total time, its size,
and the worker's peak memory (VmHWM) before and after it: a download that streams in constant
memory leaves the peak where it was. /articles.csv, the finder's CSV, is timed alongside.
Twice: streamed from the database (as before the downloads are first built, with background
builds off), then from the files `manage.py build_downloads` built (timed too).

This is not a test: pytest does not collect it, and no test asserts on timings.
"""

import argparse
import http.client
import sys
import time
from pathlib import Path

import harness
import page_bench
from harness import BenchmarkError, Server, production_env

PATHS = ("/data/articles.csv", "/data/articles.json", "/data/articles-sectors.csv", "/articles.csv")
# Seconds a download may take before gunicorn stops its worker.
DOWNLOAD_TIMEOUT = 600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--initiatives", type=int, default=1500)
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="see page_bench.py --help")
    parser.add_argument("--database-url-template", help="see page_bench.py --help")
    args = parser.parse_args(argv)
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")
    args.keep = args.keep or args.reuse
    return args


def worker_pid(server):
    """The pid of the server's one worker (gunicorn's master has it as its only child)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        pids = children.read_text().split()
        if pids:
            return int(pids[0])
        time.sleep(0.1)
    raise server.failure("started no worker")


def peak_memory_mb(pid):
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise BenchmarkError(f"no VmHWM for process {pid}")


def download(port, path):
    """GET `path`, reading the body in pieces; return (status, ttfb s, total s, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DOWNLOAD_TIMEOUT)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        ttfb = time.perf_counter() - started
        size = 0
        while piece := response.read(1 << 16):
            size += len(piece)
        return response.status, ttfb, time.perf_counter() - started, size
    finally:
        conn.close()


def measure(url, path, workdir, **extra_env):
    harness.GUNICORN_TIMEOUT = DOWNLOAD_TIMEOUT
    env = production_env(url, **extra_env)
    with Server("data", page_bench.PORTAL_APP, env, workdir, workers=1) as server:
        harness.warm_up_portal(server)
        pid = worker_pid(server)
        before = peak_memory_mb(pid)
        status, ttfb, total, size = download(server.port, path)
        return status, ttfb, total, size, before, peak_memory_mb(pid)


def main(argv=None):
    args = parse_args(argv)
    harness.stop_on_sigterm()
    kind = "PostgreSQL" if args.database_url_template else "SQLite"
    with harness.work_directory(args.workdir, args.keep, "hkai-data-bench-") as workdir:
        try:
            harness.print_machine_load()
            fixtures_url = harness.database_url(
                page_bench.DATABASES["fixtures"], workdir, args.database_url_template
            )
            harness.prepare_checkout(fixtures_url, workdir)
            url = page_bench.build_databases(args, workdir)["generated"]
            built = workdir / "downloads"
            seconds, peak = harness.run_manage(
                ["build_downloads"],
                url,
                workdir / "build-downloads",
                DJANGO_DOWNLOADS_DIR=str(built),
            )
            ways = {
                "streamed from the database": {"DJANGO_DOWNLOADS_BACKGROUND": "0"},
                f"from built files (build_downloads: {seconds:.1f} s, peak {peak:.0f} MB)": {
                    "DJANGO_DOWNLOADS_DIR": str(built)
                },
            }
            for way, extra_env in ways.items():
                print(
                    f"\nOpen data downloads, {args.articles:,} generated articles, {kind}, "
                    f"one worker, {way}"
                )
                print(
                    f"{'path':32} {'status':>6} {'TTFB':>9} {'total':>9} {'size':>10} "
                    f"{'peak MB before':>15} {'after':>7}"
                )
                for path in PATHS:
                    status, ttfb, total, size, before, after = measure(
                        url, path, workdir, **extra_env
                    )
                    print(
                        f"{path:32} {status:>6} {ttfb * 1000:>7.0f}ms {total:>8.1f}s "
                        f"{size / 1e6:>8.1f}MB {before:>15.0f} {after:>7.0f}",
                        flush=True,
                    )
            return 0
        except BenchmarkError as error:
            return harness.report_failure(error, args.keep, "databases and logs")
        finally:
            if not args.keep:
                for name in page_bench.DATABASES.values():
                    harness.drop_database(name, args.database_url_template)


if __name__ == "__main__":
    sys.exit(main())
