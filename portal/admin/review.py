"""Review of changes to initiatives, organisations and milestones ("needs review").

With review on (settings.REVIEW_REQUIRED), a save by someone who may not publish (an Editor)
flags the record `needs_review`; a Publisher checks the change and clears the flag, with the
button on the record's form or the change list's action. Readers see the record either way:
the flag is for the team, not a gate. Articles go through review before readers see them
instead (portal.admin.publishing).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin.base import recorded_change, with_step
from portal.admin.publishing import review_required
from portal.content.permissions import PUBLISH_PERMISSION

MARK_REVIEWED = "_mark_changes_reviewed"


def may_approve(request):
    """Whether the user may approve others' changes: a Publisher (portal.roles)."""
    return request.user.has_perm(PUBLISH_PERMISSION)


class NeedsReviewMixin:
    """ModelAdmin mixin for a NeedsReviewModel: flags an Editor's save, lets a Publisher clear
    the flag, shows it in the list (a column and a filter) and on the form."""

    change_form_template = "admin/portal/needs_review_change_form.html"

    def get_list_display(self, request):
        return [*super().get_list_display(request), "needs_review"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), "needs_review"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "needs_review"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.needs_review:
            return fieldsets
        return [(_("Changes to check"), {"fields": ["needs_review"]}), *fieldsets]

    def has_approve_permission(self, request):
        return may_approve(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and MARK_REVIEWED in request.POST and not may_approve(request):
            raise PermissionDenied
        extra_context = {**(extra_context or {}), "may_approve": may_approve(request)}
        extra_context["mark_reviewed_button"] = MARK_REVIEWED
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if MARK_REVIEWED in request.POST:
            obj.needs_review = False
        elif review_required() and not may_approve(request):
            obj.needs_review = True
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if MARK_REVIEWED in request.POST:
            return with_step(gettext("Changes marked reviewed"), message)
        return message

    def response_change(self, request, obj):
        if MARK_REVIEWED in request.POST:
            self.message_user(request, gettext("Changes marked reviewed."), messages.SUCCESS)
        return super().response_change(request, obj)

    @admin.action(
        description=_("Mark changes to selected entries reviewed"), permissions=["approve"]
    )
    def mark_changes_reviewed(self, request, queryset):
        with recorded_change(request, gettext("Changes marked reviewed")):
            flagged = list(queryset.filter(needs_review=True))
            for obj in flagged:  # save(), not update(), so each is in the history.
                obj.needs_review = False
                obj.save(update_fields=["needs_review", "updated_at"])
        self.message_user(
            request,
            ngettext(
                "Marked the changes to %(count)d entry reviewed.",
                "Marked the changes to %(count)d entries reviewed.",
                len(flagged),
            )
            % {"count": len(flagged)},
            messages.SUCCESS,
        )
