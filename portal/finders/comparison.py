"""Initiatives side by side (/initiatives/compare/?items=a,b,c): which requests make a
comparison, and its table, described once for the page and its CSV download.

`compare(slugs)` checks the request (2 to 4 initiatives, each named once, each one readers
may see) and reads the initiatives with a fixed number of queries, whatever is compared.
`ROWS` is the table: one row per attribute, one cell per initiative, each cell a list of
`Entry`s (a text, perhaps linked). The page draws them as links, the CSV as text.
"""

from dataclasses import dataclass

from django.core.validators import slug_re
from django.db.models import Prefetch
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from portal.finders.kinds import option_label
from portal.finders.listings import INITIATIVES, NAME_FIELDS, SECTOR_NAMES
from portal.models import Organisation, Source, in_current_language, languages
from portal.records.wording import year_span

# The terms of a funding scheme that the table reads.
SCHEME_FIELDS = (
    "amount",
    "amount_currency",
    "amount_basis",
    "amount_years",
    "applicants",
    "apply_url",
    "window_opens",
    "window_closes",
    "rolling",
    "intake",
    "intake_as_of",
)
MIN_ITEMS = 2
MAX_ITEMS = 4
# The query parameter naming the initiatives, by slug.
PARAMETER = "items"


@dataclass(frozen=True)
class Entry:
    """One value in a cell. `lang` is "en" when English stands in for a missing translation
    (the page marks it, so screen readers pronounce it right); `note` is a source's publisher;
    `external` says the link leaves the portal, so a download spells out its address."""

    text: str
    url: str = ""
    lang: str = ""
    note: str = ""
    external: bool = False

    def as_text(self):
        """The entry as one line of plain text: "Title (Publisher) <https://...>" at most."""
        text = f"{self.text} ({self.note})" if self.note else self.text
        return f"{text} <{self.url}>" if self.external and self.url else text


def named(obj):
    """An entry for a sector, organisation or initiative: its name, linked to its page."""
    text, lang = option_label(obj)
    return Entry(text, url=obj.get_absolute_url(), lang=lang)


def column_title(initiative):
    """A column's title as plain text: the name, and the short name in brackets if any (the
    page draws the same through the `tr` filter, which marks English fallbacks)."""
    name, short_name = initiative.name, initiative.short_name
    return f"{name} ({short_name})" if short_name else name


def _lead(initiative):
    lead = initiative.lead_organisation
    return [named(lead)] if lead else []


def _years(initiative):
    years = year_span(initiative.start_year, initiative.end_year)
    return [Entry(str(years))] if years else []


def _sources(initiative):
    return [
        Entry(str(source), url=source.url, note=source.publisher, external=True)
        for source in initiative.sources.all()
    ]


@dataclass(frozen=True)
class Row:
    """One attribute of the table: its label, and the entries of one initiative's cell."""

    label: str
    entries: callable


ROWS = (
    Row(gettext_lazy("Lead organisation"), _lead),
    Row(gettext_lazy("Kind"), lambda initiative: [Entry(initiative.get_kind_display())]),
    Row(gettext_lazy("Status"), lambda initiative: [Entry(initiative.get_status_display())]),
    Row(gettext_lazy("Years"), _years),
    Row(gettext_lazy("Sectors"), lambda initiative: [named(s) for s in initiative.sectors.all()]),
    Row(
        gettext_lazy("Partner organisations"),
        lambda initiative: [named(p) for p in initiative.partners.all()],
    ),
    Row(gettext_lazy("Sources"), _sources),
)


def _summary(initiative):
    text, language = in_current_language(initiative, "summary")
    return [Entry(text, lang="en" if language != get_language() else "")] if text else []


def _stated(text):
    """A term of a scheme as one entry, "not stated" where no source gives it."""
    return [Entry(text)] if text else [Entry(_("not stated"))]


def _sourced(text, source_url):
    """A term with a link to the source that states it, in the table and in a download."""
    return [Entry(text, url=source_url, external=True)] if text and source_url else _stated(text)


def _apply_link(initiative):
    url = initiative.apply_url
    # The address is the text, so a download needs it only once.
    return [Entry(url, url=url)] if url else _stated("")


# A funding scheme's terms (issue #21), shown when any initiative compared has them.
SCHEME_ROWS = (
    Row(
        gettext_lazy("Amount"),
        lambda i: _sourced(i.amount_text(), i.amount_source and i.amount_source.url),
    ),
    Row(
        gettext_lazy("Who may apply"),
        lambda i: _sourced(i.applicants_text(), i.applicants_source and i.applicants_source.url),
    ),
    Row(gettext_lazy("How to apply"), _apply_link),
    Row(gettext_lazy("Application window"), lambda i: _stated(i.window_text())),
    Row(
        gettext_lazy("Applications"),
        lambda i: _sourced(i.intake_text(), i.intake_source and i.intake_source.url),
    ),
)


def table(initiatives):
    """[(label, [cell, ...])]: each row of ROWS with one cell (a list of entries) per
    initiative, in the order given; after the summaries, a funding scheme's terms where any
    initiative has them."""
    rows = [Row(gettext_lazy("Summary"), _summary), *ROWS[:3]]
    if any(obj.has_scheme_terms() for obj in initiatives):
        rows.extend(SCHEME_ROWS)
    rows.extend(ROWS[3:])
    return [(row.label, [row.entries(obj) for obj in initiatives]) for row in rows]


def compared_initiatives():
    """The initiatives readers may see, with what the table shows and nothing more: a fixed
    four queries (the rows with their leads; sectors; partners; sources)."""
    names = (*NAME_FIELDS, *languages("short_name"), *languages("summary"))
    sources = ("amount_source", "applicants_source", "intake_source")
    return (
        INITIATIVES.visible()
        .select_related("lead_organisation", *sources)
        .only(
            *names,
            "kind",
            "status",
            "start_year",
            "end_year",
            *SCHEME_FIELDS,
            *(f"lead_organisation__{field}" for field in NAME_FIELDS),
            *(f"{source}__url" for source in sources),
        )
        .prefetch_related(
            SECTOR_NAMES,
            Prefetch("partners", queryset=Organisation.objects.only(*NAME_FIELDS)),
            Prefetch("sources", queryset=Source.objects.only("url", "title", "publisher")),
        )
    )


@dataclass(frozen=True)
class Comparison:
    """What a request for a comparison gets: the initiatives found, in the order asked for;
    the problems with the request (empty when it can be shown), and the HTTP status."""

    slugs: list
    initiatives: list
    problems: list
    status: int

    @property
    def found_slugs(self):
        return [initiative.slug for initiative in self.initiatives]


def compare(slugs):
    """The Comparison of the initiatives named by `slugs` (see the module docstring).

    Too many slugs is a 400 without a query. Otherwise every problem is listed: names given
    twice, too few, and slugs no published initiative has; a 404 when unknown slugs are the
    only problem, else a 400.
    """
    if len(slugs) > MAX_ITEMS:
        message = ngettext(
            "This address names %(count)d initiative; at most %(max)d can be compared at once.",
            "This address names %(count)d initiatives; at most %(max)d can be compared at once.",
            len(slugs),
        ) % {"count": len(slugs), "max": MAX_ITEMS}
        return Comparison(slugs, [], [message], 400)
    problems = []
    distinct = list(dict.fromkeys(slugs))
    for slug in distinct:
        if slugs.count(slug) > 1:
            problems.append(_("“%(slug)s” is named more than once.") % {"slug": slug})
    if len(distinct) < MIN_ITEMS:
        problems.append(
            ngettext(
                "Choose at least %(min)d initiatives to compare; this address names %(count)d.",
                "Choose at least %(min)d initiatives to compare; this address names %(count)d.",
                len(distinct),
            )
            % {"min": MIN_ITEMS, "count": len(distinct)}
        )
    # Only what could be a slug is looked up: PostgreSQL refuses a NUL byte in a query.
    lookable = [slug for slug in distinct if slug_re.fullmatch(slug)]
    found = {obj.slug: obj for obj in compared_initiatives().filter(slug__in=lookable)}
    unknown = [slug for slug in distinct if slug not in found]
    for slug in unknown:
        problems.append(_("No published initiative has the address “%(slug)s”.") % {"slug": slug})
    status = 404 if unknown and len(problems) == len(unknown) else 400
    initiatives = [found[slug] for slug in distinct if slug in found]
    return Comparison(slugs, initiatives, problems, status if problems else 200)
