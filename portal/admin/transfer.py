"""Imports and exports in the admin, on the same engine as `import_content` and `export_content`.

- `import_content_view`: upload fixture files, read the dry run, then confirm to import.
- `ExportActionsMixin`: "export selected as fixture JSON / as CSV" on every content change list.
"""

import datetime
import io
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal.admin.uploads import (
    PendingImport,
    remove_stale_uploads,
    upload_too_large,
    with_upload_limit,
)
from portal.changelog.display import display_lines
from portal.content.busy import DatabaseBusy
from portal.content.exporter import export_model, export_queryset
from portal.content.importer import ContentImportError, TooManyRecords, import_files
from portal.content.schema import SPECS, SPECS_BY_LABEL, SPECS_BY_MODEL
from portal.opendata.spreadsheets import csv_response
from portal.records.columns import Field, ForeignKey, Related, csv_rows, header, isoformat

# What a browser is told to wait before trying again while the database is busy.
BUSY_RETRY_AFTER_SECONDS = 30


def can_import(user):
    """Whether `user` may import: an import can add and change rows of every content model."""
    return user.has_perms(
        f"{spec.model._meta.app_label}.{get_permission_codename(action, spec.model._meta)}"
        for spec in SPECS
        for action in ("add", "change")
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FixtureFilesField(forms.FileField):
    """One or more uploaded files, cleaned to a list (as in Django's docs on uploading
    multiple files: https://docs.djangoproject.com/en/stable/topics/http/file-uploads/)."""

    widget = MultipleFileInput(attrs={"accept": ".json,application/json"})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data]
        # [None] rather than [] so that the "required" check still runs.
        clean_one = super().clean
        return [clean_one(upload, initial) for upload in uploads or [None]]


class ImportUploadForm(forms.Form):
    files = FixtureFilesField(
        label=gettext_lazy("Fixture files"),
        help_text=gettext_lazy(
            "JSON fixtures with natural keys, as written by export_content or the "
            "“Export selected as fixture JSON” action. You can choose several files at once."
        ),
    )


class ImportNoteForm(forms.Form):
    """The change note the public change log shows for an import, asked for on confirming."""

    note_en = forms.CharField(
        label=gettext_lazy("Change note [en]"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Optional: why these records changed, in one line, for the public change log "
            "(e.g. “Statuses confirmed after the 2026-27 Budget”)."
        ),
    )
    note_zh_hant = forms.CharField(
        label=gettext_lazy("Change note [zh-hant]"), max_length=300, required=False
    )

    def note(self):
        """{language code: text} of a valid form; {} otherwise."""
        if not self.is_valid():
            return {}
        return {"en": self.cleaned_data["note_en"], "zh-hant": self.cleaned_data["note_zh_hant"]}


def describe(pending, problem):
    """`problem` as table cells, naming files as the editor uploaded them."""

    def shown(text):
        for path, name in zip(pending.paths, pending.names, strict=True):
            text = text.replace(str(path), name)
        return text

    if problem.record is not None:
        where = _("record %(number)s") % {"number": problem.record}
    elif problem.line is not None:
        where = _("line %(number)s") % {"number": problem.line}
    else:
        where = ""
    item = ""
    if problem.model:
        item = capfirst(SPECS_BY_LABEL[problem.model].model._meta.verbose_name)
    if problem.key:
        item = f"{item} '{problem.key}'"
    return {
        "file": shown(problem.path),
        "where": where,
        "item": item,
        "field": problem.field or "",
        "value": problem.value or "",
        "message": shown(problem.message),
    }


def summary_rows(report):
    """(model name, created, updated, unchanged) per model, in import order."""
    for label, created, updated, unchanged in report.rows():
        name = SPECS_BY_LABEL[label].model._meta.verbose_name_plural
        yield capfirst(name), created, updated, unchanged


def outcome_rows(report):
    """Each record the report lists as created or changed, for the preview's table: model
    name, key, name, whether it is new, and its changed fields as `ShownLine`s."""
    for outcome in report.outcomes:
        model = SPECS_BY_LABEL[outcome.label].model
        yield {
            "model": capfirst(model._meta.verbose_name),
            "key": outcome.key,
            "name": outcome.name,
            "created": outcome.created,
            "lines": display_lines(model, outcome.lines),
        }


class ImportContentView(View):
    """Import fixture files in two steps: upload for a dry run, then confirm.

    Templates: admin/portal/import_content.html (the upload form, or the problems found),
    admin/portal/import_preview.html (what would change) and import_done.html (what changed).
    """

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        remove_stale_uploads()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render("admin/portal/import_content.html", form=ImportUploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm_or_discard(request)
        if upload_too_large(request):
            return self.refuse_too_large(
                _(
                    "These files are larger than %(limit)s MB together, the most this page "
                    "takes. Nothing was imported."
                )
                % {"limit": number_format(settings.IMPORT_MAX_UPLOAD_MB, force_grouping=True)}
            )
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render("admin/portal/import_content.html", form=form)
        pending = PendingImport.create(request, form.cleaned_data["files"])
        waiting = False
        # The upload waits only for a dry run that found records to import; whatever else
        # happens, an unexpected error included, its files go now.
        try:
            report = import_files(
                pending.paths,
                dry_run=True,
                max_records=settings.IMPORT_MAX_RECORDS,
                user=request.user,
            )
            waiting = report.records > 0
        except TooManyRecords as error:
            return self.refuse_too_large(
                _(
                    "These files hold more than %(limit)s records, the most this page takes. "
                    "Nothing was imported."
                )
                % {"limit": number_format(error.limit, force_grouping=True)}
            )
        except ContentImportError as error:
            return self.problems(pending, error)
        except DatabaseBusy:
            return self.busy()
        finally:
            if not waiting:
                pending.discard(request)
        return self.render(
            "admin/portal/import_preview.html",
            pending=pending,
            report=report,
            rows=list(summary_rows(report)),
            outcomes=list(outcome_rows(report)),
            note_form=ImportNoteForm(),
        )

    def confirm_or_discard(self, request):
        pending = PendingImport.find(request, request.POST["token"])
        if pending is None:
            return self.render(
                "admin/portal/import_content.html",
                form=ImportUploadForm(),
                status=400,
                refused=_(
                    "This upload cannot be imported: it was not made in this session, or "
                    "it has already been imported or discarded. Upload the files again."
                ),
            )
        if "discard" in request.POST:
            pending.discard(request)
            return self.render(
                "admin/portal/import_content.html", form=ImportUploadForm(), discarded=pending.names
            )
        try:
            with transaction.atomic():
                # The importer re-validates, since the database may have changed since the dry run.
                # Each created or changed item gets a revision in its own history, by this
                # user, naming the uploaded file it came from.
                report = import_files(
                    pending.paths,
                    user=request.user,
                    names=pending.names,
                    note=ImportNoteForm(request.POST).note(),
                )
        except ContentImportError as error:
            return self.problems(pending, error)
        except DatabaseBusy:
            return self.busy()
        finally:
            pending.discard(request)
        return self.render(
            "admin/portal/import_done.html",
            pending=pending,
            report=report,
            rows=list(summary_rows(report)),
        )

    def problems(self, pending, error):
        return self.render(
            "admin/portal/import_content.html",
            form=ImportUploadForm(),
            names=pending.names,
            problems=[describe(pending, problem) for problem in error.problems],
            problems_not_listed=error.total - len(error.problems),
        )

    def refuse_too_large(self, reason):
        return self.render(
            "admin/portal/import_content.html",
            form=ImportUploadForm(),
            status=413,
            refused=reason,
            use_command=True,
        )

    def busy(self):
        response = self.render(
            "admin/portal/import_content.html",
            form=ImportUploadForm(),
            status=503,
            refused=_(
                "The database is busy: another process is writing to it. Nothing was "
                "imported; upload the files again in a minute."
            ),
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response

    def render(self, template, status=200, **context):
        context = {
            **admin.site.each_context(self.request),
            "title": _("Import content"),
            "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
            "max_records": settings.IMPORT_MAX_RECORDS,
            **context,
        }
        return TemplateResponse(self.request, template, context, status=status)


# admin_view: staff only (others are sent to the admin login), never cached; CSRF-protected by
# with_upload_limit, which must see the request before anything reads its body.
import_content_view = admin.site.admin_view(with_upload_limit(ImportContentView.as_view()))


def download_name(spec, extension):
    """E.g. "hkai-initiatives.json" for the spec whose fixture is "40_initiatives.json"."""
    return f"hkai-{Path(spec.file_name).stem.split('_', 1)[-1]}.{extension}"


def _exchanged(model_field):
    """A CSV cell of `model_field` as fixtures hold it: dates in ISO 8601, times in the
    local zone, empty for none."""

    def cell(obj):
        value = model_field.value_from_object(obj)
        if isinstance(value, datetime.date):
            return isoformat(value)
        return "" if value is None else value

    return cell


def exchanged_columns(spec):
    """`spec`'s exchanged fields as columns, in `spec.field_names` order, headed by their
    names; relations as natural keys, those of a many-to-many relation in key order."""

    def key_of(model_field):
        return SPECS_BY_MODEL[model_field.related_model].key_field

    return [
        *(Field(f.name, f.name, cell=_exchanged(f)) for f in spec.value_fields),
        *(ForeignKey(f.name, f.name, key=key_of(f), shows=key_of(f)) for f in spec.foreign_keys),
        *(
            Related(f.name, f.name, key=key_of(f), shows=key_of(f), ordering=(key_of(f),))
            for f in spec.many_to_many
        ),
    ]


class ExportActionsMixin:
    """Two change-list actions on a content admin: export the rows as fixture JSON or as CSV.

    Actions receive the change list's own queryset, so "select all N" on a filtered or
    searched list exports exactly the rows it shows.
    """

    # Bytes of JSON kept in memory before the export spills to a temporary file.
    spool_size = 4 * 1024 * 1024
    csv_chunk_size = 500

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for name in ("export_as_fixture", "export_as_csv"):
            if action := self.get_action(name, action_location):
                actions[action.name] = action
        return actions

    @admin.action(
        description=gettext_lazy("Export selected %(verbose_name_plural)s as fixture JSON")
    )
    def export_as_fixture(self, request, queryset):
        """A fixture `import_content` (or the import page) reads back losslessly."""
        spec = SPECS_BY_MODEL[self.model]
        buffer = tempfile.SpooledTemporaryFile(max_size=self.spool_size)
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
        export_model(spec, text, queryset)
        text.flush()
        text.detach()  # Leaves `buffer` open for the response, which closes it when sent.
        buffer.seek(0)
        return FileResponse(
            buffer,
            as_attachment=True,
            filename=download_name(spec, "json"),
            content_type="application/json",
        )

    @admin.action(description=gettext_lazy("Export selected %(verbose_name_plural)s as CSV"))
    def export_as_csv(self, request, queryset):
        """The exchanged fields, with relations as natural keys joined by "; "; streamed."""
        spec = SPECS_BY_MODEL[self.model]
        columns = exchanged_columns(spec)
        # The columns fetch the many-to-many keys a chunk at a time themselves.
        rows = export_queryset(spec).prefetch_related(None).filter(pk__in=queryset.values("pk"))
        return csv_response(
            download_name(spec, "csv"),
            header(columns),
            csv_rows(columns, self.model, rows, self.csv_chunk_size),
        )
