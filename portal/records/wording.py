"""How record facts read in any language: a span of years, a list's separator, a language tag
for HTML."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def year_span(start, end):
    """How long something ran, in words: "2019 to 2024", "From 2019", "Until 2024" or ""."""
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("From %(start)s") % {"start": start}
    if end:
        return _("Until %(end)s") % {"end": end}
    return ""


def list_separator():
    """What goes between the items of a list in the active language: ", " in English, "、"
    in Chinese (the enumeration comma, where an English comma reads as a foreign mark)."""
    return pgettext("list separator", ", ")


# BCP 47 spells the script subtag with a capital: Django's "zh-hant" is "zh-Hant" in HTML.
_BCP47 = {"zh-hant": "zh-Hant"}


def bcp47(language_code):
    """A Django language code as an HTML `lang` / `hreflang` value, e.g. zh-hant -> zh-Hant."""
    return _BCP47.get(language_code, language_code)
