"""The portal's domain: sectors, organisations, initiatives, articles and the sources behind them.

Every model that fixtures reference has a natural key (a slug, or a URL for sources), so no
fixture carries a primary key. Integrity rules live in the database as named constraints.
"""

import datetime
import functools
import json
import operator
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from translated_fields.utils import TranslatedFieldWithFallback

from portal.records import schemes
from portal.records.addresses import detail_url
from portal.records.cjk import index_text
from portal.records.columns import Choice, Columns, Field, ForeignKey, PageUrl, Related, isoformat
from portal.records.description import (
    BREADCRUMBS,
    CHANGE_LOG,
    CITATIONS,
    CITED_BY,
    CORRECTIONS,
    FEATURES,
    FORMATS,
    LIST,
    NETWORK,
    OPEN_DATA,
    SEARCH,
    SITEMAP,
    PublicRecord,
    translated_columns,
)
from portal.records.footnotes import cites_outside_notes
from portal.records.schemes import ApplicantsField, applicant_labels, open_on, open_on_condition

# The longest search a finder takes (portal.search.query.MAX_QUERY_LENGTH): a source's entry
# link searches its title's first words within it.
SOURCE_ENTRY_QUERY_LENGTH = 200
# Years outside this range are typing mistakes, not history or plans.
EARLIEST_YEAR = 1800
LATEST_YEAR = 2100


def translated(field, unique_in_english=False):
    """`field` in every language in settings.LANGUAGES: `name_en`, `name_zh_hant`, ...

    Reading `obj.name` gives the current language's text, or the English where that is
    empty (see `portal.templatetags.portal_tags.translated` for marking such fallbacks).
    English is required wherever the field is; other languages may be left blank.
    """
    return TranslatedFieldWithFallback(
        field, {"en": {"unique": True}} if unique_in_english else None
    )


languages = translated_columns


class SearchableModel(models.Model):
    """Content that full-text search finds (see portal.search.query).

    Subclasses list their searched columns in SEARCH_FIELDS. `search_cjk` holds the Chinese
    in them as two-character tokens (portal.records.cjk), kept up to date on every save and by the
    importer, so that word-based indexes can find Chinese text.
    """

    SEARCH_FIELDS = ()
    # The columns refresh_search_text() computes from others (save() and the importer write them).
    DERIVED_FIELDS = ("search_cjk",)

    search_cjk = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.refresh_search_text() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def refresh_search_text(self):
        """Recompute `search_cjk`; returns whether it changed."""
        text = index_text(" ".join(str(getattr(self, name) or "") for name in self.SEARCH_FIELDS))
        changed = text != self.search_cjk
        self.search_cjk = text
        return changed


def in_current_language(obj, name):
    """(text, language code) of `obj`'s translated field `name`: the current language's text,
    or the English where that is empty. Callers mark English shown on other-language pages."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    text = getattr(obj, f"{name}_{current.replace('-', '_')}", "")
    if text or current == "en":
        return text, current
    return getattr(obj, f"{name}_en", ""), "en"


def aliases_field():
    """Other names an organisation or initiative goes by, found by search but not shown."""
    return models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Other names and acronyms readers may search for, one per line, in any language "
            "(e.g. an abbreviated Chinese name). Only names that a cited source uses."
        ),
    )


def count_of(queryset, distinct=True):
    """A subquery expression counting the distinct rows of `queryset` (may use OuterRef); 0 if none.

    COUNT as a plain function rather than the Count aggregate, so the subquery has no GROUP BY
    and returns exactly one row; DISTINCT because joins through many-to-many relations can
    repeat a row. Counting in subqueries keeps one count from multiplying another.
    `distinct=False` for rows that cannot repeat (a relation table's own): a plain COUNT(*),
    which an index alone answers (PostgreSQL sorts each group for a DISTINCT count).
    """
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(*)"
    counted = queryset.order_by().annotate(
        n=models.Func(models.F("pk"), function="COUNT", template=template)
    )
    return Coalesce(models.Subquery(counted.values("n"), output_field=models.IntegerField()), 0)


class PublicQuerySet(models.QuerySet):
    def visible(self):
        """The rows readers may see: all of them, unless the model says otherwise."""
        return self.all()


class SlugManager(models.Manager.from_queryset(PublicQuerySet)):
    """Looks objects up by slug, their natural key."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


# Items not reviewed for longer than this are flagged to editors as due for review.
REVIEW_INTERVAL_DAYS = 180
# A planned or active initiative whose status no source has confirmed for this long (about six
# months) is flagged to editors: statuses go stale unseen (see Initiative.status_as_of).
STATUS_CONFIRMATION_DAYS = 180


class ReviewedQuerySet(PublicQuerySet):
    def due_for_review(self, today=None):
        """Rows never reviewed, or last reviewed more than REVIEW_INTERVAL_DAYS ago."""
        today = today or timezone.localdate()
        cutoff = today - datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
        return self.filter(
            models.Q(last_reviewed__isnull=True) | models.Q(last_reviewed__lt=cutoff)
        )


def _review_help_text():
    return gettext(
        "When an editor last checked this entry against its sources. Entries not "
        "reviewed for more than %(days)s days are flagged in the admin."
    ) % {"days": REVIEW_INTERVAL_DAYS}


class ReviewedModel(models.Model):
    """Content that editors re-check against its sources (see ReviewedQuerySet)."""

    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=lazy(_review_help_text, str)(),
    )

    class Meta:
        abstract = True

    def is_due_for_review(self, today=None):
        """The per-row form of ReviewedQuerySet.due_for_review()."""
        today = today or timezone.localdate()
        cutoff = today - datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
        return self.last_reviewed is None or self.last_reviewed < cutoff


class NeedsReviewModel(models.Model):
    """Content whose changes a Publisher checks after the fact, with review on
    (settings.REVIEW_REQUIRED): an Editor's change to it sets `needs_review`, a Publisher's
    "Mark changes reviewed" clears it (portal.admin.review). Readers see the record either way.
    """

    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        editable=False,
        help_text=_("Changed by an Editor since a Publisher last checked it."),
    )

    class Meta:
        abstract = True


class TimestampedModel(models.Model):
    """When a row was created and last changed; kept by Django, never exchanged in fixtures."""

    # The database defaults serve `loaddata`, which saves rows raw and skips `auto_now`.
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    class Meta:
        abstract = True


def year_range_constraint(field_name):
    """A check that `field_name` is empty or a plausible year."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__isnull": True})
        | models.Q(**{f"{field_name}__gte": EARLIEST_YEAR, f"{field_name}__lte": LATEST_YEAR}),
        name="%(app_label)s_%(class)s_" + f"{field_name}_plausible",
        violation_error_message=_("Enter a year between %(earliest)s and %(latest)s.")
        % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
    )


class DatePrecision(models.TextChoices):
    """How much of a date a source gives: a Budget speech has a day, a plan often a year."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def precision_matches_date(date_field, precision_field):
    """A condition true when `date_field` is the first day its `precision_field` allows: the
    first of the month for month precision, 1 January for year precision (or no date)."""
    return (
        models.Q(**{f"{date_field}__isnull": True})
        | models.Q(**{precision_field: "day"})
        | models.Q(**{precision_field: "month", f"{date_field}__day": 1})
        | models.Q(**{precision_field: "year", f"{date_field}__month": 1, f"{date_field}__day": 1})
    )


def english_name_only_field():
    """Whether a body or programme has no official Chinese name, so Chinese pages show its
    English name as the name itself rather than as a missing translation."""
    return models.BooleanField(
        _("no official Chinese name"),
        default=False,
        help_text=_(
            "Tick only when no page by the body itself or the government gives a Chinese "
            "name: Chinese pages then show the English name without a translation note."
        ),
    )


class SourceQuerySet(PublicQuerySet):
    def uncited(self):
        """Sources that no record lists among its sources (what the admin's "cited by"
        column counts as 0): one NOT EXISTS per relation table, each read from its index on
        the source. Articles' first: they outnumber the other records, so most sources are
        settled by that one look-up (half the time of the models' order at 100,000)."""
        relations = [r for r in self.model._meta.related_objects if r.many_to_many]
        condition = models.Q()
        for relation in sorted(relations, key=lambda r: r.related_model is not Article):
            links = relation.through.objects.filter(source=models.OuterRef("pk"))
            condition &= ~models.Exists(links)
        return self.filter(condition)

    def check_failed(self):
        """Sources whose address failed its last check: gone, an error, or no answer (a
        redirect still answers; robots.txt's refusal is no check)."""
        return self.filter(check_result__in=Source.FAILED_CHECKS)


class SourceManager(models.Manager.from_queryset(SourceQuerySet)):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class Source(SearchableModel):
    """A citation: the public page where a fact was read. Found by the site search (by its
    title and publisher); it has no page of its own, so a result links to its entry in the
    list of sources (`entry_url`) and to the page itself."""

    class PublisherType(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        STATUTORY = "statutory", _("Statutory body")
        UNIVERSITY = "university", _("University")
        RESEARCH = "research", _("Research centre")
        COMPANY = "company", _("Company")
        NEWS = "news", _("News")
        LAW_CONSULTING = "law_consulting", _("Law or consulting firm")
        ENCYCLOPAEDIA = "encyclopaedia", _("Encyclopaedia")
        OTHER = "other", _("Other")

    class CheckResult(models.TextChoices):
        """What a source's address answered when `manage.py check_sources` last fetched it."""

        OK = "ok", _("Answers")
        MOVED = "moved", _("Redirects elsewhere")
        GONE = "gone", _("Gone (404 or 410)")
        FAILED = "failed", _("Answers with an error")
        UNREACHABLE = "unreachable", _("No answer (timeout or connection error)")
        DISALLOWED = "disallowed", _("Not checked: robots.txt disallows it")

    # The results that mean a reader following the link finds no page.
    FAILED_CHECKS = (CheckResult.GONE, CheckResult.FAILED, CheckResult.UNREACHABLE)

    url = models.URLField(
        _("address"),
        max_length=500,
        unique=True,
        help_text=_(
            "The full address of the original page that states the fact: the publisher's own "
            "site, not a mirror, a document-sharing site or an address made of numbers."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("The page's own title, as the page shows it."),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        help_text=_("Who published the page, e.g. 'Hong Kong Monetary Authority'."),
    )
    publisher_type = models.CharField(
        _("type of publisher"),
        max_length=20,
        choices=PublisherType.choices,
        help_text=_("What kind of body the publisher is; readers filter the sources by it."),
    )
    # Null only for rows saved before the date was required; forms and fixtures need one.
    accessed = models.DateField(
        _("accessed on"),
        null=True,
        help_text=_("When an editor last checked that the page says what we cite it for."),
    )
    published = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_(
            "The publication date the page gives, as exactly as it gives it; blank if the "
            'page gives none (readers then see "n.d.").'
        ),
    )
    published_precision = models.CharField(
        _("publication date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=_("How much of the publication date the page gives: day, month or year."),
    )
    archive_url = models.URLField(
        _("archived copy"),
        max_length=500,
        blank=True,
        help_text=_(
            "Optional: the address of an archived copy of the page (e.g. in the Wayback "
            "Machine), for when the original changes or disappears."
        ),
    )

    # What `manage.py check_sources` last found at the address (portal.reference.linkcheck):
    # machine-written, so not editable, not exported and not in the change log.
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    check_result = models.CharField(
        _("check result"),
        max_length=12,
        choices=CheckResult.choices,
        blank=True,
        editable=False,
        help_text=_("What the last check of the address found; blank if never checked."),
    )
    check_status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, blank=True, editable=False
    )
    check_final_url = models.URLField(
        _("redirected to"),
        max_length=500,
        blank=True,
        editable=False,
        help_text=_("Where the address led at the last check, when it redirected elsewhere."),
    )

    public = PublicRecord(
        "source",
        section=_("Sources"),
        prefix="sources",
        position=5,
        name_field="title",
        key="url",
        fixture="10_sources.json",
        data_description=_("The public pages that the portal's facts come from."),
        features={SEARCH, OPEN_DATA},
    )

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = ("title", "publisher")

    objects = SourceManager()

    class Meta:
        ordering = ["publisher", "title", "url"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=precision_matches_date("published", "published_precision")
                & (models.Q(published__isnull=True) | ~models.Q(published_precision="")),
                name="portal_source_published_matches_precision",
                violation_error_message=_(
                    "Give the publication date's precision; a date known to the month must "
                    "be the first of the month, one known to the year 1 January."
                ),
            ),
        ]
        # The public list of sources filters by type and publisher and sorts by publisher.
        indexes = [
            models.Index(fields=["publisher", "title"], name="portal_source_publisher_idx"),
            models.Index(
                fields=["publisher_type", "publisher", "title"], name="portal_source_type_idx"
            ),
            # The admin's links that failed their last check (dashboard and filter): a search
            # of the few failures instead of a scan of every source.
            models.Index(fields=["check_result", "checked_at"], name="portal_source_check_idx"),
        ]

    def __str__(self):
        return self.title or self.url

    def natural_key(self):
        return (self.url,)

    def entry_url(self):
        """Its entry in the list of sources: the list searched for its title (the words
        that fit in a search), at the card's anchor. Sources have no page of their own."""
        words = (self.title or self.url)[: SOURCE_ENTRY_QUERY_LENGTH + 1]
        if len(words) > SOURCE_ENTRY_QUERY_LENGTH:
            words = words[:SOURCE_ENTRY_QUERY_LENGTH].rsplit(" ", 1)[0]
        query = urlencode({"q": words})
        return f"{reverse('portal:source_list')}?{query}#source-{self.pk}"

    @property
    def published_label(self):
        """The publication date as readers see it, only as precise as the page gives it, or
        "n.d." (no date) when the page gives none."""
        if self.published is None:
            # Translators: "no date", as reference lists mark a page that gives none.
            return gettext("n.d.")
        precision = self.published_precision or DatePrecision.DAY
        return date_format(self.published, gettext(MILESTONE_DATE_FORMATS[precision]))


class Sector(SlugNaturalKeyMixin, SearchableModel, TimestampedModel):
    """A part of the economy or public life where AI is being applied."""

    name = translated(models.CharField(_("name"), max_length=120), unique_in_english=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = translated(
        models.CharField(
            _("summary"),
            max_length=300,
            blank=True,
            help_text=_("One sentence shown on cards and in search results."),
        )
    )
    description = translated(models.TextField(_("description"), blank=True))
    sort_weight = models.SmallIntegerField(
        _("sort weight"),
        default=0,
        help_text=_("Lower numbers are listed first; sectors with equal weight sort by name."),
    )
    sources = models.ManyToManyField(
        Source, related_name="sectors", blank=True, verbose_name=_("sources")
    )

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = (*languages("name"), *languages("summary"), *languages("description"))

    public = PublicRecord(
        "sector",
        section=_("Sectors"),
        prefix="sectors",
        position=4,
        name_field="name",
        fixture="20_sectors.json",
        cites=("description",),
        features={
            LIST,
            SEARCH,
            CHANGE_LOG,
            CITATIONS,
            CITED_BY,
            CORRECTIONS,
            OPEN_DATA,
            SITEMAP,
            BREADCRUMBS,
        },
    )

    objects = SlugManager()

    class Meta:
        ordering = ["sort_weight", "name_en"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("portal:sector_detail", self.slug)


class Organisation(
    SlugNaturalKeyMixin, SearchableModel, ReviewedModel, NeedsReviewModel, TimestampedModel
):
    """A body that leads or takes part in AI work in Hong Kong."""

    class Kind(models.TextChoices):
        GOVERNMENT_BODY = "government_body", _("Government body")
        STATUTORY_BODY = "statutory_body", _("Statutory body")
        UNIVERSITY = "university", _("University")
        RESEARCH_CENTRE = "research_centre", _("Research centre")
        COMPANY = "company", _("Company")
        INDUSTRY_BODY = "industry_body", _("Industry body")

    name = translated(models.CharField(_("name"), max_length=200), unique_in_english=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    short_name = translated(
        models.CharField(
            _("short name"),
            max_length=40,
            blank=True,
            help_text=_("The acronym or short name people use, e.g. ASTRI."),
        )
    )
    aliases = aliases_field()
    english_name_only = english_name_only_field()
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    founded_year = models.PositiveSmallIntegerField(
        _("founded in"),
        null=True,
        blank=True,
        help_text=_("Year the body was set up. Leave blank if no source gives it."),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    # PROTECT: deleting a university must not silently cut its institutes loose; the editor
    # sees which ones name it and decides where each belongs (as with lead_organisation).
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        verbose_name=_("part of"),
        help_text=_(
            "The body this one belongs to or is hosted by, e.g. the university of an institute "
            "or InnoHK centre. Only where a cited source says so."
        ),
    )
    summary = translated(
        models.CharField(
            _("summary"),
            max_length=300,
            blank=True,
            help_text=_("One sentence shown on cards and in search results."),
        )
    )
    description = translated(models.TextField(_("description"), blank=True))
    sectors = models.ManyToManyField(
        Sector, related_name="organisations", blank=True, verbose_name=_("sectors")
    )
    sources = models.ManyToManyField(
        Source, related_name="organisations", blank=True, verbose_name=_("sources")
    )

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = (
        *languages("name"),
        *languages("short_name"),
        "aliases",
        *languages("summary"),
        *languages("description"),
    )

    public = PublicRecord(
        "organisation",
        section=_("Organisations"),
        prefix="organisations",
        position=3,
        name_field="name",
        fixture="30_organisations.json",
        cites=("description",),
        features={
            LIST,
            SEARCH,
            CHANGE_LOG,
            CORRECTIONS,
            CITATIONS,
            CITED_BY,
            OPEN_DATA,
            SITEMAP,
            BREADCRUMBS,
            NETWORK,
        },
    )

    objects = SlugManager.from_queryset(ReviewedQuerySet)()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            year_range_constraint("founded_year"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="portal_organisation_not_own_parent",
                violation_error_message=_("An organisation cannot be part of itself."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name_en"], name="portal_org_kind_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("portal:organisation_detail", self.slug)

    def clean(self):
        # The database refuses only an organisation that is its own parent; a longer loop
        # (A part of B, B part of A) is caught here, one query per level walked up.
        if self.parent_id is None or self.pk is None:
            return  # A new organisation has no children yet, so it cannot close a loop.
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be part of itself.")})
        chain = [self.parent_id]
        parents = Organisation.objects.values_list("parent_id", flat=True)
        while (above := parents.filter(pk=chain[-1]).first()) is not None:
            if above == self.pk:
                names = dict(Organisation.objects.filter(pk__in=chain).values_list("pk", "name_en"))
                path = " → ".join([self.name_en, *(names[pk] for pk in chain), self.name_en])
                message = _("This would make a loop of organisations: %(path)s.") % {"path": path}
                raise ValidationError({"parent": message})
            if above in chain:
                return  # A loop above that doesn't include this one: not this edit's doing.
            chain.append(above)


class InitiativeQuerySet(ReviewedQuerySet):
    def open_for_applications(self, day=None):
        """Initiatives taking applications on `day` (default today, in the site's time zone):
        the rule of Initiative.is_open_now as one condition."""
        return self.filter(open_on_condition(day or timezone.localdate()))

    def status_unconfirmed(self, today=None):
        """Planned and active initiatives whose status no source has confirmed in the last
        STATUS_CONFIRMATION_DAYS, or ever (a completed one stays completed)."""
        today = today or timezone.localdate()
        cutoff = today - datetime.timedelta(days=STATUS_CONFIRMATION_DAYS)
        return self.filter(
            models.Q(status_as_of__isnull=True) | models.Q(status_as_of__lt=cutoff),
            status__in=[Initiative.Status.PLANNED, Initiative.Status.ACTIVE],
        )


class Initiative(
    SlugNaturalKeyMixin, SearchableModel, ReviewedModel, NeedsReviewModel, TimestampedModel
):
    """A strategy, scheme, centre, system or rule through which AI work happens."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("Strategy or blueprint")
        FUNDING = "funding", _("Funding scheme")
        RESEARCH = "research", _("Research centre or cluster")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        REGULATION = "regulation", _("Regulation or guideline")
        SANDBOX = "sandbox", _("Sandbox")
        TALENT = "talent", _("Talent or education programme")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    class Currency(models.TextChoices):
        HKD = "HKD", _("Hong Kong dollars")
        CNY = "CNY", _("Renminbi")
        USD = "USD", _("US dollars")

    class AmountBasis(models.TextChoices):
        TOTAL = "total", _("the scheme's budget")
        PER_GRANT = "per-grant", _("the most per grant")
        EACH = "each", _("the sum each successful applicant gets")

    class Intake(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = translated(models.CharField(_("name"), max_length=250), unique_in_english=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    short_name = translated(
        models.CharField(
            _("short name"),
            max_length=40,
            blank=True,
            help_text=_("The acronym or short name people use, e.g. AISS."),
        )
    )
    aliases = aliases_field()
    english_name_only = english_name_only_field()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_initiatives",
        null=True,
        blank=True,
        verbose_name=_("lead organisation"),
        help_text=_("The body responsible for it. Leave blank if no source names one."),
    )
    partners = models.ManyToManyField(
        Organisation,
        related_name="partner_initiatives",
        blank=True,
        verbose_name=_("partner organisations"),
    )
    sectors = models.ManyToManyField(
        Sector, related_name="initiatives", blank=True, verbose_name=_("sectors")
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"),
        null=True,
        blank=True,
        help_text=_("Year it was launched or announced. Leave blank if no source gives it."),
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"),
        null=True,
        blank=True,
        help_text=_("Year it ended or is due to end. Leave blank if open-ended."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    # A status without a date goes stale unseen ("Fintech 2025" stayed active after Fintech
    # 2030 replaced it), so each one says when, and by which page, it was last confirmed.
    status_as_of = models.DateField(
        _("status as of"),
        null=True,
        blank=True,
        help_text=_("The date of the page that last confirmed the status (e.g. a 2026 reply)."),
    )
    status_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="confirmed_statuses",
        null=True,
        blank=True,
        verbose_name=_("status confirmed by"),
        help_text=_("The source, among this initiative's sources, that states the status."),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    summary = translated(
        models.CharField(
            _("summary"),
            max_length=300,
            blank=True,
            help_text=_("One sentence shown on cards and in search results."),
        )
    )
    description = translated(models.TextField(_("description"), blank=True))
    sources = models.ManyToManyField(
        Source, related_name="initiatives", blank=True, verbose_name=_("sources")
    )

    # What a founder compares between funding schemes (issue #21), each value with the
    # source that states it; a value no source gives stays empty and reads "not stated".
    amount = models.PositiveBigIntegerField(
        _("amount"),
        null=True,
        blank=True,
        help_text=_("The sum in whole units of the currency, e.g. 3000000000 for HK$3 billion."),
    )
    amount_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, blank=True
    )
    amount_basis = models.CharField(
        _("amount is"),
        max_length=20,
        choices=AmountBasis.choices,
        blank=True,
        help_text=_("Whether the amount is the scheme's whole budget or the most one grant gets."),
    )
    amount_years = models.PositiveSmallIntegerField(
        _("over how many years"),
        null=True,
        blank=True,
        help_text=_("The period the amount covers, if the source gives one."),
    )
    amount_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="stated_amounts",
        null=True,
        blank=True,
        verbose_name=_("amount stated by"),
        help_text=_("The source, among this initiative's sources, that states the amount."),
    )
    applicants = ApplicantsField(
        _("who may apply"),
        help_text=_("Only the groups a source names as eligible."),
    )
    applicants_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="stated_applicants",
        null=True,
        blank=True,
        verbose_name=_("who may apply stated by"),
        help_text=_("The source, among this initiative's sources, that says who may apply."),
    )
    apply_url = models.URLField(
        _("how to apply"),
        max_length=300,
        blank=True,
        help_text=_("The page that explains how to apply."),
    )
    window_opens = models.DateField(_("applications open"), null=True, blank=True)
    window_closes = models.DateField(
        _("applications close"),
        null=True,
        blank=True,
        help_text=_("The last day applications are taken, as the source gives it."),
    )
    rolling = models.BooleanField(
        _("rolling applications"),
        default=False,
        help_text=_("Applications are taken at any time, with no closing date."),
    )
    intake = models.CharField(
        _("applications"),
        max_length=10,
        choices=Intake.choices,
        blank=True,
        help_text=_("Open or closed, as a source last confirmed it; blank if none says."),
    )
    intake_as_of = models.DateField(
        _("applications as of"),
        null=True,
        blank=True,
        help_text=_("The date of the page that confirmed whether applications are open."),
    )
    intake_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="confirmed_intakes",
        null=True,
        blank=True,
        verbose_name=_("applications confirmed by"),
        help_text=_("The source, among this initiative's sources, that says so."),
    )

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = (
        *languages("name"),
        *languages("short_name"),
        "aliases",
        *languages("summary"),
        *languages("description"),
    )

    public = PublicRecord(
        "initiative",
        section=_("Initiatives"),
        prefix="initiatives",
        position=2,
        name_field="name",
        fixture="40_initiatives.json",
        cites=("description",),
        columns=Columns(
            Field("slug"),
            Field("name", _("Name")),
            Field("short_name", _("Short name")),
            Choice("kind", _("Kind")),
            Choice("status", _("Status")),
            # The date and source that confirmed the status (issue #17).
            Field(
                "status_as_of",
                capfirst(_("status as of")),
                value=lambda initiative: isoformat(initiative.status_as_of),
            ),
            ForeignKey("status_source", capfirst(_("status confirmed by")), key="url", shows="url"),
            Field("start_year", _("Start year")),
            Field("end_year", _("End year")),
            ForeignKey("lead_organisation", _("Lead organisation")),
            Related("partners", _("Partners")),
            Related("sectors", _("Sectors")),
            Field("website", _("Website")),
            Field("summary", _("Summary")),
            # A funding scheme's terms (issue #21); "open_now" is worked out for today.
            Field("amount", _("Amount")),
            Choice("amount_currency", _("Currency")),
            Choice("amount_basis", _("Amount is")),
            Field("amount_years", _("Over years")),
            ForeignKey("amount_source", _("Amount stated by"), key="url", shows="url"),
            Field("applicants", _("Who may apply")),
            ForeignKey("applicants_source", _("Who may apply stated by"), key="url", shows="url"),
            Field("apply_url", _("How to apply")),
            Field(
                "window_opens", _("Applications open"), value=lambda i: isoformat(i.window_opens)
            ),
            Field(
                "window_closes", _("Applications close"), value=lambda i: isoformat(i.window_closes)
            ),
            Field("rolling", _("Rolling applications")),
            Choice("intake", _("Applications")),
            Field(
                "intake_as_of", _("Applications as of"), value=lambda i: isoformat(i.intake_as_of)
            ),
            ForeignKey("intake_source", _("Applications confirmed by"), key="url", shows="url"),
            Field("open_now", _("Open now"), value=lambda initiative: initiative.is_open_now()),
            PageUrl(_("URL")),
            defer=(
                *translated_columns("description"),
                "search_cjk",
                "lead_organisation__search_cjk",
                *(f"lead_organisation__{name}" for name in translated_columns("description")),
            ),
        ),
        features=set(FEATURES),
    )

    objects = SlugManager.from_queryset(InitiativeQuerySet)()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_year__isnull=True)
                | models.Q(end_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="portal_initiative_end_not_before_start",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
            year_range_constraint("start_year"),
            year_range_constraint("end_year"),
            models.CheckConstraint(
                condition=models.Q(status_source__isnull=True)
                | models.Q(status_as_of__isnull=False),
                name="portal_initiative_status_source_has_date",
                violation_error_message=_(
                    "Give the date on which the source confirmed the status."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(intake_source__isnull=True)
                | models.Q(intake_as_of__isnull=False),
                name="portal_initiative_intake_source_has_date",
                violation_error_message=_(
                    "Give the date on which the source confirmed whether applications are open."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(window_opens__isnull=True)
                | models.Q(window_closes__isnull=True)
                | models.Q(window_closes__gte=models.F("window_opens")),
                name="portal_initiative_window_closes_after_opening",
                violation_error_message=_("Applications cannot close before they open."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(amount_currency=""),
                name="portal_initiative_amount_has_currency",
                violation_error_message=_("Give the currency of the amount."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "name_en"], name="portal_init_kind_name_idx"),
            models.Index(fields=["status", "name_en"], name="portal_init_status_name_idx"),
            models.Index(fields=["start_year", "end_year"], name="portal_init_years_idx"),
            # The content state (portal.caching.generation), read on every request, cached
            # pages included, asks for the nearest window dates: each a search of one of these
            # instead of a scan of every initiative.
            models.Index(fields=["window_opens"], name="portal_init_window_opens_idx"),
            models.Index(fields=["window_closes"], name="portal_init_window_closes_idx"),
            models.Index(
                fields=["intake", "window_closes", "intake_as_of"], name="portal_init_intake_idx"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("portal:initiative_detail", self.slug)

    def applicant_labels(self):
        """The groups that may apply, as labels in the page's language."""
        return applicant_labels(self.applicants)

    def has_scheme_terms(self):
        """Whether any of a funding scheme's terms is filled in, or it is a funding scheme."""
        return self.kind == self.Kind.FUNDING or bool(
            self.amount or self.applicants or self.apply_url or self.intake
        )

    def amount_text(self):
        return schemes.amount_text(self)

    def applicants_text(self):
        return schemes.applicants_text(self)

    def window_text(self):
        return schemes.window_text(self)

    def intake_text(self, day=None):
        """Whether applications are open today, worded (portal.records.schemes.intake_text)."""
        return schemes.intake_text(self, day or timezone.localdate())

    def is_open_now(self, day=None):
        """Whether applications are open today (or on `day`), in the site's time zone:
        inside the window on the evidence portal.records.schemes.open_on accepts. None
        where no source says anything about applications."""
        if not (self.intake or self.window_opens or self.window_closes):
            return None
        return open_on(
            self.intake,
            self.intake_as_of,
            self.window_opens,
            self.window_closes,
            day or timezone.localdate(),
        )

    def clean(self):
        # The same rule as the database constraint, but naming both fields for the editor.
        if self.start_year and self.end_year and self.end_year < self.start_year:
            message = _("The end year (%(end)s) is before the start year (%(start)s).") % {
                "end": self.end_year,
                "start": self.start_year,
            }
            raise ValidationError({"end_year": message, "start_year": message})


def published_condition(prefix="", now=None):
    """The visibility rule of `ArticleQuerySet.published()` as a condition on the article
    reached through `prefix` ("article__" from a row that points to one), so that a query
    joining articles applies the same rule without a subquery."""
    return models.Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}publish_at__lte": now or timezone.now(),
        }
    )


class ArticleQuerySet(PublicQuerySet):
    def published(self, now=None):
        """Articles readers may see: published, with a publish date that has passed.

        This is the one visibility rule; every public page, feed, sitemap, export and
        search calls it. A future publish date means the article is scheduled.
        """
        return self.filter(published_condition(now=now))

    def visible(self):
        """An article's visible rows are its published ones."""
        return self.published()

    def scheduled(self, now=None):
        """Published articles whose publish date is still to come: they appear by themselves."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def published_within(self, days, now=None):
        """Articles readers may see that were published in the last `days` days."""
        now = now or timezone.now()
        return self.published(now).filter(publish_at__gte=now - datetime.timedelta(days=days))


class ArticleManager(SlugManager.from_queryset(ArticleQuerySet)):
    pass


class Article(SlugNaturalKeyMixin, SearchableModel, TimestampedModel):
    """A piece of writing about AI in Hong Kong, written in Markdown."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Submitted by an Editor, waiting for a Publisher (portal.admin.review).
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    title = translated(models.CharField(_("title"), max_length=250))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = translated(
        models.TextField(
            _("standfirst"),
            blank=True,
            help_text=_("One or two sentences under the title, also used in lists and feeds."),
        )
    )
    body = translated(
        models.TextField(
            _("body"),
            help_text=_(
                "Markdown. Headings, lists, links and emphasis are kept; raw HTML is removed."
            ),
        )
    )
    byline = models.CharField(
        _("byline"), max_length=200, blank=True, help_text=_("Who wrote it, as readers see it.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Empty until the article is published or scheduled; save() gives a published article
    # without one the current time.
    publish_at = models.DateTimeField(
        _("publish date"),
        null=True,
        blank=True,
        help_text=_("When readers can first see a published article. A future date schedules it."),
    )
    # The review workflow (portal.admin.review): who submitted the article for review and
    # when, and the Publisher's comment when they last sent it back. Kept by the admin, in
    # the history, never exchanged in fixtures.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)
    sectors = models.ManyToManyField(
        Sector, related_name="articles", blank=True, verbose_name=_("sectors")
    )
    initiatives = models.ManyToManyField(
        Initiative, related_name="articles", blank=True, verbose_name=_("initiatives")
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="articles", blank=True, verbose_name=_("organisations")
    )
    sources = models.ManyToManyField(
        Source, related_name="articles", blank=True, verbose_name=_("sources")
    )
    # Whether the body, in any language, has a footnote outside an editor's note
    # (portal.records.footnotes): search ranks such articles as sourced. Kept by save() and
    # the importer, so a search reads an index instead of every body.
    has_footnotes = models.BooleanField(default=False, editable=False)

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = (*languages("title"), *languages("summary"), *languages("body"))
    DERIVED_FIELDS = ("search_cjk", "has_footnotes")

    public = PublicRecord(
        "article",
        section=_("Articles"),
        prefix="articles",
        position=1,
        name_field="title",
        fixture="50_articles.json",
        cites=("body",),
        columns=Columns(
            Field("slug"),
            Field("title", _("Title")),
            PageUrl(_("URL")),
            Field("published", _("Published"), value=lambda article: isoformat(article.publish_at)),
            Field("summary", _("Summary")),
            Field("byline", _("Byline")),
            Related("sectors", _("Sectors")),
            Related("initiatives", _("Initiatives")),
            Related("organisations", _("Organisations")),
            # The bodies are most of a row's bytes, and no cell shows them.
            defer=(*translated_columns("body"), "search_cjk"),
        ),
        data_description=_("Published articles only: drafts and scheduled articles are left out."),
        features={
            LIST,
            SEARCH,
            FORMATS,
            CHANGE_LOG,
            CORRECTIONS,
            CITATIONS,
            CITED_BY,
            OPEN_DATA,
            SITEMAP,
            BREADCRUMBS,
        },
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-publish_at", "title_en"]
        get_latest_by = "publish_at"
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(publish_at__isnull=False),
                name="portal_article_published_has_date",
                violation_error_message=_("A published article needs a publish date."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="portal_article_visible_idx"),
            # The finder's "Title (A to Z)" order, read from the index rather than sorted.
            models.Index(fields=["status", "title_en"], name="portal_article_title_idx"),
            # The sitemap's lastmod (the newest change among published articles), read from
            # the index alone: through the visibility index it fetched every row, slow on a
            # large table and slower still from a cold disk.
            # On PostgreSQL it also carries the id (migration 0017), for the visible ids.
            models.Index(
                fields=["status", "publish_at", "updated_at"], name="portal_article_lastmod_idx"
            ),
            # Search's sourced articles, read from the index alone.
            models.Index(fields=["has_footnotes"], name="portal_article_footnotes_idx"),
            # The admin's change list sorts (portal.admin.scale.IdFirstPaginator): each page's
            # ids read from one of these, however deep the page, the id breaking ties.
            models.Index(fields=["publish_at", "id"], name="portal_article_admin_date_idx"),
            models.Index(fields=["updated_at", "id"], name="portal_article_admin_edit_idx"),
            models.Index(
                fields=["title_en", "-publish_at", "-id"], name="portal_article_admin_title_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == Article.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "publish_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return detail_url("portal:article_detail", self.slug)

    def with_whom(self):
        """Who has the article now, in the review workflow: "Publishers" while it is in
        review, the person who submitted it once it is sent back, "" otherwise."""
        if self.status == Article.Status.IN_REVIEW:
            return gettext("Publishers")
        if self.status == Article.Status.DRAFT and self.review_comment and self.submitted_by:
            return self.submitted_by.get_username()
        return ""

    def refresh_search_text(self):
        """Recompute `search_cjk` and `has_footnotes`; returns whether either changed."""
        changed = super().refresh_search_text()
        cites = any(cites_outside_notes(getattr(self, name)) for name in languages("body"))
        changed = changed or cites != self.has_footnotes
        self.has_footnotes = cites
        return changed

    def duplicate_as_draft(self):
        """Save and return a new draft copy of this article, with its relations and sources.

        The copy gets a free slug ("<slug>-copy", "<slug>-copy-2", ...) and a title that
        says it is a copy, so the two are never confused in lists.
        """
        base = f"{self.slug[: self._meta.get_field('slug').max_length - 12]}-copy"
        slug, n = base, 1
        while Article.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        copied = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if not f.primary_key and f.attname not in {"created_at", "updated_at"}
        }
        copy = Article(**copied)
        copy.slug = slug
        copy.status = Article.Status.DRAFT
        copy.publish_at = None
        copy.submitted_by, copy.submitted_at, copy.review_comment = None, None, ""
        for language, _name in settings.LANGUAGES:
            attname = f"title_{language.replace('-', '_')}"
            if getattr(copy, attname):
                with translation.override(language):
                    setattr(
                        copy, attname, _("Copy of %(title)s") % {"title": getattr(copy, attname)}
                    )
        copy.save()
        for relation in ("sectors", "initiatives", "organisations", "sources"):
            getattr(copy, relation).set(getattr(self, relation).all())
        return copy


class Milestone(SlugNaturalKeyMixin, SearchableModel, NeedsReviewModel, TimestampedModel):
    """A dated event in Hong Kong's AI policy: something announced, launched, funded,
    regulated or ended, with the sources that date it. The timeline page lists them."""

    Precision = DatePrecision

    class Kind(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        LAUNCHED = "launched", _("Launched")
        FUNDED = "funded", _("Funded")
        REGULATION = "regulation", _("Regulation or guideline")
        ENDED = "ended", _("Ended")
        OTHER = "other", _("Other")

    title = translated(models.CharField(_("title"), max_length=250))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    date = models.DateField(
        _("date"),
        help_text=_(
            "When it happened, as exactly as the sources say. With month precision use the "
            "first of the month; with year precision, 1 January."
        ),
    )
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_(
            "How much of the date the sources give: the day, only the month, or only the year."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    planned = models.BooleanField(
        _("planned"),
        default=False,
        help_text=_(
            "Tick when the sources only announced this for the date given: readers see it as "
            "planned, with the date of the source that planned it."
        ),
    )
    summary = translated(
        models.TextField(_("summary"), help_text=_("One or two sentences: what happened."))
    )
    initiatives = models.ManyToManyField(
        Initiative, related_name="milestones", blank=True, verbose_name=_("initiatives")
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="milestones", blank=True, verbose_name=_("organisations")
    )
    sectors = models.ManyToManyField(
        Sector, related_name="milestones", blank=True, verbose_name=_("sectors")
    )
    # Not blank: a milestone without a source would be a date nobody can check. The admin
    # and the importer both refuse one (the database cannot: it is a relation).
    sources = models.ManyToManyField(Source, related_name="milestones", verbose_name=_("sources"))

    public = PublicRecord(
        "milestone",
        section=_("Timeline"),
        prefix="timeline",
        position=6,
        name_field="title",
        fixture="60_milestones.json",
        columns=Columns(
            Field("slug"),
            Field(
                "date",
                _("Date"),
                value=lambda milestone: milestone.date.isoformat(),
                cell=lambda milestone: milestone.machine_date,
            ),
            Choice("date_precision", _("Date precision")),
            Field("date_label"),
            Field("title", _("Title")),
            Choice("kind", _("Kind")),
            Field("summary", _("Summary")),
            Related("sectors", _("Sectors")),
            Related("initiatives", _("Initiatives")),
            Related("organisations", _("Organisations")),
            Related("sources", _("Sources"), key="url", shows="url"),
            PageUrl(_("URL")),
        ),
        data_description=_("Dated events of the timeline, each with its sources."),
        features={
            LIST,
            SEARCH,
            FORMATS,
            CHANGE_LOG,
            CORRECTIONS,
            CITATIONS,
            CITED_BY,
            OPEN_DATA,
            SITEMAP,
            BREADCRUMBS,
        },
    )

    # Most important first: their order sets the ranking weights (portal.search.query).
    SEARCH_FIELDS = (*languages("title"), *languages("summary"))

    objects = SlugManager()

    class Meta:
        ordering = ["date", "title_en"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_precision="day")
                | models.Q(date_precision="month", date__day=1)
                | models.Q(date_precision="year", date__month=1, date__day=1),
                name="portal_milestone_date_matches_precision",
                violation_error_message=_(
                    "A date known to the month must be the first of the month; one known "
                    "to the year must be 1 January."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    date__gte=datetime.date(EARLIEST_YEAR, 1, 1),
                    date__lte=datetime.date(LATEST_YEAR, 12, 31),
                ),
                name="portal_milestone_date_plausible",
                violation_error_message=_("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            ),
            models.CheckConstraint(
                condition=models.Q(date_precision__in=["day", "month", "year"]),
                name="portal_milestone_precision_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["announced", "launched", "funded", "regulation", "ended", "other"]
                ),
                name="portal_milestone_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["date", "title_en"], name="portal_milestone_date_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("portal:milestone_detail", self.slug)

    def clean(self):
        # The database's rule, with a message that names the date the editor should enter.
        if self.date is None or self.date_precision not in self.Precision.values:
            return
        expected = self.date.replace(
            month=1 if self.date_precision == self.Precision.YEAR else self.date.month,
            day=1 if self.date_precision != self.Precision.DAY else self.date.day,
        )
        if expected != self.date:
            raise ValidationError(
                {
                    "date": _(
                        "With %(precision)s precision the date must be %(expected)s (not %(date)s)."
                    )
                    % {
                        "precision": self.get_date_precision_display().lower(),
                        "expected": expected.isoformat(),
                        "date": self.date.isoformat(),
                    }
                }
            )

    @property
    def date_label(self):
        """The date as readers see it, only as precise as it is known, in the page's language:
        "2023", "October 2023" or "25 October 2023"."""
        return date_format(self.date, gettext(MILESTONE_DATE_FORMATS[self.date_precision]))

    @property
    def machine_date(self):
        """The date for a `<time datetime>` attribute, as precise as it is known."""
        length = {"year": 4, "month": 7}.get(self.date_precision, 10)
        return self.date.isoformat()[:length]


# Date formats (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date) by
# precision, translated so each language words dates its own way.
MILESTONE_DATE_FORMATS = {
    # Translators: a date format (Django's date filter) for a day, e.g. "25 October 2023".
    Milestone.Precision.DAY: gettext_noop("j F Y"),
    # Translators: a date format (Django's date filter) for a month, e.g. "October 2023".
    Milestone.Precision.MONTH: gettext_noop("F Y"),
    # Translators: a date format (Django's date filter) for a year alone, e.g. "2023".
    Milestone.Precision.YEAR: gettext_noop("Y"),
}


class ContentGeneration(models.Model):
    """One row whose `value` goes up with every write to public content, in the same
    transaction as the write: database triggers bump it (see portal.caching.generation), so
    the admin,
    `import_content`'s bulk writes, the shell and raw SQL all count. Caches key on it."""

    value = models.BigIntegerField(default=0)
    # Tells this database apart from another that happens to reach the same value (a fresh
    # database after `make clean`, or a test database), so a shared cache never mixes them.
    database_id = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("content generation")

    def __str__(self):
        return str(self.value)


class JSONTextField(models.TextField):
    """JSON kept as text, read and written whole. Not a JSONField: that makes Django's
    system checks ask SQLite whether it has JSON support, a query that fails while another
    process holds the write lock (so `import_content` could not say "busy, try again"), and
    these values are never queried inside."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)


def exactly_one_of(*names):
    """A condition true when exactly one of the foreign keys `names` is set."""
    return functools.reduce(
        operator.or_,
        (models.Q(**{f"{other}__isnull": other != name for other in names}) for name in names),
    )


RECORD_TYPES = ("article", "initiative", "organisation", "sector", "milestone")


def one_record_per_row():
    """A condition true when a row names exactly one record, through one of the foreign keys
    named after the record types (RECORD_TYPES)."""
    return exactly_one_of(*RECORD_TYPES)


class CorrectionQuerySet(models.QuerySet):
    def visible(self):
        """Corrections readers may see: those of records they can see (an article's only
        while it is published), the article joined by primary key: a subquery here made
        PostgreSQL hash every published article for one page."""
        return self.filter(models.Q(article__isnull=True) | published_condition("article__"))


class Correction(models.Model):
    """A correction stated publicly: what was wrong in a record, and when it was put right.

    It shows at the top of the record's page, in its JSON-LD, in the change log and its feeds
    (portal.changelog.recording writes its row) and on /corrections/. Which record types take
    corrections is declared on their PublicRecord (the CORRECTIONS feature); each has a
    foreign key here named after the type.
    """

    record_type = models.CharField(_("record type"), max_length=20, editable=False)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    corrected_on = models.DateField(
        _("date"), default=timezone.localdate, help_text=_("When the record was put right.")
    )
    field = models.CharField(
        _("field corrected"),
        max_length=60,
        blank=True,
        help_text=_("The field the correction concerns; leave empty if it concerns several."),
    )
    text = translated(
        models.TextField(
            _("correction"),
            help_text=_(
                "What was wrong and what the page says now, in a sentence or two, "
                "e.g. “An earlier version gave the launch year as 2022; it was 2023.”"
            ),
        )
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_default=Now())

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-corrected_on", "-id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(
                condition=one_record_per_row(), name="portal_correction_one_record"
            ),
        ]
        indexes = [
            # /corrections/, newest first, paged by key: read from the index, a page at a time.
            models.Index(fields=["-corrected_on", "-id"], name="portal_correction_date_idx"),
        ]

    def __str__(self):
        return f"{self.record_type} {self.corrected_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.record_type = next((name for name in RECORD_TYPES if getattr(self, f"{name}_id")), "")
        super().save(*args, **kwargs)

    @property
    def record(self):
        """The article, initiative, organisation, sector or milestone corrected."""
        return getattr(self, self.record_type) if self.record_type else None

    def field_label(self):
        """The corrected field's name as readers see it ("Status"), or "" if none."""
        model = type(self.record) if self.record_type else None
        try:
            field = model._meta.get_field(self.field) if model and self.field else None
        except Exception:  # noqa: BLE001 - a field removed since: nothing to name
            return ""
        return capfirst(field.verbose_name) if field else ""


class RecordChange(models.Model):
    """One change to a public record as the public change log shows it: which fields changed,
    from what to what (see portal.changelog.recording, which writes these as changes are saved).

    Stored at save time rather than worked out from django-reversion's versions per request,
    so that the log reads one indexed table newest first, whatever the size of the history,
    and skips changes readers cannot see (admin-only fields, drafts) without scanning them.

    An import is summarised: each record it wrote has its row (`summary` names the import's
    row for that record type, `listed` is off), and the log lists one row per import and
    record type (kind IMPORTED, no record) that links to them. A scheduled article's row is
    stamped at its publish date, so that the log shows it when readers first can.
    """

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        PUBLISHED = "published", _("Published")
        # Changed, with no earlier version in the history to compare with.
        FIRST = "first", _("First version in the history")
        # One import's records of one type, summarised; its items point to it.
        IMPORTED = "imported", _("Imported")
        CORRECTED = "corrected", _("Corrected")

    class Via(models.TextChoices):
        IMPORT = "import", _("Import")
        EDITOR = "editor", _("Editor")

    record_type = models.CharField(_("record type"), max_length=20)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    changed_at = models.DateTimeField(_("changed at"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    via = models.CharField(_("made by"), max_length=20, choices=Via.choices)
    # Whether readers could see the record after this change (a draft article: no).
    public = models.BooleanField(_("public"), default=True)
    # [{"field": name, ...}] as portal.changelog.diffs.diff_lines writes them.
    lines = JSONTextField(_("changed fields"), default=list, blank=True)
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it changed, in a line, as GOV.UK's change notes say it ("Status updated after the
    # 2026-27 Budget"): given by the editor or the import; a correction's text.
    note = translated(models.CharField(_("change note"), max_length=300, blank=True))
    # Whether /changes/ lists it as an entry of its own (an imported record's row is listed
    # through its import's summary instead).
    listed = models.BooleanField(_("listed"), default=True)
    summary = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("import"),
    )
    # The correction this row announces (kind CORRECTED); kept in step with it.
    correction = models.OneToOneField(
        Correction, on_delete=models.CASCADE, null=True, blank=True, related_name="change"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        constraints = [
            models.CheckConstraint(
                condition=one_record_per_row()
                | models.Q(kind="imported", **{f"{name}__isnull": True for name in RECORD_TYPES}),
                name="portal_recordchange_one_record",
            ),
        ]
        indexes = [
            # The change log, newest first, all types or one: read from the index, stopping
            # after a page (keyset paging on time and id), however long the history. A row
            # stamped in the future (a scheduled article) waits in the index until its time.
            models.Index(
                fields=["-changed_at", "-id"],
                condition=models.Q(public=True, listed=True),
                name="portal_change_listed_idx",
            ),
            models.Index(
                fields=["record_type", "-changed_at", "-id"],
                condition=models.Q(public=True, listed=True),
                name="portal_change_type_listed_idx",
            ),
            # One import's items, a page at a time.
            models.Index(
                fields=["summary", "-id"],
                condition=models.Q(summary__isnull=False),
                name="portal_change_import_idx",
            ),
        ]

    def __str__(self):
        return f"{self.record_type} {self.get_kind_display()} {self.changed_at:%Y-%m-%d}"


class Redirect(models.Model):
    """An address that moved for good, e.g. a record merged into another: a request for it,
    or for anything under it, is answered 301 to the new address (portal.middleware).

    Stored without a language prefix: `/initiatives/cair/` also moves
    `/zh-hant/initiatives/cair/cite.ris` to `/zh-hant/organisations/cair/cite.ris`.
    """

    old_path = models.CharField(
        _("old address"),
        max_length=200,
        unique=True,
        help_text=_("The address that moved, from the first slash, e.g. /initiatives/cair/."),
    )
    new_path = models.CharField(
        _("new address"),
        max_length=200,
        help_text=_("Where readers go instead, e.g. /organisations/cair/."),
    )
    note = models.CharField(
        _("why"),
        max_length=300,
        blank=True,
        help_text=_("For editors: why the address moved (e.g. which records were merged)."),
    )

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(old_path__startswith="/", new_path__startswith="/")
                & ~models.Q(old_path=models.F("new_path")),
                name="portal_redirect_paths_differ",
                violation_error_message=_(
                    "Both addresses start with a slash, and they must differ."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"
