"""Addresses that moved (portal.models.Redirect), kept by publishers."""

from django.contrib import admin

from portal.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "new_path", "note"]
    search_fields = ["old_path", "new_path", "note"]
