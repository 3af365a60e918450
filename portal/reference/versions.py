"""Permanent links to one version of a record's page (`<page>v/<version>/`), which "Cite this
page" gives so that a citation keeps pointing at the text it cited.

A version is a django-reversion `Version` of the record: every admin save and every import
writes one (portal.changelog.recording), so the newest is the state the page shows.
"""

from django.urls import reverse
from reversion.models import Version


def versions_of(obj):
    """`obj`'s reversion versions, newest first, looked up through reversion's unique index
    (database, content type, object id): one query, joined to the content type by name so
    that no content-type cache decides how many queries a page runs."""
    return Version.objects.filter(
        db=obj._state.db or "default",
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).order_by("-pk")


def latest_version_id(obj):
    """The id of `obj`'s newest version, or None if it has none (saved outside the admin
    and the importer, e.g. from the shell)."""
    return versions_of(obj).values_list("pk", flat=True).first()


def version_url(obj, version_id):
    """The address of version `version_id` of `obj`'s page, in the active language."""
    return reverse(f"portal:{obj.public.name}_version", args=[obj.slug, version_id])
