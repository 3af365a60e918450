"""WSGI entry point for HKAI Portal."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai.settings")

application = get_wsgi_application()

# Load the URLconf (and through it every view) now, then freeze what is loaded: a worker
# keeps these objects for its whole life, and frozen, the garbage collector no longer scans
# them, so a full collection in the middle of a request scans what requests made, not all
# of Django and the portal as well (gc.freeze(), "to speed up collection").
get_resolver().url_patterns  # noqa: B018 (the lookup imports the views)
gc.freeze()
