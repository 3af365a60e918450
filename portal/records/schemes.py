"""Funding schemes as a founder compares them: who may apply, and whether applications are
open on a given day.

Who may apply is a small fixed set of groups (`Applicant`), stored as one field of codes
(`ApplicantsField`) rather than a related table: the set is part of the code, like a field's
choices, so it needs no fixture, no natural keys and no admin of its own, and a finder
counts it from one query of the rows' codes (portal.finders.kinds.AnyOfCodesFilter).

Whether a scheme is open is worked out on the day asked, never stored: a window that closes
tomorrow is closed the day after without anyone editing the record. `open_on(day)` is the
rule for one row, `open_on_condition(day)` the same rule as a database condition, and
the content state folds the days on which the answer can change into every cache key
(portal.caching.generation). `amount_text`, `window_text` and `intake_text` word the terms
for the initiative page and the comparison.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

SEPARATOR = " "


class Applicant(models.TextChoices):
    """Who a scheme says may apply. A source's wording maps to the nearest group; a group a
    source does not name is left out."""

    COMPANIES = "companies", _("Companies")
    STARTUPS = "startups", _("Start-ups")
    UNIVERSITIES = "universities", _("Universities")
    RESEARCH_INSTITUTES = "research-institutes", _("R&D centres and research institutes")
    SCHOOLS = "schools", _("Schools")
    INDIVIDUALS = "individuals", _("Individuals")
    NGOS = "ngos", _("NGOs")


def split_codes(value):
    """The codes of a stored value ("universities companies"), or of a list of codes."""
    if not value:
        return []
    if isinstance(value, str):
        return [code for code in value.split() if code]
    return [str(code) for code in value]


def canonical_codes(codes):
    """`codes` without repeats, in the order of Applicant's choices (unknown codes last, so
    that validation can name them), joined into the stored form."""
    order = {code: position for position, code in enumerate(Applicant.values)}
    unique = dict.fromkeys(codes)
    return SEPARATOR.join(sorted(unique, key=lambda code: (order.get(code, len(order)), code)))


def applicant_labels(value):
    """The labels of a stored value, in the order of the choices."""
    labels = dict(Applicant.choices)
    return [labels[code] for code in split_codes(value) if code in labels]


class ApplicantsFormField(forms.MultipleChoiceField):
    """Tick boxes for the groups; cleans to the stored form."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        for unused in ("max_length", "empty_value"):
            kwargs.pop(unused, None)
        super().__init__(choices=Applicant.choices, **kwargs)

    def prepare_value(self, value):
        return split_codes(value)

    def to_python(self, value):
        return split_codes(value)

    def clean(self, value):
        return canonical_codes(super().clean(value))


class ApplicantsField(models.CharField):
    """Who may apply: codes of `Applicant`, separated by spaces, in the order of the choices
    ("" when no source says). Fixtures, CSV and JSON carry the same text."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = sum(len(code) + 1 for code in Applicant.values)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def to_python(self, value):
        return canonical_codes(split_codes(value))

    def get_prep_value(self, value):
        return super().get_prep_value(self.to_python(value))

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        unknown = [code for code in split_codes(value) if code not in Applicant.values]
        if unknown:
            raise ValidationError(
                _("Unknown group: %(codes)s. Choose from: %(choices)s."),
                code="invalid_choice",
                params={"codes": ", ".join(unknown), "choices": ", ".join(Applicant.values)},
            )

    def formfield(self, **kwargs):
        return ApplicantsFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )


# A source's word that applications are open, with no closing date to bound it, counts for
# this long: a founder should not be sent to a scheme that a two-year-old page called open.
# The same age at which the admin flags a record for review (portal.models).
OPEN_CONFIRMATION_DAYS = 180


def in_window(opens, closes, day):
    """Whether `day` is inside the window (either end may be unknown; both inclusive)."""
    return (opens is None or opens <= day) and (closes is None or day <= closes)


def open_on(intake, as_of, opens, closes, day):
    """Whether a scheme takes applications on `day`: inside its window, and either a source
    confirmed it open (recently, unless a closing date bounds it), or a source gives the
    window's two dates, or the window opens after the date it was confirmed closed."""
    if not in_window(opens, closes, day):
        return False
    if intake == "open":
        return closes is not None or (as_of is not None and as_of >= fresh_since(day))
    if intake == "closed":
        return opens is not None and as_of is not None and as_of < opens
    return opens is not None and closes is not None


def fresh_since(day):
    """The oldest confirmation that still counts on `day`."""
    return day - datetime.timedelta(days=OPEN_CONFIRMATION_DAYS)


def open_on_condition(day, prefix=""):
    """`open_on` as a Q over the model's fields, for `day`."""

    def q(**lookups):
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    window = (q(window_opens__isnull=True) | q(window_opens__lte=day)) & (
        q(window_closes__isnull=True) | q(window_closes__gte=day)
    )
    confirmed = q(intake="open") & (
        q(window_closes__isnull=False) | q(intake_as_of__gte=fresh_since(day))
    )
    reopened = q(intake="closed", window_opens__isnull=False) & Q(
        **{f"{prefix}intake_as_of__lt": F(f"{prefix}window_opens")}
    )
    stated = q(intake="", window_opens__isnull=False, window_closes__isnull=False)
    return window & (confirmed | reopened | stated)


# How each currency is written before an amount.
CURRENCY_PREFIX = {"HKD": "HK$", "CNY": "RMB ", "USD": "US$"}


def _day_text(day):
    return date_format(day, gettext("j F Y"))


def list_text(items):
    """Items joined as the page's language lists them ("a, b" or "a、b")."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)


def amount_text(scheme):
    """ "HK$3,000,000,000 (the scheme's budget, over 3 years)", or "" where no amount is given."""
    if scheme.amount is None:
        return ""
    # Grouped by thousands in either language, as Hong Kong writes sums of money.
    prefix = CURRENCY_PREFIX.get(scheme.amount_currency, f"{scheme.amount_currency} ")
    text = f"{prefix}{scheme.amount:,}"
    details = []
    if scheme.amount_basis:
        details.append(str(scheme.get_amount_basis_display()))
    if scheme.amount_years:
        details.append(
            ngettext("over %(years)d year", "over %(years)d years", scheme.amount_years)
            % {"years": scheme.amount_years}
        )
    if not details:
        return text
    return pgettext("an amount and what it is", "%(amount)s (%(details)s)") % {
        "amount": text,
        "details": pgettext("between the details of an amount", ", ").join(details),
    }


def applicants_text(scheme):
    """Who may apply, as a list in the page's language, or ""."""
    return list_text(applicant_labels(scheme.applicants))


def window_text(scheme):
    """The application window as the sources give it: rolling, both dates, one of them, or ""."""
    if scheme.rolling:
        return gettext("Rolling: applications are taken at any time")
    opens, closes = scheme.window_opens, scheme.window_closes
    if opens and closes:
        return gettext("%(opens)s to %(closes)s") % {
            "opens": _day_text(opens),
            "closes": _day_text(closes),
        }
    if opens:
        return gettext("From %(opens)s") % {"opens": _day_text(opens)}
    if closes:
        return gettext("Until %(closes)s") % {"closes": _day_text(closes)}
    return ""


def intake_text(scheme, day):
    """Whether applications are open on `day`, saying on what evidence: "Open (confirmed
    open on 7 October 2024)", "Open (within the dates the source gives)", "Closed: the
    window the sources give ended on 31 October 2024", "Opens on ...", "Closed (as of ...)",
    "Open as of ...; not confirmed since", or "" where no source says."""
    opens, closes = scheme.window_opens, scheme.window_closes
    if closes is not None and day > closes:
        # Only that window is known to be over: a later round may be open that no source
        # read so far announces.
        return gettext("Closed: the window the sources give ended on %(day)s") % {
            "day": _day_text(closes)
        }
    if opens is not None and day < opens:
        return gettext("Opens on %(day)s") % {"day": _day_text(opens)}
    as_of = scheme.intake_as_of
    confirmed = {"day": _day_text(as_of)} if as_of else None
    if open_on(scheme.intake, as_of, opens, closes, day):
        if scheme.intake == "open" and confirmed:
            return gettext("Open (confirmed open on %(day)s)") % confirmed
        return gettext("Open (within the dates the source gives)")
    if scheme.intake == "open":
        if confirmed:
            return gettext("Open as of %(day)s; not confirmed since") % confirmed
        return gettext("Open, on an undated source; not confirmed since")
    if scheme.intake == "closed":
        if confirmed:
            return gettext("Closed (as of %(day)s)") % confirmed
        return gettext("Closed")
    return ""
