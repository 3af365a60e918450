"""Count the SQL queries that each portal URL runs; a helper that page_bench.py runs.

Usage, from the checkout root, with the portal's usual environment (DATABASE_URL, a
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS including "testserver"):

    DJANGO_PAGE_CACHE=0 .venv/bin/python -m tests.benchmarks.query_counts /articles/ /sectors/

Requests each path once, in order, in this one process through django.test.Client (so later
paths find whatever in-process state earlier ones left), counting queries with
CaptureQueriesContext, streamed bodies included. Prints one JSON line:
{"/articles/": {"status": 200, "queries": 12}, ...}.
"""

import json
import os
import sys


def count_queries(paths):
    """Return {path: {"status": ..., "queries": ...}} for each of `paths`."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            response.close()
        counts[path] = {"status": response.status_code, "queries": len(queries)}
    return counts


if __name__ == "__main__":
    print(json.dumps(count_queries(sys.argv[1:])))
