"""Benchmark `manage.py import_content` against `loaddata` on a large synthetic fixture set.

Usage, from the checkout root:

    .venv/bin/python tests/benchmarks/import_bench.py --articles 100000
    .venv/bin/python tests/benchmarks/import_bench.py --articles 2000 --keep --workdir /tmp/bench
    .venv/bin/python tests/benchmarks/import_bench.py \
        --database-url-template "postgres://postgres@127.0.0.1:5432/{name}"

What it does:

1. Writes a repeatable (seeded) fixture set with content_gen.py, in Django's JSON fixture
   format, with natural keys and no primary keys: 10_sources.json, 20_sectors.json,
   30_organisations.json, 40_initiatives.json and 50_articles.json (12 sectors, 300
   organisations, 1,000 initiatives). Files are written one record at a time, so the
   generator's own memory stays flat however many articles are asked for.
2. For each tool (import_content, then loaddata unless --skip-loaddata) it makes a fresh
   database (a SQLite file in the work directory, or a PostgreSQL database created from
   --database-url-template), runs `migrate`, then times the import in a child process and
   reads that child's peak resident memory from os.wait4(). It then counts the articles and
   their relation rows, so an import that fails or skips rows cannot look fast.
3. Prints a table of wall time and peak memory per tool, the loaddata / import_content ratio,
   and whether the targets hold.

Targets: import_content is at least 5x faster than loaddata, and its peak RSS stays under
300 MB. The script reports them; it exits 0 whether or not they hold, and non-zero only when
something fails (a command exits with an error, or the database ends up with the wrong rows).

This is not a test: pytest does not collect it, and no test asserts on timings.
"""

import argparse
import sys
import time
from pathlib import Path

import content_gen
import harness
from harness import BenchmarkError, count_rows, drop_database, fresh_database, run_manage

TOOLS = ("import_content", "loaddata")
SPEED_TARGET = 5.0  # import_content must be at least this many times faster than loaddata
RSS_TARGET_MB = 300

# The article relations checked after each import: through table -> key in the expected tally.
ARTICLE_LINK_TABLES = {
    "portal_article_sectors": "sectors",
    "portal_article_initiatives": "initiatives",
    "portal_article_organisations": "organisations",
    "portal_article_sources": "sources",
}


def parse_args(argv=None):
    """Return the command-line options."""
    parser = argparse.ArgumentParser(
        description="Time import_content against loaddata on a synthetic fixture set."
    )
    parser.add_argument(
        "--articles", type=int, default=100_000, help="number of articles (default 100000)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where fixtures and SQLite files go (default: a temp dir)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep fixtures, databases and logs afterwards"
    )
    parser.add_argument("--skip-loaddata", action="store_true", help="only time import_content")
    parser.add_argument(
        "--database-url-template",
        help='PostgreSQL URL with a {name} placeholder, e.g. "postgres://postgres@127.0.0.1:5432/{name}"'
        "; each tool gets a fresh database of that name (default: SQLite files in the workdir)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if args.database_url_template and "{name}" not in args.database_url_template:
        parser.error("--database-url-template must contain {name}")
    return args


# --- Running the tools -----------------------------------------------------------------------


def check_rows(database_url, tool, article_count, expected_links):
    """Raise BenchmarkError unless the database holds every article and article relation."""
    tables = {"portal_article": article_count}
    tables.update({table: expected_links[key] for table, key in ARTICLE_LINK_TABLES.items()})
    counts = count_rows(database_url, tables)
    wrong = [f"{t}: {counts[t]} rows, expected {n}" for t, n in tables.items() if counts[t] != n]
    if wrong:
        raise BenchmarkError(f"{tool} left the wrong rows behind:\n  " + "\n  ".join(wrong))


def benchmark_tool(tool, fixtures, workdir, args, expected_links):
    """Load the fixtures with `tool` into a fresh database; return (seconds, peak RSS MB)."""
    database_url = fresh_database(tool, workdir, args.database_url_template)
    try:
        print(f"{tool}: migrating a fresh database ...", flush=True)
        run_manage(["migrate", "-v0"], database_url, workdir / f"{tool}-migrate")
        print(f"{tool}: importing {len(fixtures)} files ...", flush=True)
        files = [str(path) for path in fixtures]
        seconds, rss_mb = run_manage([tool, *files], database_url, workdir / tool)
        check_rows(database_url, tool, args.articles, expected_links)
        print(f"{tool}: {seconds:.1f} s, peak RSS {rss_mb:.0f} MB, rows checked", flush=True)
        return seconds, rss_mb
    finally:
        if not args.keep:
            drop_database(tool, args.database_url_template)


# --- Report ----------------------------------------------------------------------------------


def print_report(article_count, fixture_mb, results):
    """Print the results table, the speed ratio and whether the targets hold."""
    print()
    print(f"{'articles':<24}{article_count:>12}")
    print(f"{'fixture size (MB)':<24}{fixture_mb:>12.1f}")
    print()
    print(f"{'tool':<24}{'wall (s)':>12}{'peak RSS (MB)':>16}")
    for tool, (seconds, rss_mb) in results.items():
        print(f"{tool:<24}{seconds:>12.2f}{rss_mb:>16.1f}")
    print()
    import_seconds, import_rss = results["import_content"]
    if "loaddata" in results:
        ratio = results["loaddata"][0] / import_seconds
        print(f"{'loaddata / import_content':<24}{ratio:>11.1f}x")
        speed = "yes" if ratio >= SPEED_TARGET else "NO"
        print(f"target: import_content at least {SPEED_TARGET:g}x faster than loaddata: {speed}")
    else:
        print("target: import_content at least 5x faster than loaddata: not measured")
    memory = "yes" if import_rss < RSS_TARGET_MB else "NO"
    print(f"target: import_content peak RSS under {RSS_TARGET_MB} MB: {memory}")


def main(argv=None):
    """Run the benchmark; return the process exit status."""
    args = parse_args(argv)
    with harness.work_directory(args.workdir, args.keep, "hkai-import-bench-") as workdir:
        try:
            started = time.perf_counter()
            fixtures, expected_links = content_gen.generate_fixtures(
                workdir, args.articles, args.seed
            )
            fixture_mb = sum(path.stat().st_size for path in fixtures) / 2**20
            elapsed = time.perf_counter() - started
            print(f"generated {fixture_mb:.1f} MB of fixtures in {elapsed:.1f} s", flush=True)
            tools = TOOLS[:1] if args.skip_loaddata else TOOLS
            results = {
                tool: benchmark_tool(tool, fixtures, workdir, args, expected_links)
                for tool in tools
            }
            print_report(args.articles, fixture_mb, results)
            return 0
        except BenchmarkError as error:
            return harness.report_failure(error, args.keep, "fixtures, databases and logs")


if __name__ == "__main__":
    sys.exit(main())
