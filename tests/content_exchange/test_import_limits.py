"""Hostile or oversized input: refused early and in bounded memory by `import_content`, and
refused by the admin's import page past the limits that settings read from the environment."""

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.content_exchange.test_import_content import nested, nested_in_fields

# Run in a fresh interpreter: Django set up, then the address space capped at what it uses
# plus 100 MB, so an import that builds the nesting fails with MemoryError (within seconds,
# not after taking the machine's memory) instead of passing. Prints the refusal and the peak
# of Python allocations while importing.
CHILD = """
import io, json, resource, sys, tracemalloc
import django
django.setup()
from django.core.management import CommandError, call_command

size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
limit = size + 100 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
err = io.StringIO()
tracemalloc.start()
try:
    call_command("import_content", *sys.argv[1:], stdout=io.StringIO(), stderr=err)
except CommandError as error:
    refused = str(error)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"refused": refused, "problems": err.getvalue(), "peak": peak}))
"""


def test_deeply_nested_files_are_refused_in_bounded_memory(tmp_path):
    # The reported attack: a 200 KB file of 100,000 nested lists, on its own and inside a
    # record's fields. Each took the importer past 8 GB.
    top = tmp_path / "top.json"
    top.write_text(nested(100_000))
    inside = tmp_path / "inside.json"
    inside.write_bytes(nested_in_fields(100_000))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hkai.settings_test",
        # Never opened: the files are refused before the database is asked anything.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(top), str(inside)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    assert result["refused"] == "2 problem(s) found; nothing was imported."
    nesting = "lists and objects are nested more than 5 levels deep"
    assert f"{top}, record 1: {nesting}" in result["problems"]
    assert f"{inside}, record 2: {nesting}" in result["problems"]
    assert result["peak"] < 10 * 1024 * 1024


def import_limits(**env):
    """hkai.settings' import limits in a fresh interpreter with `env`: (stdout, stderr)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_IMPORT_")}
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hkai.settings as s; print(s.IMPORT_MAX_UPLOAD_MB, s.IMPORT_MAX_RECORDS)",
        ],
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return child.stdout.strip(), child.stderr


def test_the_admin_upload_limits_come_from_the_environment():
    assert import_limits() == ("20 20000", "")
    assert import_limits(DJANGO_IMPORT_MAX_UPLOAD_MB="5", DJANGO_IMPORT_MAX_RECORDS="500") == (
        "5 500",
        "",
    )
    _, error = import_limits(DJANGO_IMPORT_MAX_RECORDS="lots")
    assert "DJANGO_IMPORT_MAX_RECORDS must be a whole number above 0, not 'lots'." in error
