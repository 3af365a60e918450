"""Settings for the reference page: debug off, no middleware, one app, the portal's database."""

import os

# The portal's own database settings (DATABASE_URL, connection reuse and any per-database
# options), so both pages talk to the database the same way.
from hkai.settings import DATABASES  # noqa: F401

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
INSTALLED_APPS = ["tests.benchmarks.reference_app"]
MIDDLEWARE = []
ROOT_URLCONF = "tests.benchmarks.reference_app.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
TIME_ZONE = "Asia/Hong_Kong"
USE_TZ = True
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
