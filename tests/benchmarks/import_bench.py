"""Benchmark `manage.py import_content` against `loaddata` on a large synthetic fixture set.

Usage, from the checkout root:

    .venv/bin/python tests/benchmarks/import_bench.py --articles 100000
    .venv/bin/python tests/benchmarks/import_bench.py --articles 2000 --keep --workdir /tmp/bench
    .venv/bin/python tests/benchmarks/import_bench.py \
        --database-url-template "postgres://postgres@127.0.0.1:5432/{name}"

What it does:

1. Writes a repeatable (seeded) fixture set in Django's JSON fixture format, with natural keys
   and no primary keys: 10_sources.json, 20_sectors.json, 30_organisations.json,
   40_initiatives.json and 50_articles.json. Files are written one record at a time, so the
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
import contextlib
import datetime
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MANAGE_PY = REPO_ROOT / "manage.py"

TOOLS = ("import_content", "loaddata")
SPEED_TARGET = 5.0  # import_content must be at least this many times faster than loaddata
RSS_TARGET_MB = 300

SECTOR_COUNT = 12
ORGANISATION_COUNT = 300
INITIATIVE_COUNT = 1000
HK_TZ = datetime.timezone(datetime.timedelta(hours=8))

# The article relations checked after each import: through table -> key in the expected tally.
ARTICLE_LINK_TABLES = {
    "portal_article_sectors": "sectors",
    "portal_article_initiatives": "initiatives",
    "portal_article_organisations": "organisations",
    "portal_article_sources": "sources",
}

# Choice values, copied from portal/models.py so the generator needs no Django setup.
ORGANISATION_KINDS = [
    "government_body",
    "statutory_body",
    "university",
    "research_centre",
    "company",
    "industry_body",
]
INITIATIVE_KINDS = [
    "strategy",
    "funding",
    "research",
    "infrastructure",
    "regulation",
    "sandbox",
    "talent",
]
INITIATIVE_STATUSES = ["planned", "active", "completed"]

SECTOR_NAMES = [
    "Finance",
    "Healthcare",
    "Education",
    "Transport and logistics",
    "Government services",
    "Legal services",
    "Retail and e-commerce",
    "Property and construction",
    "Telecommunications",
    "Manufacturing",
    "Creative industries",
    "Research",
]
PLACES = [
    "Hong Kong",
    "Kowloon",
    "Victoria Harbour",
    "Pearl River",
    "Lion Rock",
    "Cyberport",
    "Science Park",
    "Tsuen Wan",
    "Sha Tin",
    "Tseung Kwan O",
    "Lantau",
    "Wan Chai",
    "Central",
    "Kwun Tong",
    "Sai Kung",
    "Northern Metropolis",
]
FIELDS = [
    "Artificial Intelligence",
    "Machine Learning",
    "Data Science",
    "Robotics",
    "Fintech",
    "Smart City",
    "Computer Vision",
    "Language Technology",
    "Digital Health",
    "Automation",
    "Cloud Computing",
    "Cybersecurity",
    "Analytics",
    "Generative AI",
    "Autonomous Systems",
]
ORGANISATION_SUFFIXES = [
    "Institute",
    "Centre",
    "Laboratory",
    "Association",
    "Council",
    "Limited",
    "Foundation",
    "Alliance",
]
INITIATIVE_PREFIXES = [
    "Programme for",
    "Scheme for",
    "Fund for",
    "Sandbox for",
    "Blueprint for",
    "Cluster for",
    "Guidelines on",
    "Platform for",
    "Academy of",
    "Initiative on",
    "Taskforce on",
]
INITIATIVE_AUDIENCES = [
    "Start-ups",
    "SMEs",
    "Universities",
    "Hospitals",
    "Banks",
    "Schools",
    "the Public Sector",
    "Young Talent",
    "Researchers",
    "Manufacturers",
]
BYLINES = [
    "Mei Ling Chan",
    "Ka Wai Wong",
    "Priya Raman",
    "Tom Leung",
    "Hoi Yan Lam",
    "David Cheung",
    "Sophie Ng",
    "Arjun Mehta",
    "Wing Sze Lau",
    "HKAI Portal staff",
]
PUBLISHERS = [
    "Hong Kong Monetary Authority",
    "Innovation, Technology and Industry Bureau",
    "Office of the Government Chief Information Officer",
    "Hong Kong Science Park",
    "Cyberport",
    "Legislative Council",
    "South China Morning Post",
    "RTHK",
    "The University of Hong Kong",
    "HKUST",
    "Hospital Authority",
    "ASTRI",
]
WORDS = (
    "model data policy government research university funding pilot scheme bank hospital "
    "school student teacher patient clinician regulator guideline sandbox computing cluster "
    "supercomputer talent programme laboratory partnership startup company investment market "
    "risk privacy security ethics transparency accountability evaluation benchmark dataset "
    "language translation Cantonese English Putonghua chatbot assistant service citizen "
    "district transport traffic logistics port airport railway property construction energy "
    "climate forecast finance insurance payment fraud detection compliance audit procurement "
    "infrastructure cloud platform network sensor camera robot automation manufacturing "
    "retail customer experience design creative media film music education curriculum "
    "training workshop conference strategy blueprint budget council committee consultation "
    "report survey announcement launch expansion collaboration mainland cross-boundary "
    "innovation technology industry public sector quickly carefully widely openly early "
    "new large small local regional international leading responsible practical useful "
    "secure fair reliable efficient ambitious cautious measured significant"
).split()
VERBS = (
    "announced expanded launched reviewed funded tested deployed evaluated published opened "
    "proposed adopted extended trialled approved supports improves reduces measures explains"
).split()


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


class BenchmarkError(Exception):
    """Something failed; the message says what, and the script exits non-zero."""


# --- Fixture generation ---------------------------------------------------------------------


# Text the portal stores per language is written as its English column (e.g. name -> name_en).
TRANSLATED_AS = {
    name: f"{name}_en" for name in ("name", "short_name", "summary", "description", "title", "body")
}


@contextlib.contextmanager
def fixture_writer(path):
    """Yield a function write(model, fields) that appends one record to a JSON list in `path`.

    Records go straight to the file, so memory does not grow with the number of records.
    """
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[\n")
        first = True

        def write(model, fields):
            nonlocal first
            if not first:
                handle.write(",\n")
            first = False
            if model != "portal.source":  # a source's title is not translated
                fields = {TRANSLATED_AS.get(name, name): value for name, value in fields.items()}
            handle.write(json.dumps({"model": model, "fields": fields}, ensure_ascii=False))

        yield write
        handle.write("\n]\n")


def unique_names(rng, parts, count):
    """Return `count` distinct names made by joining one item from each list in `parts`."""
    combinations = list(itertools.product(*parts))
    if count > len(combinations):
        raise ValueError(f"only {len(combinations)} distinct names for {count} records")
    return [" ".join(combo) for combo in rng.sample(combinations, count)]


def acronym(name, limit=40):
    """Return the capital initials of `name`, at most `limit` characters (a short name)."""
    return "".join(word[0] for word in name.split() if word[0].isupper())[:limit]


def pick(rng, count, low, high):
    """Return a sorted list of between `low` and `high` distinct numbers from 1..count."""
    k = min(rng.randint(low, high), count)
    return sorted(rng.sample(range(1, count + 1), k))


def sentence_case(text):
    """Return `text` with its first letter in upper case and the rest untouched."""
    return text[:1].upper() + text[1:]


def sentence_pool(rng, size=4000):
    """Return `size` plain-English-ish sentences of 8 to 24 words to build text from."""
    sentences = []
    for _ in range(size):
        words = rng.choices(WORDS, k=rng.randint(8, 24))
        words.insert(rng.randint(1, len(words) - 1), rng.choice(VERBS))
        if rng.random() < 0.15:
            spot = rng.randrange(len(words))
            words[spot] = f"**{words[spot]}**"
        sentences.append(sentence_case(" ".join(words)) + ".")
    return sentences


def text_of_length(rng, sentences, minimum):
    """Return sentences joined until the text is at least `minimum` characters long."""
    parts, length = [], 0
    while length < minimum:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


def markdown_body(rng, sentences):
    """Return a Markdown article body of 2 to 6 KB: paragraphs, a heading or two and a list."""
    # Blocks overshoot the target by up to ~800 characters; bodies end up between 2 and 6 KB.
    target = rng.randint(1900, 5200)
    blocks, length, headings = [], 0, 0
    while length < target:
        roll = rng.random()
        if blocks and roll < 0.12 and headings < 2:
            block = "## " + sentence_case(" ".join(rng.choices(WORDS, k=rng.randint(2, 5))))
            headings += 1
        elif blocks and roll < 0.25:
            items = rng.randint(3, 5)
            block = "\n".join("- " + rng.choice(sentences) for _ in range(items))
        else:
            block = text_of_length(rng, sentences, rng.randint(300, 700))
            if rng.random() < 0.2:
                news = rng.randint(1, 9999)
                block += f" See [the announcement](https://example.org/news/{news})."
        blocks.append(block)
        length += len(block) + 2
    if not headings:
        blocks.insert(1, "## Background")
    return "\n\n".join(blocks)


def title_words(rng, minimum=55, maximum=70):
    """Return a title of about 60 characters."""
    words = [rng.choice(PLACES), rng.choice(VERBS)]
    while len(" ".join(words)) < minimum:
        words.append(rng.choice(WORDS))
    return sentence_case(" ".join(words)[:maximum].rstrip())


def write_sources(path, rng, count):
    """Write `count` sources, natural key https://example.org/source/<n>."""
    start = datetime.date(2018, 1, 1)
    with fixture_writer(path) as write:
        for n in range(1, count + 1):
            accessed = start + datetime.timedelta(days=rng.randrange(2900))
            write(
                "portal.source",
                {
                    "url": f"https://example.org/source/{n}",
                    "title": title_words(rng, 30, 120) if rng.random() < 0.9 else "",
                    "publisher": rng.choice(PUBLISHERS),
                    "accessed": accessed.isoformat() if rng.random() < 0.8 else None,
                },
            )


def write_sectors(path, rng, sentences):
    """Write the sectors, natural key sector-<n>."""
    with fixture_writer(path) as write:
        for n, name in enumerate(SECTOR_NAMES[:SECTOR_COUNT], start=1):
            write(
                "portal.sector",
                {
                    "name": name,
                    "slug": f"sector-{n}",
                    "summary": text_of_length(rng, sentences, 80)[:300],
                    "description": text_of_length(rng, sentences, 600),
                    "sort_weight": n * 10,
                },
            )


def write_organisations(path, rng, sentences, source_count):
    """Write the organisations, natural key org-<n>."""
    names = unique_names(rng, [PLACES, FIELDS, ORGANISATION_SUFFIXES], ORGANISATION_COUNT)
    with fixture_writer(path) as write:
        for n, name in enumerate(names, start=1):
            write(
                "portal.organisation",
                {
                    "name": name,
                    "slug": f"org-{n}",
                    "short_name": acronym(name),
                    "kind": rng.choice(ORGANISATION_KINDS),
                    "founded_year": rng.randint(1950, 2024) if rng.random() < 0.8 else None,
                    "website": f"https://org-{n}.example.hk/",
                    "description": text_of_length(rng, sentences, rng.randint(200, 1200)),
                    "sectors": [[f"sector-{s}"] for s in pick(rng, SECTOR_COUNT, 1, 3)],
                    "sources": [
                        [f"https://example.org/source/{s}"] for s in pick(rng, source_count, 0, 2)
                    ],
                },
            )


def initiative_years(rng):
    """Return (start_year, end_year) within 1990-2030, each possibly None, end >= start."""
    start = rng.randint(1990, 2030) if rng.random() < 0.85 else None
    if rng.random() < 0.5:
        return start, None
    return start, rng.randint(start or 1990, 2030)


def write_initiatives(path, rng, sentences, source_count):
    """Write the initiatives, natural key initiative-<n>."""
    names = unique_names(
        rng,
        [INITIATIVE_PREFIXES, FIELDS, ["in", "across"], INITIATIVE_AUDIENCES],
        INITIATIVE_COUNT,
    )
    with fixture_writer(path) as write:
        for n, name in enumerate(names, start=1):
            lead = rng.randint(1, ORGANISATION_COUNT) if rng.random() < 0.9 else None
            partners = [p for p in pick(rng, ORGANISATION_COUNT, 0, 4) if p != lead]
            start_year, end_year = initiative_years(rng)
            write(
                "portal.initiative",
                {
                    "name": name,
                    "slug": f"initiative-{n}",
                    "short_name": acronym(name),
                    "kind": rng.choice(INITIATIVE_KINDS),
                    "lead_organisation": [f"org-{lead}"] if lead else None,
                    "partners": [[f"org-{p}"] for p in partners],
                    "sectors": [[f"sector-{s}"] for s in pick(rng, SECTOR_COUNT, 1, 3)],
                    "start_year": start_year,
                    "end_year": end_year,
                    "status": rng.choice(INITIATIVE_STATUSES),
                    "website": f"https://initiative-{n}.example.hk/" if rng.random() < 0.7 else "",
                    "summary": text_of_length(rng, sentences, 120)[:300],
                    "description": text_of_length(rng, sentences, rng.randint(300, 1500)),
                    "sources": [
                        [f"https://example.org/source/{s}"] for s in pick(rng, source_count, 1, 3)
                    ],
                },
            )


def write_articles(path, rng, sentences, count, source_count):
    """Write `count` articles to `path`; returns the expected number of rows per relation."""
    links = dict.fromkeys(ARTICLE_LINK_TABLES.values(), 0)
    first_day = datetime.datetime(2015, 1, 1, tzinfo=HK_TZ)
    with fixture_writer(path) as write:
        for n in range(1, count + 1):
            title = title_words(rng)
            relations = {
                "sectors": [[f"sector-{s}"] for s in pick(rng, SECTOR_COUNT, 1, 3)],
                "initiatives": [[f"initiative-{i}"] for i in pick(rng, INITIATIVE_COUNT, 0, 3)],
                "organisations": [[f"org-{o}"] for o in pick(rng, ORGANISATION_COUNT, 0, 3)],
                "sources": [
                    [f"https://example.org/source/{s}"] for s in pick(rng, source_count, 1, 2)
                ],
            }
            for name, keys in relations.items():
                links[name] += len(keys)
            publish_at = first_day + datetime.timedelta(minutes=rng.randrange(12 * 365 * 24 * 60))
            fields = {
                "title": title,
                "slug": f"{title.lower().replace(' ', '-')[:100]}-{n}",
                "summary": text_of_length(rng, sentences, rng.randint(100, 170)),
                "body": markdown_body(rng, sentences),
                "byline": rng.choice(BYLINES),
                "status": "published" if rng.random() < 0.9 else "draft",
                "publish_at": publish_at.isoformat(),
                **relations,
            }
            write("portal.article", fields)
    return links


def generate_fixtures(workdir, article_count, seed):
    """Write the fixture files into `workdir`.

    Returns (fixture paths in load order, expected article relation row counts). Both tools
    load the same files.
    """
    rng = random.Random(seed)
    sentences = sentence_pool(rng)
    source_count = max(20, article_count // 10)
    shared = [
        workdir / name
        for name in (
            "10_sources.json",
            "20_sectors.json",
            "30_organisations.json",
            "40_initiatives.json",
        )
    ]
    articles = workdir / "50_articles.json"
    write_sources(shared[0], rng, source_count)
    write_sectors(shared[1], rng, sentences)
    write_organisations(shared[2], rng, sentences, source_count)
    write_initiatives(shared[3], rng, sentences, source_count)
    links = write_articles(articles, rng, sentences, article_count, source_count)
    return [*shared, articles], links


# --- Databases -------------------------------------------------------------------------------


def fresh_database(tool, workdir, url_template):
    """Create an empty database for `tool` and return its DATABASE_URL."""
    if not url_template:
        path = workdir / f"{tool}.sqlite3"
        for leftover in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    drop_database(tool, url_template)
    postgres_admin(url_template, "CREATE DATABASE {}", tool)
    return url_template.format(name=f"hkai_bench_{tool}")


def drop_database(tool, url_template):
    """Drop `tool`'s PostgreSQL database if there is one (SQLite files go with the workdir)."""
    if url_template:
        postgres_admin(url_template, "DROP DATABASE IF EXISTS {}", tool)


def postgres_admin(url_template, statement, tool):
    """Run `statement` on the server's postgres database, {} being `tool`'s database name."""
    import psycopg  # only needed, and only imported, when benchmarking PostgreSQL
    from psycopg import sql

    query = sql.SQL(statement).format(sql.Identifier(f"hkai_bench_{tool}"))
    with psycopg.connect(url_template.format(name="postgres"), autocommit=True) as conn:
        conn.execute(query)


def count_rows(database_url, tables):
    """Return {table: row count} read directly from the database at `database_url`."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    else:
        import psycopg  # only needed, and only imported, when benchmarking PostgreSQL

        conn = psycopg.connect(database_url)
    try:
        cursor = conn.cursor()
        counts = {}
        for table in tables:  # fixed names from this module, never user input
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        conn.close()


# --- Running the tools -----------------------------------------------------------------------


def tail(path, lines=30):
    """Return the last `lines` lines of a log file."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def run_manage(args, database_url, log_stem):
    """Run `manage.py <args>` in a child process and return (wall seconds, peak RSS in MB).

    The child's output goes to <log_stem>.stdout.log and .stderr.log. Peak RSS comes from
    os.wait4() on this one child, not getrusage(RUSAGE_CHILDREN), which would take the
    maximum over every child this script has waited for. Raises BenchmarkError on failure.
    """
    # Debug off, as in production: with debug on, Django keeps every query's SQL in memory.
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-not-a-secret",
        "DATABASE_URL": database_url,
    }
    command = [sys.executable, str(MANAGE_PY), *args]
    stdout_path = Path(f"{log_stem}.stdout.log")
    stderr_path = Path(f"{log_stem}.stderr.log")
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
    made_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="hkai-import-bench-")) if made_workdir else args.workdir
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    made_files = set(workdir.iterdir())
    try:
        print(f"work directory: {workdir}", flush=True)
        started = time.perf_counter()
        fixtures, expected_links = generate_fixtures(workdir, args.articles, args.seed)
        fixture_mb = sum(path.stat().st_size for path in fixtures) / 2**20
        elapsed = time.perf_counter() - started
        print(f"generated {fixture_mb:.1f} MB of fixtures in {elapsed:.1f} s", flush=True)
        tools = TOOLS[:1] if args.skip_loaddata else TOOLS
        results = {
            tool: benchmark_tool(tool, fixtures, workdir, args, expected_links) for tool in tools
        }
        print_report(args.articles, fixture_mb, results)
        return 0
    except BenchmarkError as error:
        print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
        if not args.keep:
            print("(rerun with --keep to keep the fixtures, databases and logs)", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"files kept in {workdir}")
        elif made_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for path in set(workdir.iterdir()) - made_files:
                shutil.rmtree(path) if path.is_dir() else path.unlink()


if __name__ == "__main__":
    sys.exit(main())
