"""Time the change log's and the corrections' queries at N articles, each imported (a row of
the log apiece, summarised per import) and edited once, with a correction for every 100th.

Usage, from the checkout root, against a scratch database it may fill (it migrates it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hkai_bench \\
        .venv/bin/python tests/benchmarks/changes_bench.py --articles 100000

Prints, per page (/changes/ first and deep pages, one type, an import's items, one record's
updates, /corrections/), the page's time with its rendering and its slowest query's (best of
5), and that query's plan. `--reuse` times again the rows an earlier run left.
This is not a test: pytest does not collect it, and no test asserts on timings.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ["DJANGO_PAGE_CACHE"] = "0"  # every request rendered: the queries are what is timed
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.models import Article, Correction, RecordChange  # noqa: E402

BATCH = 5000


def fill(articles):
    """N published articles, an import's summary and a row per article, an edit of each, and
    a correction for every 100th, written in bulk."""
    now = timezone.now()
    start = now - datetime.timedelta(days=365)
    Article.objects.bulk_create(
        [
            Article(
                title_en=f"Article {n}",
                slug=f"bench-{n}",
                body_en="Text.",
                status="published",
                publish_at=start + datetime.timedelta(minutes=n),
            )
            for n in range(articles)
        ],
        batch_size=BATCH,
    )
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    summary = RecordChange.objects.create(
        record_type="article",
        kind="imported",
        via="import",
        changed_at=now - datetime.timedelta(days=1),
        lines={"added": len(ids), "changed": 0},
    )
    rows = [
        RecordChange(
            record_type="article",
            article_id=pk,
            kind="added",
            via="import",
            changed_at=summary.changed_at,
            listed=False,
            summary=summary,
        )
        for pk in ids
    ]
    rows += [
        RecordChange(
            record_type="article",
            article_id=pk,
            kind="changed",
            via="editor",
            changed_at=now - datetime.timedelta(seconds=len(ids) - n),
            lines=[{"field": "byline", "old": "", "new": "Editor"}],
            note_en="Byline added",
        )
        for n, pk in enumerate(ids)
    ]
    RecordChange.objects.bulk_create(rows, batch_size=BATCH)
    for n, pk in enumerate(ids[::100]):
        Correction.objects.create(
            article_id=pk,
            corrected_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            text_en="A figure was wrong.",
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return summary, ids


def timed(client, url):
    """(best milliseconds of 5, the number of queries, the slowest query's milliseconds and
    SQL) for `url`, rendered each time."""
    best, slowest = None, None
    for _attempt in range(5):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        best = elapsed if best is None else min(best, elapsed)
        query = max(queries.captured_queries, key=lambda q: float(q["time"]))
        if slowest is None or float(query["time"]) < float(slowest["time"]):
            slowest = query
    return best, len(queries.captured_queries), float(slowest["time"]) * 1000, slowest["sql"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true", help="time the rows an earlier run left in the database"
    )
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    if args.reuse:
        summary = RecordChange.objects.filter(kind="imported").latest("id")
        ids = list(summary.items.order_by("article_id").values_list("article_id", flat=True))
    elif Article.objects.exists():
        sys.exit("The database already holds articles: give this script a scratch database.")
    else:
        summary, ids = fill(args.articles)
    client = Client()
    deep = RecordChange.objects.filter(listed=True).order_by("-changed_at", "-id")[5000]
    corrections_deep = Correction.objects.order_by("-corrected_on", "-id")[500]
    pages = {
        "/changes/": "/changes/",
        "/changes/ 5,000 rows down": f"/changes/?before={deep.pk}",
        "/changes/?type=article": "/changes/?type=article",
        "an import's items": f"/changes/?import={summary.pk}",
        "an import's items, deep": f"/changes/?import={summary.pk}&before={ids[len(ids) // 2]}",
        "a record's updates": f"/articles/bench-{len(ids) // 2}/changes/",
        "/changes.atom": "/changes.atom",
        "/corrections/": "/corrections/",
        "/corrections/ 500 rows down": f"/corrections/?before={corrections_deep.pk}",
    }
    print(f"{connection.vendor}, {len(ids):,} articles, {RecordChange.objects.count():,} log rows")
    for name, url in pages.items():
        ms, count, query_ms, sql = timed(client, url)
        print(f"{name:32} {ms:8.1f} ms  {count} queries, the slowest {query_ms:.1f} ms")
        with connection.cursor() as cursor:
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("    ", row[-1])


if __name__ == "__main__":
    main()
