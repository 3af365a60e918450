# HKAI Portal: set up, serve and test from a fresh clone.
#
#   make run     set everything up, then serve http://127.0.0.1:8000/ (admin at /admin/)
#   make setup   the same without the server: venv, packages, database, content, admin account
#   make serve   after make setup: the production server (gunicorn, debug off) on 127.0.0.1:8000
#   make test    run the test suite (extra arguments: make test PYTEST_ARGS="-k import")
#   make lint    check the code with ruff (style, imports, likely bugs)
#   make clean   remove the venv, the SQLite database, the file cache and collected static files
#
# Needs GNU make and Python 3.12 or newer. Everything else is installed into .venv.

# One bash per recipe (.ONESHELL) with errexit, so a failed step stops the recipe and the
# multi-line shell below reads as plain shell, without a backslash on every line.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
VENV_PYTHON := $(VENV)/bin/python

# Interpreters to try for the venv, first match wins (override: make run PYTHON=/path/to/python).
# pyenv's shims answer to every installed version's name but fail unless that version is
# selected, so each candidate is run and asked for its version rather than just looked up.
PYENV_PYTHONS := $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python))
PYTHON ?= python3.13 python3.12 python3 $(PYENV_PYTHONS)

# The pip install is redone only when a requirements file is newer than its stamp. The stamps
# live inside .venv so that deleting the venv also forgets what was installed into it.
RUNTIME_STAMP := $(VENV)/.installed-requirements.txt
DEV_STAMP := $(VENV)/.installed-requirements-dev.txt

# Content files, in numeric order (their names start with a zero-padded number).
FIXTURES := $(sort $(wildcard fixtures/*.json))

# Local runs default to debug mode, which needs no secret key; a DJANGO_DEBUG the user has
# set (e.g. DJANGO_DEBUG=0 with a DJANGO_SECRET_KEY) wins. Tests don't use this: they run
# with debug off, like production.
MANAGE := DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(VENV_PYTHON) manage.py

PYTEST_ARGS ?=

.PHONY: help run setup serve test lint clean

# Prints the usage lines at the top of this file.
help:
	@sed -n '3,8s/^# *//p' $(firstword $(MAKEFILE_LIST))

run: setup
	@echo "Serving http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/). Ctrl-C stops it."
	$(MANAGE) runserver 127.0.0.1:8000

# Production settings (debug off), so DJANGO_SECRET_KEY must be set; everything else comes
# from the same environment variables as always (README, "Deploy"). Workers: WEB_CONCURRENCY,
# or gunicorn's usual 2 per core plus one. Address: SERVE_BIND (default 127.0.0.1:8000).
serve: $(RUNTIME_STAMP)
	@if [ -z "$${DJANGO_SECRET_KEY:-}" ]; then
	  echo "make serve runs with debug off, which needs DJANGO_SECRET_KEY. For example:" >&2
	  echo "  DJANGO_SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') make serve" >&2
	  exit 1
	fi
	DJANGO_DEBUG=0 $(VENV_PYTHON) manage.py warm_caches
	DJANGO_DEBUG=0 $(VENV_PYTHON) manage.py build_downloads
	workers=$${WEB_CONCURRENCY:-$$(( 2 * $$(nproc) + 1 ))}
	echo "Serving http://$${SERVE_BIND:-127.0.0.1:8000}/ with gunicorn, $$workers workers. Ctrl-C stops it."
	# A sync worker may take up to GUNICORN_TIMEOUT seconds over one request: long enough
	# for a filtered list's CSV streamed from the database (whole files are built ahead).
	DJANGO_DEBUG=0 $(VENV)/bin/gunicorn hkai.wsgi --workers "$$workers" --timeout "$${GUNICORN_TIMEOUT:-120}" \
	  --bind "$${SERVE_BIND:-127.0.0.1:8000}" --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

setup: $(RUNTIME_STAMP)
	$(MANAGE) migrate
	$(MANAGE) setup_roles
	$(MANAGE) compile_translations -v0
ifeq ($(FIXTURES),)
	@echo "No fixtures/*.json found: nothing to import."
else
	$(MANAGE) import_content --only-if-empty $(FIXTURES)
endif
	$(MANAGE) build_downloads
	$(MANAGE) ensure_superuser
	$(MANAGE) collectstatic --noinput -v0

# DATABASE_URL, like the rest of the environment, passes through to pytest: that is how CI
# runs the same suite against PostgreSQL.
test: $(DEV_STAMP)
	$(MANAGE) compile_translations -v0
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV_PYTHON) -m ruff check portal tests hkai
	$(VENV_PYTHON) -m ruff format --check portal tests hkai

clean:
	rm -rf $(VENV) db.sqlite3 .cache staticfiles

$(RUNTIME_STAMP): requirements.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so a change to either reinstalls.
$(DEV_STAMP): requirements-dev.txt requirements.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Only made when .venv/bin/python is missing (or dangles because its interpreter was removed):
# start again from an empty venv rather than patch a broken one.
$(VENV_PYTHON):
	@found=""
	for candidate in $(PYTHON); do
	  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
	    found=$$candidate
	    break
	  fi
	done
	if [ -z "$$found" ]; then
	  echo "HKAI Portal needs Python 3.12 or newer; none was found (tried: $(strip $(PYTHON)))." >&2
	  echo "Install one (e.g. 'pyenv install 3.13', your system's python3.13 package, or" >&2
	  echo "https://www.python.org/downloads/), or name it: make run PYTHON=/path/to/python3.13" >&2
	  exit 1
	fi
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"
	rm -rf $(VENV)
	"$$found" -m venv $(VENV)
