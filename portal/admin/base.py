"""What every content admin shares: version history, facets, and sources edited inline."""

from contextlib import contextmanager

import reversion
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from reversion_compare.admin import CompareVersionAdmin
from translated_fields.admin import TranslatedFieldAdmin

from portal.admin.concurrency import ConcurrentEditMixin
from portal.admin.transfer import ExportActionsMixin
from portal.models import REVIEW_INTERVAL_DAYS, languages


@contextmanager
def recorded_change(request, comment):
    """A transaction whose saves are recorded in the history as `request.user`'s `comment`.

    The admin's own add/change/delete views do this already; admin actions need it too.
    """
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment(comment)
        yield


class ContentAdmin(
    TranslatedFieldAdmin, ExportActionsMixin, ConcurrentEditMixin, CompareVersionAdmin
):
    """History (list, compare two versions field by field, revert, recover deleted) for every
    change made in the admin, stale saves refused (see `concurrency`), exports of the selected
    rows (see `transfer`), with filter counts shown beside each filter option. Translated
    fields are labelled with their language, e.g. "Name [zh-hant]"."""

    show_facets = admin.ShowFacets.ALWAYS
    save_on_top = True
    list_per_page = 50

    def compare_view(self, request, object_id, extra_context=None):
        # reversion-compare checks no permission here (the history page linking to it does),
        # so without this any staff account could read every version, drafts included.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)


class SourceInline(admin.TabularInline):
    """The sources an item cites, chosen (or added with the + button) inline on its form."""

    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = _("source")
    verbose_name_plural = _("sources (cited as footnotes, in this order of addition)")


def sources_inline(model):
    """A SourceInline for `model`'s `sources` many-to-many field."""
    return type(f"{model.__name__}SourceInline", (SourceInline,), {"model": model.sources.through})


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        due = _("Due (not reviewed in %(days)s days)") % {"days": REVIEW_INTERVAL_DAYS}
        return [("due", due), ("current", _("Up to date"))]

    def queryset(self, request, queryset):
        due = queryset.due_for_review()
        if self.value() == "due":
            return due
        if self.value() == "current":
            return queryset.exclude(pk__in=due.values("pk"))
        return queryset


def side_by_side(*names):
    """Fieldset rows that put each translated field's languages next to each other."""
    return [languages(name) for name in names]


def missing_translation_filter(*names):
    """A list filter for rows whose English text in `names` has no Chinese counterpart yet."""

    class MissingTranslationFilter(admin.SimpleListFilter):
        title = _("Chinese translation")
        parameter_name = "translation"

        def lookups(self, request, model_admin):
            return [("missing", _("Missing")), ("complete", _("Complete"))]

        def queryset(self, request, queryset):
            missing = Q()
            for name in names:
                english, *others = languages(name)
                for other in others:
                    missing |= Q(**{other: ""}) & ~Q(**{english: ""})
            if self.value() == "missing":
                return queryset.filter(missing)
            if self.value() == "complete":
                return queryset.exclude(missing)
            return queryset

    return MissingTranslationFilter
