"""System checks of the portal's own settings (run by manage.py and `make serve`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, Tags.urls)
def site_url_check(app_configs, **kwargs):
    """A warning when debug is off and DJANGO_SITE_URL is unset: feeds, sitemaps, canonical
    links and exports would then name a guessed address (settings.SITE_URL)."""
    if settings.DEBUG or getattr(settings, "SITE_URL_FROM_ENVIRONMENT", True):
        return []
    return [
        Warning(
            f"DJANGO_SITE_URL is not set, so absolute addresses use {settings.SITE_URL}.",
            hint="Set DJANGO_SITE_URL to the address readers use, e.g. https://hkai.example.",
            id="portal.W001",
        )
    ]
