"""The reference page for page_bench.py: a bare Django app that renders the 20 newest articles.

It reads the portal's own database (DATABASE_URL) with one query and a 20-row template, no
middleware and no other apps: about the least work a Django page can do with this content.
page_bench.py serves it with the same gunicorn settings as the portal and reports the
portal's throughput as a ratio of this page's.

    DATABASE_URL=... DJANGO_SECRET_KEY=... .venv/bin/gunicorn \\
        tests.benchmarks.reference_app.wsgi --workers 2 --bind 127.0.0.1:8001
"""
