"""WSGI entry point for the reference page."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.reference_app.settings"

application = get_wsgi_application()
