"""Addresses that never break: when a record's slug changes, its old address (and everything
under it, in every language: formats, citations, versions) answers 301 to the new one.

`note_old_slug` (`pre_save`) notes the slug the row had and `keep_old_address` (`post_save`)
has `moved` write the `Redirect` once the save is done, for every record type with pages
(connected in portal.apps): one place for the admin, the shell and anything else that saves
a record. Chains are never made: addresses that led to the old one are pointed at the new
one, and a slug changed back deletes the redirect from the address that is a page again.
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from portal.models import Redirect
from portal.records.addresses import detail_url


def note_old_slug(sender, instance, raw=False, update_fields=None, **kwargs):
    """`pre_save`: remember on `instance` the slug its row has, if the save changes it. One
    query by primary key per save of a record that exists."""
    instance._moved_from = None
    if raw or instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old is not None and old != instance.slug:
        instance._moved_from = old


def keep_old_address(sender, instance, raw=False, **kwargs):
    """`post_save`: the saved record's old address, if its slug changed, redirects to the
    new one."""
    old = getattr(instance, "_moved_from", None)
    if old and not raw:
        instance._moved_from = None
        moved(sender.public, old, instance.slug)


def address(record, slug):
    """The address of `record`'s page for `slug`, without a language prefix (a Redirect
    holds it so, and answers for every language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return detail_url(record.detail_url_name, slug)


def moved(record, old_slug, new_slug, note=None):
    """Make `record`'s page for `old_slug` (and every address under it) answer 301 to the page
    for `new_slug`, and every address that led to the old page lead to the new one."""
    old, new = address(record, old_slug), address(record, new_slug)
    with transaction.atomic():
        # The new address is a page (again): it must not redirect anywhere.
        Redirect.objects.filter(old_path=new).delete()
        for earlier in Redirect.objects.filter(new_path__startswith=old):
            earlier.new_path = new + earlier.new_path[len(old) :]
            if earlier.new_path == earlier.old_path:
                earlier.delete()
            else:
                earlier.save(update_fields=["new_path"])
        Redirect.objects.update_or_create(
            old_path=old,
            defaults={
                "new_path": new,
                "note": note or f"Slug changed from {old_slug} to {new_slug}.",
            },
        )
