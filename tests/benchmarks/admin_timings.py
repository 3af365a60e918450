"""Time the editors' admin pages in process, signed in as a superuser; a helper that
page_bench.py runs (and a quick measure of its own).

Usage, from the checkout root, with the portal's usual environment (DATABASE_URL, a
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS including "testserver"):

    .venv/bin/python -m tests.benchmarks.admin_timings            # every admin page type
    .venv/bin/python -m tests.benchmarks.admin_timings --session  # print a session key only

Makes (or reuses) the superuser "bench-admin" in the database. Without --session, requests
each admin page type once, in order, in this one process through django.test.Client, and
prints one JSON line: {page type: {"path": ..., "status": 200, "ms": 41.5, "queries": 9}}.
The first request of the process also pays for loading the URL configuration and templates,
so a warm-up request to the admin index comes first and is not reported.

With --session, prints the key of a new signed-in session of that superuser, for a client
outside this process to send as its "sessionid" cookie (page_bench.py times the admin pages
through gunicorn that way).
"""

import json
import os
import sys
import time

USERNAME = "bench-admin"


def superuser():
    """Return the benchmark's superuser, made if missing."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def session_key(user):
    """Return the key of a new session signed in as `user`, as django.test.Client makes one."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def admin_paths():
    """Return [(page type, path)]: every admin change list with its filters, search, sorting
    and a deep page, the change forms and histories, and the autocomplete, built from the
    database (the busiest sector, a common title word, the newest article)."""
    from django.db.models import Count

    from portal.models import Article, Initiative, Organisation, Sector, Source

    article = Article.objects.order_by("-pk").first()
    initiative = Initiative.objects.order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    sector = Sector.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    word = (article.title_en.split() or ["hong"])[0] if article else "hong"
    last_page = max(0, Article.objects.count() // 50 - 1)
    paths = [
        # The index is the dashboard (portal.admin.dashboard): every panel's count and rows.
        ("index, dashboard", "/admin/"),
        ("articles, my drafts", "/admin/portal/article/?visibility=draft&changed_by=me"),
        ("sources, cited by nothing", "/admin/portal/source/?cited=no"),
        ("sources, failed check", "/admin/portal/source/?check=failed"),
        ("articles", "/admin/portal/article/"),
        ("articles, search", f"/admin/portal/article/?q={word}"),
        ("articles, sector filter", f"/admin/portal/article/?sectors__id__exact={sector.pk}"),
        ("articles, live", "/admin/portal/article/?visibility=live"),
        ("articles, oldest first", "/admin/portal/article/?o=3"),
        ("articles, by title, deep", f"/admin/portal/article/?o=1&p={last_page // 2}"),
        ("articles, deep page", f"/admin/portal/article/?p={last_page}"),
        ("articles, year", "/admin/portal/article/?publish_at__year=2024"),
        ("article form", f"/admin/portal/article/{article.pk}/change/"),
        ("article history", f"/admin/portal/article/{article.pk}/history/"),
        ("initiatives", "/admin/portal/initiative/"),
        ("initiatives, search", f"/admin/portal/initiative/?q={word}"),
        ("initiative form", f"/admin/portal/initiative/{initiative.pk}/change/"),
        ("organisations", "/admin/portal/organisation/"),
        ("organisation form", f"/admin/portal/organisation/{organisation.pk}/change/"),
        ("sources", "/admin/portal/source/"),
        ("sources, search", f"/admin/portal/source/?q={word}"),
        ("sources, by citations", "/admin/portal/source/?o=-5"),
        ("source form", f"/admin/portal/source/{source.pk}/change/"),
        ("sectors", "/admin/portal/sector/"),
        ("milestones", "/admin/portal/milestone/"),
        (
            "autocomplete",
            "/admin/autocomplete/?app_label=portal&model_name=article&field_name=initiatives"
            f"&term={word[:3]}",
        ),
    ]
    return paths


def time_pages():
    """Return {page type: {"path", "status", "ms", "queries"}} for every admin page type."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    client.force_login(superuser())
    client.get("/admin/")  # warm-up: URL configuration, templates, translations
    results = {}
    for page_type, path in admin_paths():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        results[page_type] = {
            "path": path,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1),
            "queries": len(queries),
        }
    return results


def main(argv):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings")
    django.setup()
    if "--session" in argv:
        print(json.dumps({"session": session_key(superuser()), "paths": admin_paths()}))
    else:
        print(json.dumps(time_pages()))


if __name__ == "__main__":
    main(sys.argv[1:])
