"""Another process for the cache tests: `python -m tests.cache_peer get PATH` renders a page
(filling the shared cache), `python -m tests.cache_peer retitle SLUG TITLE` changes an
article with a bulk UPDATE (no model signals: only the database triggers see it).

The environment names the database (DATABASE_URL) and the cache (REDIS_URL or
DJANGO_CACHE_DIR) that the test process uses.
"""

import os
import sys

import django


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings_test")
    django.setup()
    from django.test import Client

    from portal.models import Article

    command, *args = argv
    if command == "get":
        response = Client().get(args[0])
        print(response.status_code)
    elif command == "retitle":
        slug, title = args
        print(Article.objects.filter(slug=slug).update(title_en=title))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
