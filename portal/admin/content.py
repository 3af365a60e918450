"""One admin per content model, arranged the way an editor thinks about the item.

Change lists run a fixed number of queries (counts come from subqueries or, for the sectors,
the finders' facet indexes; relations are selected or prefetched), so a page of 100 rows costs
what a page of 5 does.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.admin.base import (
    ContentAdmin,
    GuardedChangeList,
    ReviewDueFilter,
    missing_translation_filter,
    recorded_change,
    side_by_side,
    sources_inline,
    with_step,
)
from portal.admin.changenotes import corrections_inline
from portal.admin.filters import (
    ChangedByFilter,
    CheckFailedFilter,
    CitedFilter,
    RecentlyPublishedFilter,
    StatusConfirmedFilter,
)
from portal.admin.preview import MarkdownPreviewTextarea, article_page, markdown_preview
from portal.admin.publishing import (
    COMMENT_FIELD,
    PublishingForm,
    outcome_message,
    publishing_action,
    publishing_buttons,
    publishing_panel,
    refuse_unpermitted,
    review_comment_field,
    step_message,
)
from portal.admin.review import NeedsReviewMixin
from portal.admin.scale import (
    FullTextSearchMixin,
    IdFirstPaginator,
    YearsChangeList,
    per_row,
    related_filter,
)
from portal.caching.pages import request_state
from portal.finders.related import sector_counts
from portal.models import (
    Article,
    Initiative,
    Milestone,
    Organisation,
    Sector,
    Source,
    count_of,
    languages,
)


@admin.register(Source)
class SourceAdmin(ContentAdmin):
    list_display = [
        "__str__",
        "publisher",
        "publisher_type",
        "accessed",
        "citation_count",
        "check_result",
        "url",
    ]
    list_filter = [CitedFilter, CheckFailedFilter, "publisher_type", "check_result", "publisher"]
    search_fields = ["url", "title", "publisher"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "url",
                    "title",
                    "publisher",
                    "publisher_type",
                    ("published", "published_precision"),
                    "accessed",
                    "archive_url",
                ]
            },
        ),
        (
            _("Address check"),
            {
                "fields": [("check_result", "check_status", "checked_at"), "check_final_url"],
                "description": _(
                    "What manage.py check_sources found at the address when it last fetched it."
                ),
            },
        ),
    ]
    readonly_fields = ["check_result", "check_status", "checked_at", "check_final_url"]

    def get_queryset(self, request):
        def cited_by(model):
            # The relation table's rows alone (one per citing row, read from its source
            # index): sorting by citations counts them for every source, and joining each
            # citing row in as well read every article, bodies and all (2 s at 100,000
            # articles; 60 ms now).
            citing = model.sources.through.objects.filter(source=OuterRef("pk"))
            return count_of(citing, distinct=False)

        return (
            super()
            .get_queryset(request)
            .annotate(
                citations=cited_by(Article)
                + cited_by(Initiative)
                + cited_by(Milestone)
                + cited_by(Organisation)
                + cited_by(Sector)
            )
        )

    @admin.display(description=_("cited by"), ordering="citations")
    def citation_count(self, source):
        return source.citations


class SectorChangeList(GuardedChangeList):
    """The sectors with the counts readers see on the sectors page, from the same facet
    indexes: no counting query (counting each sector's published articles read every one of
    them, a second at 100,000 articles). Each count is a constant per row, for the list to
    sort by; only the list has them (a sector's form has no use for them)."""

    def get_queryset(self, request, exclude_parameters=None):
        if not getattr(self, "_counted", False):
            counts = sector_counts(request_state(request))
            self.root_queryset = self.root_queryset.annotate(
                **{name: per_row(values) for name, values in counts.items()}
            )
            self._counted = True
        return super().get_queryset(request, exclude_parameters)


@admin.register(Sector)
class SectorAdmin(ContentAdmin):
    list_display = [
        *languages("name"),
        "sort_weight",
        # Not named after the relations ("articles"): the list would sort by those instead.
        "article_total",
        "initiative_total",
        "organisation_total",
        "updated_at",
    ]
    list_editable = ["sort_weight"]
    list_filter = [missing_translation_filter("name", "summary", "description")]
    search_fields = [*languages("name"), *languages("summary"), *languages("description")]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (
            _("Content"),
            {"fields": [*side_by_side("name"), "slug", *side_by_side("summary", "description")]},
        ),
        (_("Listing"), {"fields": ["sort_weight"]}),
    ]
    inlines = [sources_inline(Sector), corrections_inline(Sector)]

    def get_changelist(self, request, **kwargs):
        return SectorChangeList

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)

        class SortWeightForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # The list's editable box has a column heading, not a label: name it per row.
                self.fields["sort_weight"].widget.attrs["aria-label"] = _(
                    "Sort weight of %(sector)s"
                ) % {"sector": self.instance}

        return SortWeightForm

    @admin.display(description=_("published articles"), ordering="article_count")
    def article_total(self, sector):
        return sector.article_count

    @admin.display(description=_("initiatives"), ordering="initiative_count")
    def initiative_total(self, sector):
        return sector.initiative_count

    @admin.display(description=_("organisations"), ordering="organisation_count")
    def organisation_total(self, sector):
        return sector.organisation_count


class ReviewedAdmin(NeedsReviewMixin, ContentAdmin):
    """Initiatives and organisations: entries that editors re-check against their sources,
    and whose changes by Editors a Publisher checks (portal.admin.review)."""

    actions = ["mark_reviewed", "mark_changes_reviewed"]

    @admin.action(description=_("Mark selected as reviewed today"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        today = timezone.localdate()
        with recorded_change(request, _("Marked as reviewed")):
            for obj in queryset:  # save(), not update(), so each review is in the history.
                obj.last_reviewed = today
                obj.save(update_fields=["last_reviewed", "updated_at"])
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Marked %(count)d entry as reviewed today.",
                "Marked %(count)d entries as reviewed today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("review due"), boolean=True)
    def review_due(self, obj):
        return obj.is_due_for_review()


@admin.register(Organisation)
class OrganisationAdmin(ReviewedAdmin):
    list_display = [
        *languages("name"),
        "short_name_en",
        "kind",
        "parent",
        "founded_year",
        "initiatives_led",
        "last_reviewed",
        "review_due",
    ]
    list_filter = [
        "kind",
        # Only the organisations that something is part of: a short list, not every row.
        ("parent", admin.RelatedOnlyFieldListFilter),
        ReviewDueFilter,
        missing_translation_filter("name", "short_name", "summary", "description"),
        "sectors",
    ]
    search_fields = [
        *languages("name"),
        *languages("short_name"),
        "aliases",
        *languages("summary"),
        *languages("description"),
    ]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["parent", "sectors"]
    fieldsets = [
        (
            _("Content"),
            {
                "fields": [
                    *side_by_side("name"),
                    "slug",
                    *side_by_side("short_name"),
                    "aliases",
                    "english_name_only",
                    "kind",
                    *side_by_side("summary", "description"),
                ]
            },
        ),
        (_("Facts"), {"fields": ["founded_year", "website"]}),
        (_("Relations"), {"fields": ["parent", "sectors"]}),
        (_("Review"), {"fields": ["last_reviewed"]}),
    ]
    inlines = [sources_inline(Organisation), corrections_inline(Organisation)]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                led_count=count_of(Initiative.objects.filter(lead_organisation=OuterRef("pk")))
            )
        )

    @admin.display(description=_("initiatives led"), ordering="led_count")
    def initiatives_led(self, organisation):
        return organisation.led_count


@admin.register(Initiative)
class InitiativeAdmin(ReviewedAdmin):
    list_display = [
        *languages("name"),
        "kind",
        "status",
        "start_year",
        "end_year",
        "lead_organisation",
        "last_reviewed",
        "review_due",
    ]
    list_filter = [
        "kind",
        "status",
        StatusConfirmedFilter,
        ReviewDueFilter,
        missing_translation_filter("name", "short_name", "summary", "description"),
        "sectors",
    ]
    list_select_related = ["lead_organisation"]
    search_fields = [
        *languages("name"),
        *languages("short_name"),
        "aliases",
        *languages("summary"),
        *languages("description"),
    ]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = [
        "lead_organisation",
        "partners",
        "sectors",
        "status_source",
        "amount_source",
        "applicants_source",
        "intake_source",
    ]
    fieldsets = [
        (
            _("Content"),
            {
                "fields": [
                    *side_by_side("name"),
                    "slug",
                    *side_by_side("short_name"),
                    "aliases",
                    "english_name_only",
                    "kind",
                    *side_by_side("summary", "description"),
                    "website",
                ]
            },
        ),
        (_("Relations"), {"fields": ["lead_organisation", "partners", "sectors"]}),
        (
            _("Timeline"),
            {"fields": ["status", "status_as_of", "status_source", "start_year", "end_year"]},
        ),
        (
            # A funding scheme's terms (issue #21), each with the source that states it.
            _("Applying"),
            {
                "fields": [
                    ("amount", "amount_currency", "amount_basis", "amount_years"),
                    "amount_source",
                    "applicants",
                    "applicants_source",
                    "apply_url",
                    ("window_opens", "window_closes", "rolling"),
                    ("intake", "intake_as_of"),
                    "intake_source",
                ]
            },
        ),
        (_("Review"), {"fields": ["last_reviewed"]}),
    ]
    inlines = [sources_inline(Initiative), corrections_inline(Initiative)]


class VisibilityFilter(admin.SimpleListFilter):
    """What readers see: live, scheduled (published with a future date) or not yet (in
    review, sent back to its author, or another draft)."""

    title = _("visibility")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("live", _("Live")),
            ("scheduled", _("Scheduled")),
            ("in_review", _("In review")),
            ("sent_back", _("Sent back")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request, queryset):
        # Conditions on the rows themselves (not "id in the published ones"): an index
        # on status and publish date answers them.
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "in_review":
            return queryset.filter(status=Article.Status.IN_REVIEW)
        if self.value() == "sent_back":
            return queryset.filter(status=Article.Status.DRAFT).exclude(review_comment="")
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


@admin.register(Article)
class ArticleAdmin(FullTextSearchMixin, ContentAdmin):
    list_display = [
        *languages("title"),
        "visibility",
        "publish_at",
        "byline",
        "updated_at",
        "preview_link",
    ]
    list_filter = [
        VisibilityFilter,
        RecentlyPublishedFilter,
        ChangedByFilter,
        "status",
        missing_translation_filter("title", "summary", "body"),
        related_filter(Article, "sectors"),
    ]
    date_hierarchy = "publish_at"
    # Built for 100,000 articles (see portal.admin.scale): a page reads its own rows only, in
    # an order an index holds (portal_article_admin_*_idx); sorting by the columns that have
    # one; no second count of the whole table; filter counts when asked for ("Show counts").
    paginator = IdFirstPaginator
    ordering = ["-publish_at", "-pk"]
    sortable_by = ["title_en", "publish_at", "updated_at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.ALLOW
    search_fields = [*languages("title"), *languages("summary"), *languages("body"), "byline"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["sectors", "initiatives", "organisations"]
    fieldsets = [
        (
            _("Content"),
            {
                # Each body on a row of its own, its live preview beside it.
                "fields": [
                    *side_by_side("title"),
                    "slug",
                    *side_by_side("summary"),
                    *languages("body"),
                    "byline",
                ]
            },
        ),
        (_("Relations"), {"fields": ["sectors", "initiatives", "organisations"]}),
    ]
    inlines = [sources_inline(Article), corrections_inline(Article)]
    actions = ["publish_now", "unpublish", "duplicate_as_draft"]
    # With the publishing panel: templates/admin/portal/article/change_form.html.
    form = PublishingForm

    def get_fieldsets(self, request, obj=None):
        # The publishing panel's own fields, which its template places beside their
        # buttons: the publish date beside Schedule, the comment beside Send back.
        fields = ["publish_at"]
        if self._offers(request, obj, COMMENT_FIELD):
            fields.append(COMMENT_FIELD)
        panel = (_("Publishing"), {"fields": fields, "classes": ["publishing-panel"]})
        return [*super().get_fieldsets(request, obj), panel]

    def _offers(self, request, obj, field):
        """Whether `obj`'s form has a Send back button for this user (and so its comment)."""
        can_publish = self.has_publish_permission(request)
        return field == COMMENT_FIELD and "_send_back" in dict(publishing_buttons(obj, can_publish))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in languages("body"):
            language = db_field.name.removeprefix("body_").replace("_", "-")
            kwargs["widget"] = MarkdownPreviewTextarea(
                reverse("admin:portal_article_markdown_preview"), language
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            # Publishing, scheduling and unpublishing are for those who may publish.
            fields = [*fields, "publish_at"]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        attributes = {"action": publishing_action(request.POST), "user": request.user}
        if self._offers(request, obj, COMMENT_FIELD):
            attributes[COMMENT_FIELD] = review_comment_field()
        base = kwargs.get("form", self.form)
        kwargs["form"] = type(base.__name__, (base,), attributes)
        return super().get_form(request, obj, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            action = publishing_action(request.POST)
            article = self.get_object(request, unquote(object_id)) if object_id else None
            refuse_unpermitted(action, article, self.has_publish_permission(request))
            # What the history names this step, from the status before it.
            request._publishing_step = step_message(action, article and article.status)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_save = self.has_change_permission(request, obj) if change else add
        can_publish = self.has_publish_permission(request)
        buttons = publishing_buttons(obj, can_publish) if may_save else []
        context["publishing_buttons"] = buttons
        context["panel"] = publishing_panel(obj, buttons)
        # The panel shows the form's errors beside its buttons, in place of the banner the
        # admin puts under the top buttons (templates/admin/portal/article/change_form.html).
        context["panel_errors"], context["errors"] = context.get("errors"), None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        return with_step(getattr(request, "_publishing_step", ""), message)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.action:
            self.message_user(request, outcome_message(obj), messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        return super().response_add(self._stay_on_form(request), obj, post_url_continue)

    def response_change(self, request, obj):
        return super().response_change(self._stay_on_form(request), obj)

    def get_changelist(self, request, **kwargs):
        return YearsChangeList

    def get_queryset(self, request):
        live = Article.objects.published().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_live=Exists(live))

    @admin.display(description=_("visibility"), ordering="status")
    def visibility(self, article):
        if article.status == Article.Status.IN_REVIEW:
            return _("In review")
        if article.status == Article.Status.DRAFT:
            return _("Sent back") if article.review_comment else _("Draft")
        return _("Live") if article.is_live else _("Scheduled")

    @admin.display(description=_("preview"))
    def preview_link(self, article):
        return format_html('<a href="{}">{}</a>', self.preview_url(article), _("Preview"))

    def preview_url(self, article):
        return reverse("admin:portal_article_preview", args=[article.pk])

    def view_on_site(self, article):
        # Readers get a 404 for drafts and scheduled articles; editors get the preview.
        if Article.objects.published().filter(pk=article.pk).exists():
            return article.get_absolute_url()
        return self.preview_url(article)

    def _stay_on_form(self, request):
        """After a publishing button, back to the form (as "Save and continue editing"), where
        the message says what readers now see."""
        if publishing_action(request.POST):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return request

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        markdown = self.admin_site.admin_view(require_POST(self.markdown_preview_view))
        return [
            path("preview-markdown/", markdown, name="portal_article_markdown_preview"),
            path("<path:object_id>/preview/", preview, name="portal_article_preview"),
            *super().get_urls(),
        ]

    def markdown_preview_view(self, request):
        """The live preview beside the body: for those who may write articles."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return markdown_preview(request)

    def preview_view(self, request, object_id):
        """The article exactly as readers will see it, whatever its status; staff only."""
        # get_object(), like the admin's other views: an id that is not a number is no
        # article's (get_object_or_404 would raise ValueError for "abc", a 500).
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No article with this id.")
        article = (
            Article.objects.filter(pk=article.pk)
            .prefetch_related("sectors", "initiatives", "organisations", "sources")
            .get()
        )
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article_page(request, article)

    def has_publish_permission(self, request):
        return request.user.has_perm("portal.publish_article")

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        count = self._save_each(
            request, queryset, _("Published now"), status=Article.Status.PUBLISHED, publish_at=now
        )
        self.message_user(
            request,
            ngettext("Published %(count)d article.", "Published %(count)d articles.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = self._save_each(request, queryset, _("Unpublished"), status=Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext(
                "Moved %(count)d article back to draft.",
                "Moved %(count)d articles back to draft.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Duplicate selected articles as new drafts"), permissions=["add"])
    def duplicate_as_draft(self, request, queryset):
        with recorded_change(request, _("Duplicated as a new draft")):
            copies = [article.duplicate_as_draft() for article in queryset]
        self.message_user(
            request,
            ngettext(
                "Created %(count)d draft copy.", "Created %(count)d draft copies.", len(copies)
            )
            % {"count": len(copies)},
            messages.SUCCESS,
        )

    def _save_each(self, request, queryset, comment, **changes):
        """Apply `changes` with save() on each article, so each change is in the history."""
        with recorded_change(request, comment):
            articles = list(queryset)
            for article in articles:
                for name, value in changes.items():
                    setattr(article, name, value)
                article.save()
        return len(articles)


@admin.register(Milestone)
class MilestoneAdmin(NeedsReviewMixin, ContentAdmin):
    list_display = [*languages("title"), "date", "date_precision", "kind", "updated_at"]
    list_filter = [
        "kind",
        "date_precision",
        "planned",
        missing_translation_filter("title", "summary"),
        "sectors",
    ]
    date_hierarchy = "date"
    search_fields = [*languages("title"), *languages("summary")]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["initiatives", "organisations", "sectors"]
    fieldsets = [
        (_("Content"), {"fields": [*side_by_side("title"), "slug", *side_by_side("summary")]}),
        (_("When"), {"fields": ["date", "date_precision", "kind", "planned"]}),
        (_("Relations"), {"fields": ["initiatives", "organisations", "sectors"]}),
    ]
    # At least one source: a milestone's date must be one a reader can check.
    inlines = [sources_inline(Milestone, min_num=1), corrections_inline(Milestone)]
    actions = ["mark_changes_reviewed"]
