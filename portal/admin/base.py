"""What every content admin shares: version history, facets, sources edited inline, and the
admin's own answers (not server errors) to ids and filter values that match nothing."""

import base64
import datetime
import hashlib
import json
from contextlib import contextmanager

import reversion
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from translated_fields.admin import TranslatedFieldAdmin

from portal.admin.changenotes import ChangeNoteMixin
from portal.admin.concurrency import ConcurrentEditMixin
from portal.admin.publishing import revision_changes_publishing
from portal.admin.transfer import ExportActionsMixin
from portal.changelog.diffs import word_diff
from portal.changelog.registry import edited_fields
from portal.content.permissions import PUBLISH_PERMISSION
from portal.models import REVIEW_INTERVAL_DAYS, languages
from portal.reference.footnotes import cited_fields, footnote_problems


@contextmanager
def recorded_change(request, comment):
    """A transaction whose saves are recorded in the history as `request.user`'s `comment`.

    The admin's own add/change/delete views do this already; admin actions need it too.
    """
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment(comment)
        yield


def with_step(step, message):
    """The admin's log message `message` (its list of changes) headed by the workflow `step`
    ("Submitted for review"), as the text the history shows; `message` itself if no step."""
    if not step:
        return message
    details = LogEntry(change_message=json.dumps(message)).get_change_message() if message else ""
    return f"{step}. {details}".strip()


def csp_hash(source):
    """The CSP source expression that allows exactly `source` (e.g. a style attribute)."""
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# Unchanged words kept around each change when comparing two versions: enough to find the
# sentence, while a long text's untouched paragraphs fold into "…".
COMPARE_CONTEXT = 25

# reversion-compare's history page hides the first version's "compare from" radio button with
# style="visibility:hidden", which the site's policy refuses; this allows that one attribute.
HISTORY_CSP = {
    **settings.SECURE_CSP,
    "style-src-attr": [CSP.UNSAFE_HASHES, csp_hash("visibility:hidden")],
}


class GuardedChangeList(ChangeList):
    """A change list that treats every filter value it cannot use as the admin treats a
    wrong one: back to the unfiltered list with "?e=1" (`IncorrectLookupParameters`)."""

    def get_filters(self, request):
        params = self.get_filters_params()
        # No stored text holds a NUL byte (forms refuse it), and PostgreSQL refuses one in a
        # query with a DataError only when the query runs, after the admin's own checks.
        for name, values in params.items():
            if any("\x00" in value for value in values):
                raise IncorrectLookupParameters(f"NUL byte in the value of {name!r}")
            # Django lets any lookup on a model's own fields through, regular expressions
            # included: one that doesn't compile is an error only once the query runs.
            if name.endswith(("__regex", "__iregex")):
                raise IncorrectLookupParameters(f"regular expression lookup {name!r}")
            # A whole number past 64 bits: SQLite raises OverflowError when the query runs.
            if any(_too_big(part) for value in values for part in value.split(",")):
                raise IncorrectLookupParameters(f"number out of range in {name!r}")
        if self.date_hierarchy:
            year = params.get(f"{self.date_hierarchy}__year", [""])[-1]
            # The date hierarchy checks only that datetime(year, month, day) can be built;
            # the start of the next year, or the date in UTC, must exist too.
            if year and not _within(year, datetime.MINYEAR + 1, datetime.MAXYEAR - 1):
                raise IncorrectLookupParameters(f"year out of range: {year[:20]!r}")
        try:
            return super().get_filters(request)
        except OverflowError as error:  # e.g. a month of 99999999999, past a C int
            raise IncorrectLookupParameters(error) from error


def _too_big(text):
    """Whether `text` is a whole number outside a 64-bit integer's range."""
    digits = text.strip().removeprefix("-")
    return digits.isdigit() and digits.isascii() and int(digits) > 2**63 - 1


def _within(number, low, high):
    """Whether the text `number` is an integer from `low` to `high`."""
    try:
        return low <= int(number) <= high
    except ValueError:
        return False


class ContentAdmin(
    TranslatedFieldAdmin,
    ExportActionsMixin,
    ConcurrentEditMixin,
    ChangeNoteMixin,
    CompareVersionAdmin,
):
    """History (list, compare two versions field by field, revert, recover deleted) for every
    change made in the admin, stale saves refused (see `concurrency`), exports of the selected
    rows (see `transfer`), with filter counts shown beside each filter option, and a change
    note for the public log (see `changenotes`). Translated fields are labelled with their
    language, e.g. "Name [zh-hant]"."""

    show_facets = admin.ShowFacets.ALWAYS
    save_on_top = True
    list_per_page = 50

    class Media:
        # Labels for the autocomplete widgets' search boxes, which select2 leaves unnamed.
        js = ["portal/admin/autocomplete-labels.js"]
        # Filter choices large enough to tap (WCAG 2.2 target size), among others.
        css = {"all": ["portal/admin/editors.css"]}

    # reversion-compare's pages, with the stylesheet that wraps long texts' word diffs and
    # makes the compare buttons large enough to tap.
    compare_template = "admin/portal/compare.html"
    object_history_template = "admin/portal/object_history.html"

    @property
    def compare_fields(self):
        """What compare lists when it changed: what editors edit, never timestamps."""
        return [field.name for field in edited_fields(self.model)]

    def fallback_compare(self, obj_compare):
        """A word diff, wrapped, for text and every other value without a compare of its own
        (reversion-compare's is a character diff on one unwrapped line)."""
        old, new = obj_compare.to_string()
        return render_to_string(
            "admin/portal/includes/_word_diff.html",
            {"diff": word_diff(old, new, context=COMPARE_CONTEXT, limit=None)},
        )

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def get_search_results(self, request, queryset, search_term):
        # The change list's search form refuses NUL bytes, but the autocomplete widgets pass
        # their term straight here, and PostgreSQL refuses a NUL in a query (DataError).
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    @method_decorator(csp_override(HISTORY_CSP))
    def history_view(self, request, object_id, extra_context=None):
        # django-reversion looks the versions up by the id as typed, before Django's own view
        # checks that the object exists; an id that is no object's gets Django's answer.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion filters the versions by the id as typed; PostgreSQL refuses a NUL.
        if "\x00" in unquote(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        refuse_unpermitted_revert(request, version_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        refuse_unpermitted_revert(request, version_id)
        return super().recover_view(request, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        # reversion-compare checks no permission here (the history page linking to it does),
        # so without this any staff account could read every version, drafts included.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # Its own lookup, get_object_or_404(pk=object_id), raises ValueError for "abc".
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().compare_view(request, object_id, extra_context)


def refuse_unpermitted_revert(request, version_id):
    """Raise PermissionDenied if reverting to (or recovering) version `version_id` would
    publish, schedule or unpublish an article and the user may not publish; Http404 for a
    version id past any database's integers."""
    if len(str(version_id)) > 18:
        raise Http404
    if request.user.has_perm(PUBLISH_PERMISSION):
        return
    version = Version.objects.filter(pk=version_id).select_related("revision").first()
    if version is not None and revision_changes_publishing(version.revision):
        raise PermissionDenied


class SourceFormSet(BaseInlineFormSet):
    """The sources chosen on an item's form; refused if a footnote in one of the item's cited
    texts, as submitted in the same form, names none of them (see portal.reference.footnotes)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and index is not None:
            # The tabular inline's "Delete?" column heading is no label: name each box.
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete source %(number)s") % {
                "number": index + 1
            }

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        urls = [
            form.cleaned_data["source"].url
            for form in self.forms
            if form.cleaned_data.get("source") and not form.cleaned_data.get("DELETE")
        ]
        problems = []
        for name in cited_fields(type(self.instance)):
            # The parent form has already put its submitted values on the instance.
            text = getattr(self.instance, name, "")
            for message in footnote_problems(text, urls) if text and "[^" in text else ():
                label = self.instance._meta.get_field(name).verbose_name
                problems.append(
                    _("%(field)s: %(problem)s") % {"field": capfirst(label), "problem": message}
                )
        if problems:
            raise ValidationError(problems)


class SourceInline(admin.TabularInline):
    """The sources an item cites, chosen (or added with the + button) inline on its form."""

    formset = SourceFormSet
    extra = 0
    autocomplete_fields = ["source"]
    verbose_name = _("source")
    verbose_name_plural = _("sources (cited as footnotes, in this order of addition)")

    def get_formset(self, request, obj=None, **kwargs):
        # The admin shows `min_num` empty forms but enforces the minimum only if asked to.
        if self.min_num:
            kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


def sources_inline(model, min_num=None):
    """A SourceInline for `model`'s `sources` many-to-many field, requiring at least `min_num`
    sources if given."""
    attributes = {"model": model.sources.through, "min_num": min_num}
    return type(f"{model.__name__}SourceInline", (SourceInline,), attributes)


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


def has_field(model, name):
    return any(field.name == name for field in model._meta.get_fields())


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
                    untranslated = Q(**{other: ""}) & ~Q(**{english: ""})
                    if name == "name" and has_field(queryset.model, "english_name_only"):
                        # A name with no official Chinese form is not waiting for one.
                        untranslated &= Q(english_name_only=False)
                    missing |= untranslated
            if self.value() == "missing":
                return queryset.filter(missing)
            if self.value() == "complete":
                return queryset.exclude(missing)
            return queryset

    return MissingTranslationFilter
