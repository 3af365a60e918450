"""The change lists' filters that the dashboard's panels link to (portal.admin.dashboard),
each the one place its rule is applied: a panel counts its rows through the same filter as
the change list it links to, so the two always agree.

Each filter's options are fixed: listing them reads nothing from the database.
"""

from django.contrib import admin
from django.db import router
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision, Version

from portal.models import STATUS_CONFIRMATION_DAYS

# What the dashboard, and the articles' "published" filter, call recent.
RECENT_DAYS = 14


def last_changed_by(queryset, user):
    """The rows of `queryset` whose newest version in the history (django-reversion, written
    by every save in the admin, its actions, reverts and imports) was saved by `user`.

    Read from `user`'s own versions, newest kept where no later revision holds the same row,
    so it costs what that user's history costs, not what the table's does."""
    model = queryset.model
    versions = Version.objects.filter(
        db=router.db_for_write(model),
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
    )
    later = Version.objects.filter(
        db=OuterRef("db"),
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        revision__gt=OuterRef("revision"),
    )
    # object_id is text (any primary key); cast to the model's key to read rows by it.
    mine = (
        versions.filter(revision__in=Revision.objects.filter(user=user).values("pk"))
        .filter(~Exists(later))
        .values_list(Cast("object_id", output_field=model._meta.pk), flat=True)
    )
    return queryset.filter(pk__in=mine)


class ChangedByFilter(admin.SimpleListFilter):
    """Rows whose last change in the history is the signed-in user's."""

    title = _("last changed by")
    parameter_name = "changed_by"

    def lookups(self, request, model_admin):
        return [("me", _("Me"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return last_changed_by(queryset, request.user)
        return queryset


class RecentlyPublishedFilter(admin.SimpleListFilter):
    """Articles readers can see, published in the last RECENT_DAYS days."""

    title = _("published")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("recent", _("In the last %(days)s days") % {"days": RECENT_DAYS})]

    def queryset(self, request, queryset):
        if self.value() == "recent":
            return queryset.published_within(RECENT_DAYS)
        return queryset


class StatusConfirmedFilter(admin.SimpleListFilter):
    """Initiatives whose planned or active status no source has confirmed lately."""

    title = _("status confirmed")
    parameter_name = "status_confirmed"

    def lookups(self, request, model_admin):
        stale = _("Not in %(days)s days (planned or active)") % {"days": STATUS_CONFIRMATION_DAYS}
        return [("stale", stale)]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.status_unconfirmed()
        return queryset


class CitedFilter(admin.SimpleListFilter):
    """Sources that some record cites, or none does."""

    title = _("cited")
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("no", _("By nothing")), ("yes", _("By something"))]

    def queryset(self, request, queryset):
        uncited = queryset.uncited()
        if self.value() == "no":
            return uncited
        if self.value() == "yes":
            return queryset.exclude(pk__in=uncited.values("pk"))
        return queryset


class CheckFailedFilter(admin.SimpleListFilter):
    """Sources whose address failed its last check, whatever the way it failed."""

    title = _("last check")
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return [("failed", _("Failed: gone, an error or no answer"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.check_failed()
        return queryset
