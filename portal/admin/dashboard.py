"""The dashboard on the admin index: what needs the signed-in editor's attention, a panel each.

A panel is declared in a few lines (`Panel`, listed in PANELS): its title, its model, and the
values of that model's change-list filters that select its rows. Its count and its newest
rows come from those very filters (`filtered`), so the count is the number of rows on the
change list it links to, and each rule stays in one place. Each panel shown costs two
queries (the count and the first ROWS_SHOWN rows) whatever the number of rows, and shows
only to those who may view its model (and hold its `permission`, if it names one).

Adding a panel is one entry in PANELS. The review panels ("awaiting my review" and the
changes to check) are for Publishers: they need `portal.publish_article`.
The admin index shows them (`with_dashboard`, templates/admin/index.html).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import prepare_lookup_value
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.admin.filters import RECENT_DAYS
from portal.models import (
    REVIEW_INTERVAL_DAYS,
    STATUS_CONFIRMATION_DAYS,
    Article,
    Initiative,
    Milestone,
    Organisation,
    Source,
)

# Rows listed under each panel's count; the change list behind its link has the rest.
ROWS_SHOWN = 5


@dataclass(frozen=True)
class Panel:
    """One panel: `model`'s rows that its change list shows with the `filters` values
    ({parameter: value}, a parameter of one of that change list's SimpleListFilters, or a
    field lookup as the change list takes it, e.g. "status__exact"), the first ROWS_SHOWN in
    `order`, each with its `detail` (a function of the row returning text) beside its name."""

    key: str
    title: str
    model: type
    filters: dict
    order: tuple
    detail: Callable
    description: str = ""
    # A permission needed beyond viewing the model ("portal.publish_article"), if any.
    permission: str = ""

    def url(self):
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{changelist}?{urlencode(self.filters)}"


def when(value):
    """A date or a time as the admin writes it, in the site's time zone."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


def reviewed(obj):
    if obj.last_reviewed is None:
        return _("never reviewed")
    return _("reviewed %(date)s") % {"date": when(obj.last_reviewed)}


def status_confirmed(initiative):
    if initiative.status_as_of is None:
        return _("%(status)s, never confirmed") % {"status": initiative.get_status_display()}
    return _("%(status)s as of %(date)s") % {
        "status": initiative.get_status_display(),
        "date": when(initiative.status_as_of),
    }


def check_outcome(source):
    return _("%(result)s, %(date)s") % {
        "result": source.get_check_result_display(),
        "date": when(source.checked_at),
    }


def due_for_review(model):
    return Panel(
        key=f"{model._meta.model_name}-review",
        title=_("%(things)s due for review") % {"things": model._meta.verbose_name_plural},
        model=model,
        filters={"review": "due"},
        order=(F("last_reviewed").asc(nulls_first=True), "pk"),
        detail=reviewed,
        description=_("Not checked against their sources for more than %(days)s days.")
        % {"days": REVIEW_INTERVAL_DAYS},
    )


def changes_to_check(model):
    return Panel(
        key=f"{model._meta.model_name}-changes",
        title=_("Changes to check: %(things)s") % {"things": model._meta.verbose_name_plural},
        model=model,
        filters={"needs_review__exact": "1"},
        order=("updated_at", "pk"),
        detail=lambda obj: _("changed %(time)s") % {"time": when(obj.updated_at)},
        description=_("Editors' changes that readers already see, for a Publisher to check."),
        permission="portal.publish_article",
    )


PANELS = [
    Panel(
        key="my-drafts",
        title=_("My drafts"),
        model=Article,
        filters={"visibility": "draft", "changed_by": "me"},
        order=("-updated_at", "-pk"),
        detail=lambda article: _("changed %(time)s") % {"time": when(article.updated_at)},
        description=_("Draft articles whose latest change in the history is yours."),
    ),
    # Awaiting my review: what waits for a Publisher (portal.admin.publishing, .review).
    Panel(
        key="awaiting-review",
        title=_("Awaiting my review"),
        model=Article,
        filters={"visibility": "in_review"},
        order=("submitted_at", "pk"),
        detail=lambda article: _("submitted %(time)s") % {"time": when(article.submitted_at)},
        description=_("Articles submitted for review, longest waiting first."),
        permission="portal.publish_article",
    ),
    *(changes_to_check(model) for model in (Initiative, Organisation, Milestone)),
    Panel(
        key="scheduled",
        title=_("Scheduled"),
        model=Article,
        filters={"visibility": "scheduled"},
        order=("publish_at", "pk"),
        detail=lambda article: when(article.publish_at),
        description=_("Published articles that appear by themselves at their time."),
    ),
    Panel(
        key="recently-published",
        title=_("Recently published"),
        model=Article,
        filters={"published": "recent"},
        order=("-publish_at", "-pk"),
        detail=lambda article: when(article.publish_at),
        description=_("Articles readers first saw in the last %(days)s days.")
        % {"days": RECENT_DAYS},
    ),
    due_for_review(Initiative),
    due_for_review(Organisation),
    Panel(
        key="status-unconfirmed",
        title=_("Statuses not confirmed"),
        model=Initiative,
        filters={"status_confirmed": "stale"},
        order=(F("status_as_of").asc(nulls_first=True), "pk"),
        detail=status_confirmed,
        description=_(
            "Planned or active initiatives whose status no source has confirmed for %(days)s days."
        )
        % {"days": STATUS_CONFIRMATION_DAYS},
    ),
    Panel(
        key="uncited-sources",
        title=_("Sources cited by nothing"),
        model=Source,
        filters={"cited": "no"},
        order=("publisher", "title", "pk"),
        detail=lambda source: source.publisher,
        description=_("No article, initiative, organisation, sector or milestone lists them."),
    ),
    Panel(
        key="failed-links",
        title=_("Source links that failed"),
        model=Source,
        filters={"check": "failed"},
        order=("-checked_at", "pk"),
        detail=check_outcome,
        description=_("Gone, an error or no answer at the last check (manage.py check_sources)."),
    ),
]


def filtered(request, model_admin, filters):
    """The rows of `model_admin`'s change list with the `filters` values, as the change
    list filters them: its own queryset, through its own SimpleListFilters, the rest as
    field lookups."""
    queryset = model_admin.get_queryset(request)
    params = {name: [value] for name, value in filters.items()}
    for list_filter in model_admin.get_list_filter(request):
        if (
            isinstance(list_filter, type)
            and issubclass(list_filter, admin.SimpleListFilter)
            and list_filter.parameter_name in params
        ):
            spec = list_filter(request, params, model_admin.model, model_admin)
            queryset = spec.queryset(request, queryset)
    for name, values in params.items():
        if not model_admin.lookup_allowed(name, values[-1], request):
            raise ImproperlyConfigured(f"{model_admin} does not filter by {name!r}")
        queryset = queryset.filter(**{name: prepare_lookup_value(name, values[-1])})
    return queryset


def dashboard(request, panels=None, site=admin.site):
    """[{"panel", "count", "rows": [{"name", "url", "detail"}], "url"}] for each of `panels`
    (default PANELS) that the user may see, in order."""
    shown = []
    for panel in PANELS if panels is None else panels:
        model_admin = site._registry.get(panel.model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            continue
        if panel.permission and not request.user.has_perm(panel.permission):
            continue
        rows = filtered(request, model_admin, panel.filters)
        opts = panel.model._meta
        change = f"admin:{opts.app_label}_{opts.model_name}_change"
        shown.append(
            {
                "panel": panel,
                "count": rows.count(),
                "url": panel.url(),
                "rows": [
                    {
                        "name": str(obj),
                        "url": reverse(change, args=[obj.pk]),
                        "detail": panel.detail(obj),
                    }
                    for obj in rows.order_by(*panel.order)[:ROWS_SHOWN]
                ],
            }
        )
    return shown


def with_dashboard(index):
    """The admin site's `index` view with the user's panels in its context as `dashboard`."""

    @functools.wraps(index)
    def index_with_dashboard(request, extra_context=None):
        return index(request, {"dashboard": dashboard(request), **(extra_context or {})})

    return index_with_dashboard
