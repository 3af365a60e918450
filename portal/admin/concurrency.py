"""Concurrent editing: a save made from an out-of-date copy of an item is refused, not applied.

The change form carries, in a hidden field, the item's `updated_at` as the editor loaded it.
On save, inside the admin's transaction, the row is read again with SELECT ... FOR UPDATE, so a
second save waits for the first to commit instead of racing it. If `updated_at` has moved on,
someone else (another editor, a revert, or `import_content`) changed the item in the meantime:
the save is refused with a form error that names who and when, and links to the history.

The form re-renders with the editor's own input, so nothing is lost, and now carries the newer
timestamp: after reviewing the other change, saving again replaces it deliberately, never
silently. A request without the hidden field (not one the admin's own form sends) is not checked.

Models without `updated_at` (Source: an address and a title, no timestamps) are edited without
the check.
"""

import datetime

from django import forms
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from reversion.models import Version

LOADED_FIELD = "loaded_updated_at"


class LoadedTimestampField(forms.CharField):
    """The hidden `updated_at` the form was loaded with; never counts as an edit."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        # Otherwise a refused-then-resaved form would log "Changed loaded_updated_at".
        return False


class StaleEditCheckForm(forms.ModelForm):
    """A change form that refuses to save over a change made since it was loaded."""

    loaded_updated_at = LoadedTimestampField()
    admin_site_name = "admin"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(LOADED_FIELD, self.instance.updated_at.isoformat())

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get(LOADED_FIELD)
        if not loaded or self.instance.pk is None:
            return cleaned_data
        try:
            loaded_at = datetime.datetime.fromisoformat(loaded)
        except ValueError:
            raise ValidationError(
                _(
                    "This form lost track of which version you opened. Copy your edits, reload "
                    "the page and make them again."
                ),
                code="stale",
            ) from None
        current = self._current_updated_at()
        if current != loaded_at:
            self._carry_forward(current)
            raise ValidationError(self._conflict_message(loaded_at, current), code="stale")
        return cleaned_data

    def _current_updated_at(self):
        """The row's `updated_at` now (None if deleted), locked until the transaction ends."""
        model = type(self.instance)
        db = self.instance._state.db
        # Inside the admin's own transaction this is a savepoint, and the row lock it takes is
        # held until that outer transaction commits, i.e. until this save is written.
        with transaction.atomic(using=db):
            return (
                model._base_manager.using(db)
                .select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )

    def _carry_forward(self, current):
        """Re-render with the newer timestamp, so saving again after review is deliberate."""
        if current is not None:
            self.data = self.data.copy()
            self.data[self.add_prefix(LOADED_FIELD)] = current.isoformat()

    def _conflict_message(self, loaded_at, current):
        opts = self.instance._meta
        if current is None:
            return format_html(
                "{} {}",
                _("Someone else deleted this %(model)s after you opened it.")
                % {"model": opts.verbose_name},
                _("Your edits have not been saved, but they are still in the form below."),
            )
        history_url = reverse(
            f"{self.admin_site_name}:{opts.app_label}_{opts.model_name}_history",
            args=[quote(self.instance.pk)],
        )
        when = formats.date_format(timezone.localtime(current), "DATETIME_FORMAT")
        return format_html(
            '{} {} <a href="{}">{}</a>, {}',
            _("Someone else (%(who)s) changed this %(model)s on %(when)s, after you opened it.")
            % {"who": self._who_changed_since(loaded_at), "model": opts.verbose_name, "when": when},
            _("Your edits have not been saved, but they are still in the form below."),
            history_url,
            _("Review their change in the history"),
            _(
                "then save again to replace it with your version, or reload this page to start "
                "from theirs."
            ),
        )

    def _who_changed_since(self, loaded_at):
        """The name of the editor of the newest recorded version saved after `loaded_at`.

        Changes made outside the admin (e.g. by `import_content`) record no version.
        """
        version = (
            Version.objects.get_for_object(self.instance)
            .filter(revision__date_created__gt=loaded_at)
            .select_related("revision__user")
            .first()
        )
        user = version.revision.user if version else None
        if user is None:
            return _("not recorded: the change came from outside the admin, e.g. an import")
        return user.get_full_name() or user.get_username()


def has_updated_at(model):
    try:
        model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return True


class ConcurrentEditMixin:
    """ModelAdmin mixin: change forms refuse to save over a change made since they were loaded.

    Adds the hidden LOADED_FIELD, in a hidden fieldset of its own, to the change form of every
    object whose model has `updated_at`.
    """

    def _checks_stale_edits(self, obj):
        return obj is not None and has_updated_at(self.model)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Without declared fieldsets, Django lists the form's fields, this one included.
        if (
            self._checks_stale_edits(obj)
            and self.has_change_permission(request, obj)
            and LOADED_FIELD not in flatten_fieldsets(fieldsets)
        ):
            fieldsets = [*fieldsets, (None, {"fields": [LOADED_FIELD], "classes": ["hidden"]})]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if self._checks_stale_edits(obj):
            base = kwargs.get("form", self.form)  # e.g. the article admin's, with its buttons
            kwargs["form"] = type(
                base.__name__,
                (StaleEditCheckForm, base),
                {"admin_site_name": self.admin_site.name},
            )
        return super().get_form(request, obj, **kwargs)
