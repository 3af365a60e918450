"""Change notes and corrections on the editors' forms.

Every change form of a record type in the public change log has a "Change note" fieldset: a
line per language saying why the record changed ("Status updated after the 2026-27 Budget"),
which the log, its feeds and the record's updates show, as GOV.UK's change notes do. The
note reaches the log through portal.changelog.recording.change_note, around the save.

Types declaring CORRECTIONS get their corrections inline (`corrections_inline`).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.translation import gettext_lazy as _

from portal.changelog.display import _field_label
from portal.changelog.recording import change_note
from portal.changelog.registry import logged_record, public_fields
from portal.models import Correction

NOTE_FIELDS = {code: f"change_note_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES}


def _note_field(code):
    return forms.CharField(
        label=_("Change note [%(language)s]") % {"language": code},
        max_length=300,
        required=False,
        help_text=_(
            "Optional: why this changed, in one line, for the public change log "
            "(e.g. “Status updated after the 2026-27 Budget”)."
        )
        if code == settings.LANGUAGE_CODE
        else "",
    )


class ChangeNoteMixin:
    """ModelAdmin mixin: a change note fieldset on the change form of every logged record,
    whose text the change's row in the public log carries."""

    def _takes_note(self, obj):
        return obj is not None and logged_record(self.model) is not None

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = list(NOTE_FIELDS.values())
        if self._takes_note(obj) and names[0] not in flatten_fieldsets(fieldsets):
            fieldsets = [*fieldsets, (_("Change note"), {"fields": names})]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if self._takes_note(obj):
            base = kwargs.get("form", self.form)
            fields = {name: _note_field(code) for code, name in NOTE_FIELDS.items()}
            kwargs["form"] = type(base.__name__, (base,), fields)
        return super().get_form(request, obj, **kwargs)

    def get_inline_instances(self, request, obj=None):
        # A record being added has nothing to correct yet.
        inlines = super().get_inline_instances(request, obj)
        return [i for i in inlines if obj is not None or not isinstance(i, CorrectionInline)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Around django-reversion's change_view, whose revision is committed (and its log
        # rows written) as its block ends.
        if request.method != "POST":
            return super().change_view(request, object_id, form_url, extra_context)
        texts = {code: request.POST.get(name, "") for code, name in NOTE_FIELDS.items()}
        with change_note(texts):
            return super().change_view(request, object_id, form_url, extra_context)


def field_choices(model):
    """The fields of `model` a correction may concern: those readers see, labelled as the
    admin labels them, translated fields once per language."""
    return [("", "—")] + [
        (field.name, _field_label(field))
        for field in public_fields(model)
        if field.name not in ("slug",)
    ]


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["corrected_on", "field", "text_en", "text_zh_hant"]
    verbose_name = _("correction")
    verbose_name_plural = _("corrections (stated at the top of the page and on /corrections/)")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field":
            return forms.ChoiceField(
                label=db_field.verbose_name.capitalize(),
                choices=field_choices(self.parent_model),
                required=False,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def corrections_inline(model):
    """A CorrectionInline for the corrections of `model`'s records."""
    return type(
        f"{model.__name__}CorrectionInline", (CorrectionInline,), {"fk_name": model.public.name}
    )


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Every correction, newest first; each is added and edited on its record's form."""

    list_display = ["corrected_on", "record_type", "__str__", "field", "text_en"]
    list_filter = ["record_type"]
    search_fields = [*(f"text_{code.replace('-', '_')}" for code in NOTE_FIELDS)]
    date_hierarchy = "corrected_on"
    fields = ["corrected_on", "field", "text_en", "text_zh_hant"]

    def has_add_permission(self, request):
        return False  # on the record's own form, where the record and its fields are known
