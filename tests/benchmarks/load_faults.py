"""The fault scenarios of load_bench.py: page load while something else goes wrong.

- downloads: wrk across page types while --downloaders clients fetch whole data files
  (download_paths) one after another.
- redis-restart: the portal on a Redis server of the script's own (a free loopback port,
  never the machine's 6379), which is stopped and started again mid-run.
- junk-params: list pages, each request with a made-up ?utm_<random>=1 parameter, on the
  file cache and on Redis; the cache's size before and after.

Each scenario starts its own gunicorn (and Redis), with a fresh cache. Every request loop is
bounded by time (--seconds) and by count (--max-requests for wrk, --max-downloads per
download client, PROBE_INTERVAL for the probe); everything listens on 127.0.0.1 only.
"""

import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import harness
import redis  # installed with the portal (its Redis cache backend needs it)
from harness import BenchmarkError, Server, production_env

# Whole data files (the data page's downloads and the articles list's CSV, built ahead), and
# a filtered export of the busiest sector's articles (a large share of them), streamed while
# it is sent, a few at once.
WHOLE_DOWNLOADS = ("/data/articles.json", "/data/articles.csv", "/articles.csv")


def download_paths(paths):
    """The whole files, and the CSV of the first filtered articles list among `paths`."""
    filtered = next(path for path in paths if path.startswith("/articles/?sector="))
    return (*WHOLE_DOWNLOADS, filtered.replace("/articles/", "/articles.csv", 1))


# Lists whose cached page a made-up parameter must not multiply.
LIST_PAGES = (
    "/articles/",
    "/initiatives/",
    "/organisations/",
    "/sources/",
    "/sectors/",
    "/timeline/",
    "/zh-hant/articles/",
)
PROBE_PATH = "/articles/"
PROBE_INTERVAL = 0.2  # seconds between the restart probe's requests
SYSTEM_REDIS_PORT = 6379  # the machine's own Redis, if any: never used


# --- A Redis server of our own ---------------------------------------------------------------


class RedisServer:
    """redis-server on a free 127.0.0.1 port, without persistence, as a context manager.

    stop() and start() again keep the port, so a portal pointed at it sees the same server
    go away and come back (empty). Output goes to <workdir>/<name>.log.
    """

    def __init__(self, workdir, name):
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.port = None
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        """Start redis-server and return once it answers PING; raise BenchmarkError if not."""
        if not shutil.which("redis-server"):
            raise BenchmarkError(
                "redis-server is not on PATH. Install it with\n"
                "  sudo apt-get install -y redis-server     (Debian, Ubuntu)"
            )
        if self.port is None:
            self.port = harness.free_port()
        if self.port == SYSTEM_REDIS_PORT:
            raise BenchmarkError("refusing to start a benchmark Redis on port 6379")
        command = [
            "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.failure(f"exited with {self.process.returncode} while starting")
            try:
                if self.client().ping():
                    return
            except (OSError, redis.exceptions.ConnectionError):
                pass
            time.sleep(0.05)
        raise self.failure(f"did not answer PING within {timeout} s")

    def stop(self):
        """Stop redis-server (SIGTERM, then SIGKILL after 10 s); the port is kept."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def size(self):
        """Return (keys, used_memory in bytes) of database 0."""
        client = self.client()
        try:
            return client.dbsize(), client.info("memory")["used_memory"]
        finally:
            client.close()

    def failure(self, message):
        return BenchmarkError(
            f"redis-server on port {self.port} {message}.\n"
            f"--- last lines of {self.log_path} ---\n{harness.tail(self.log_path)}"
        )


# --- Helpers ---------------------------------------------------------------------------------


def file_cache_size(cache_dir):
    """Return (files, bytes) in a file cache directory."""
    files = [path for path in cache_dir.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def percentile(values, fraction):
    """Return the value at `fraction` (0-1) of the sorted `values` (nearest rank), or 0."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def wrk_rows(summary):
    """Return report rows for a wrk summary, and the count of errors in it."""
    seconds = summary["duration_s"] or 1
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(summary.get("statuses", {}).items()))
    sockets = {name: summary[name] for name in ("connect", "read", "write", "timeout")}
    errors = summary["status_errors"] + sum(sockets.values())
    rows = [
        ("requests", f"{summary['requests']} ({summary['requests'] / seconds:.1f}/s)"),
        ("answers by status", statuses or "none"),
        ("socket errors", ", ".join(f"{k} {n}" for k, n in sockets.items())),
        ("latency p50 / p99", f"{summary['p50_ms']:.0f} ms / {summary['p99_ms']:.0f} ms"),
    ]
    return rows, errors


def log_rows(server):
    """Return report rows about the server's log: tracebacks, timeouts, cache failures."""
    tracebacks, timeouts, exceptions = harness.server_log_summary(server.log_path)
    text = server.log_path.read_text(errors="replace")
    cache_failures = text.count("serving without the cache")
    rows = [
        (
            "server log",
            f"{tracebacks} tracebacks, {timeouts} worker timeouts, "
            f"{cache_failures} cache failures logged",
        )
    ]
    return rows + [("", f"{n} x {line}") for line, n in exceptions.most_common(5)]


def print_rows(title, rows, errors, expected="0 expected"):
    print(f"\n{title}")
    for name, value in rows:
        print(f"{name:<26}{value}")
    verdict = "as expected" if errors == 0 else expected
    print(f"errors (status >= 400 or socket): {errors}, {verdict}")


def start_server(name, args, url, workdir, **extra_env):
    """Return a started, warmed-up gunicorn serving the portal (the caller stops it)."""
    server = Server(name, "hkai.wsgi", production_env(url, **extra_env), workdir, args.workers)
    server.start()
    try:
        harness.warm_up_portal(server)
    except BaseException:
        server.stop()
        raise
    return server


def prime(server, paths):
    """Request each path once (filling the cache where a page is stored)."""
    for path in paths:
        harness.fetch(server.port, path, timeout=60)


def wrk(args, server, paths, *options):
    """Run wrk_rotate.lua over `paths` for --seconds, at most --max-requests in all."""
    per_thread = max(1, args.max_requests // args.threads)
    return harness.run_wrk(
        server.url(),
        connections=args.connections,
        seconds=args.seconds,
        threads=args.threads,
        timeout=args.timeout,
        script="wrk_rotate.lua",
        script_args=[f"max={per_thread}", *options, *paths],
    )


# --- Scenarios -------------------------------------------------------------------------------


def downloads(args, url, paths, workdir):
    """Pages under wrk while --downloaders clients fetch whole data files."""
    downloads = download_paths(paths)
    print(
        f"\n[downloads] {args.connections} connections on pages for {args.seconds} s, "
        f"{args.downloaders} clients downloading {', '.join(downloads)} ...",
        flush=True,
    )
    # Served from the files the import built, as `make serve` serves them.
    built = workdir / "downloads"
    server = start_server("downloads", args, url, workdir, DJANGO_DOWNLOADS_DIR=str(built))
    try:
        results = []  # (path, harness.Fetch); list.append is atomic
        deadline = time.monotonic() + args.seconds

        def download(index):
            for n in range(args.max_downloads):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                path = downloads[(index + n) % len(downloads)]
                results.append((path, harness.fetch(server.port, path, timeout=args.timeout)))

        clients = [
            threading.Thread(target=download, args=(i,), daemon=True)
            for i in range(args.downloaders)
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        summary = wrk(args, server, paths)
        for client in clients:
            client.join(args.timeout + 5)
        wall = time.monotonic() - started
    finally:
        server.stop()
    rows, errors = wrk_rows(summary)
    rows = [(f"pages: {name}" if name else "", value) for name, value in rows]
    # A 503 with Retry-After is the live-export limit at work, not a failure.
    failed = [result for _, result in results if not result.ok and result.status != 503]
    total_bytes = sum(result.size for _, result in results)
    times = [result.total * 1000 for _, result in results if result.ok]
    rows += [
        (
            "downloads",
            f"{len(results)} whole files, {len(failed)} failed, "
            f"{total_bytes / 1e6:.1f} MB in {wall:.1f} s ({total_bytes / 1e6 / wall:.1f} MB/s)",
        ),
        (
            "download time",
            f"p50 {percentile(times, 0.5):.0f} ms, max {max(times, default=0):.0f} ms",
        ),
    ]
    for path in downloads:
        mine = [result for p, result in results if p == path]
        sizes = {result.size for result in mine if result.ok}
        size = f"{max(sizes) / 1e6:.2f} MB" if sizes else "-"
        statuses = Counter(result.describe() for result in mine)
        times = sorted(result.total * 1000 for result in mine if result.ok)
        rows.append(
            (
                "",
                f"{path}: {len(mine)} x {size}, "
                + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
                + f"; p50 {percentile(times, 0.5):.0f} ms",
            )
        )
    rows += [("", f"failed: {result.describe()}") for result in failed[:5]]
    rows += log_rows(server)
    print_rows(
        f"Downloads: {args.connections} connections for {args.seconds} s over {len(paths)} "
        f"URLs while {args.downloaders} clients download whole data files (file cache)",
        rows,
        errors + len(failed),
    )


def redis_restart(args, url, paths, workdir):
    """Pages under wrk on our own Redis, which is stopped and started again mid-run."""
    down_at = args.seconds / 3
    print(
        f"\n[redis-restart] {args.connections} connections for {args.seconds} s; the portal's "
        f"Redis stops at {down_at:.0f} s and starts again {args.redis_down} s later ...",
        flush=True,
    )
    with RedisServer(workdir, "redis-restart-redis") as redis_server:
        print(f"redis-server on 127.0.0.1:{redis_server.port}", flush=True)
        server = start_server("redis-restart", args, url, workdir, REDIS_URL=redis_server.url)
        try:
            prime(server, paths)
            keys_before, _ = redis_server.size()
            started = time.monotonic()
            deadline = started + args.seconds
            events = {}
            probes = []  # (seconds since start, Fetch)

            def restart():
                time.sleep(down_at)
                redis_server.stop()
                events["stopped"] = time.monotonic() - started
                time.sleep(args.redis_down)
                try:
                    redis_server.start()
                    events["started"] = time.monotonic() - started
                except BenchmarkError as error:
                    events["error"] = str(error)

            def probe():
                # One request at a time, a few times a second: when the failures (if any) came.
                for _ in range(int(args.seconds / PROBE_INTERVAL) + 1):
                    if time.monotonic() >= deadline:
                        return
                    at = time.monotonic() - started
                    probes.append((at, harness.fetch(server.port, PROBE_PATH, timeout=10)))
                    time.sleep(PROBE_INTERVAL)

            helpers = [threading.Thread(target=f, daemon=True) for f in (restart, probe)]
            for helper in helpers:
                helper.start()
            summary = wrk(args, server, paths)
            for helper in helpers:
                helper.join(args.redis_down + args.seconds + 15)
            if "error" in events:
                raise BenchmarkError(f"Redis did not start again: {events['error']}")
            time.sleep(1)  # past the portal's pause after a cache error
            prime(server, paths)
            keys_after, _ = redis_server.size()
            health = harness.fetch(server.port, "/healthz", timeout=10)
        finally:
            server.stop()
    rows, errors = wrk_rows(summary)
    rows.append(
        (
            "Redis",
            f"stopped at {events.get('stopped', 0):.1f} s, answering again at "
            f"{events.get('started', 0):.1f} s; keys {keys_before} before, "
            f"{keys_after} after the restart and one more round of pages",
        )
    )
    phases = {"before": [], "Redis down": [], "after": []}
    for at, result in probes:
        if at < events.get("stopped", float("inf")):
            phases["before"].append(result)
        elif at < events.get("started", float("inf")):
            phases["Redis down"].append(result)
        else:
            phases["after"].append(result)
    for phase, results in phases.items():
        statuses = Counter(result.describe() for result in results)
        times = [result.total * 1000 for result in results]
        rows.append(
            (
                f"probe, {phase}",
                f"{PROBE_PATH} {len(results)} times, "
                + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
                + f"; p50 {percentile(times, 0.5):.0f} ms, max {max(times, default=0):.0f} ms",
            )
        )
    rows.append(("/healthz afterwards", f"{health.describe()} {health.body[:80].decode()!r}"))
    rows += log_rows(server)
    print_rows(
        f"Redis restart: {args.connections} connections for {args.seconds} s over "
        f"{len(paths)} URLs, Redis stopped for {args.redis_down} s mid-run",
        rows,
        errors,
        "0 expected (the cache fails open)",
    )


def junk_params(args, url, workdir):
    """List pages with a made-up parameter on every request; the cache's size around it."""
    backends = ("file", "redis") if args.junk_cache == "both" else (args.junk_cache,)
    for backend in backends:
        print(
            f"\n[junk-params, {backend} cache] {args.connections} connections for "
            f"{args.seconds} s on {len(LIST_PAGES)} lists with ?utm_<random>=1 ...",
            flush=True,
        )
        if backend == "redis":
            with RedisServer(workdir, "junk-params-redis") as redis_server:
                server = start_server(
                    "junk-params-redis", args, url, workdir, REDIS_URL=redis_server.url
                )
                try:
                    prime(server, LIST_PAGES)
                    before = redis_server.size()
                    summary = wrk(args, server, LIST_PAGES, "junk")
                    after = redis_server.size()
                finally:
                    server.stop()

            def describe(size):
                return f"{size[0]} keys, used_memory {size[1] / 1e6:.2f} MB"
        else:
            server = start_server("junk-params-file", args, url, workdir)
            try:
                cache_dir = Path(server.cache_dir)
                prime(server, LIST_PAGES)
                before = file_cache_size(cache_dir)
                summary = wrk(args, server, LIST_PAGES, "junk")
                after = file_cache_size(cache_dir)
            finally:
                server.stop()

            def describe(size):
                return f"{size[0]} files, {size[1] / 1e6:.2f} MB"

        rows, errors = wrk_rows(summary)
        rows += [
            ("cache before", f"{describe(before)} (after one plain request per list)"),
            ("cache after", f"{describe(after)} ({after[0] - before[0]:+d} entries)"),
        ]
        rows += log_rows(server)
        print_rows(
            f"Junk parameters ({backend} cache): {args.connections} connections for "
            f"{args.seconds} s over {len(LIST_PAGES)} lists, each request ?utm_<random>=1",
            rows,
            errors,
        )


def run(args, url, paths, workdir, scenarios):
    """Run the named fault scenarios in turn against the database at `url`."""
    for scenario in scenarios:
        if scenario == "downloads":
            downloads(args, url, paths, workdir)
        elif scenario == "redis-restart":
            redis_restart(args, url, paths, workdir)
        elif scenario == "junk-params":
            junk_params(args, url, workdir)
