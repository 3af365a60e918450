"""How to cite a detail page: APA-style text, and the same facts as BibTeX, RIS and CSL-JSON.

`PageCitation.of(obj, request)` gathers the facts once (title in the page's language, permalink,
author, last-updated and accessed dates); each format is written by a maintained library
(bibtexparser, rispy) or, for CSL-JSON, is plain JSON in the CSL schema
(https://github.com/citation-style-language/schema, csl-data.json).
"""

import datetime
import json
from dataclasses import dataclass

import bibtexparser
import rispy
from bibtexparser import model as bibtex
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from pylatexenc.latexencode import UnicodeToLatexEncoder

from portal.models import Article, in_current_language
from portal.records.addresses import absolute_url
from portal.records.description import CHANGE_LOG, CORRECTIONS
from portal.records.wording import bcp47
from portal.reference.versions import latest_version_id, version_url

# LaTeX's special characters (& % # _ { } ...) escaped in text fields; Chinese is kept as is
# (biber and bibtex8 read UTF-8), so an unknown character is neither dropped nor warned about.
_LATEX = UnicodeToLatexEncoder(
    non_ascii_only=False, unknown_char_policy="keep", unknown_char_warning=False
)


def one_line(text):
    """`text` with every run of whitespace, line breaks included, as one space."""
    return " ".join(str(text).split())


def last_updated(obj):
    """When readers last saw `obj` change: its `updated_at`, or for an article the later of
    that and its publish date (a scheduled article is edited before it appears; a draft's
    preview may have none yet)."""
    if isinstance(obj, Article) and obj.publish_at is not None:
        return max(obj.updated_at, obj.publish_at)
    return obj.updated_at


def sources_checked(sources):
    """(oldest, newest, count) of the `accessed` dates of `sources` (already fetched), or
    None when no source has one. The oldest is what a reader should trust least."""
    dates = [source.accessed for source in sources if source.accessed]
    if not dates:
        return None
    return min(dates), max(dates), len(dates)


class _RisWriter(rispy.RisWriter):
    """RIS without the "1." line that rispy writes before each reference by default: reference
    managers do not expect it (https://rispy.readthedocs.io, "Writing")."""

    def set_header(self, count):
        return ""


@dataclass(frozen=True)
class PageCitation:
    """The facts a citation of one page gives, in the page's language."""

    key: str
    title: str
    url: str
    author: str
    # Whether `author` is a person's byline (an article) or the portal's editors.
    personal_author: bool
    updated: datetime.date
    accessed: datetime.date
    site: str
    language: str

    @classmethod
    def of(cls, obj, request, record_type, language, version=None):
        """The citation of `obj`'s page; with `version` (a reversion version id), of that
        version, at its permanent address (portal.reference.versions)."""
        title, _language = in_current_language(obj, obj.public.name_field)
        byline = getattr(obj, "byline", "")
        path = version_url(obj, version) if version else obj.get_absolute_url()
        return cls(
            key=f"hkai-{record_type}-{obj.slug}",
            title=title,
            url=absolute_url(path),
            author=byline or _("HKAI Portal editors"),
            personal_author=bool(byline),
            updated=timezone.localdate(last_updated(obj)),
            accessed=timezone.localdate(),
            site=_("HKAI Portal"),
            language=bcp47(language),
        )

    def apa(self):
        """APA-style reference text (7th edition, a web page that changes over time, so with
        the retrieval date)."""
        date_format = pgettext("APA citation date, e.g. 2026, March 3", "Y, F j")
        accessed_format = pgettext("APA retrieval date, e.g. March 3, 2026", "F j, Y")
        return _(
            "%(author)s. (%(date)s). %(title)s. %(site)s. Retrieved %(accessed)s, from %(url)s"
        ) % {
            "author": self.author,
            "date": dateformat.format(self.updated, date_format),
            "title": self.title,
            "site": self.site,
            "accessed": dateformat.format(self.accessed, accessed_format),
            "url": self.url,
        }

    def bibtex(self):
        """A BibTeX @misc entry, with biblatex's `url`, `urldate` and `date` fields."""
        # Double braces keep a corporate author from being split into first and last names.
        author = _LATEX.unicode_to_latex(self.author)
        fields = [
            bibtex.Field("title", _LATEX.unicode_to_latex(self.title)),
            bibtex.Field("author", author if self.personal_author else f"{{{author}}}"),
            bibtex.Field("howpublished", _LATEX.unicode_to_latex(self.site)),
            bibtex.Field("year", str(self.updated.year)),
            bibtex.Field("month", str(self.updated.month)),
            bibtex.Field("date", self.updated.isoformat()),
            bibtex.Field("url", self.url),
            bibtex.Field("urldate", self.accessed.isoformat()),
            bibtex.Field("language", self.language),
        ]
        library = bibtexparser.Library()
        library.add(bibtex.Entry("misc", self.key, fields))
        return bibtexparser.write_string(library)

    def ris(self):
        """One RIS reference of type ELEC (web page)."""
        # RIS is one tag per line: a line break in a byline or title would start a tag (or a
        # whole second record) of its own, so every value is kept to one line.
        reference = {
            "type_of_reference": "ELEC",
            "title": one_line(self.title),
            "authors": [one_line(self.author)],
            "secondary_title": one_line(self.site),
            "year": str(self.updated.year),
            "date": self.updated.strftime("%Y/%m/%d"),
            "access_date": self.accessed.strftime("%Y/%m/%d"),
            "urls": [self.url],
            "language": self.language,
            "id": self.key,
        }
        return rispy.dumps([reference], implementation=_RisWriter)

    def csl(self):
        """A CSL-JSON item (csl-data.json: a list of items)."""
        # A byline is free text ("Jane Chan and John Lee"), so it goes in whole, like the
        # editors' name, rather than guessed apart into family and given names.
        author = {"literal": self.author}
        return [
            {
                "id": self.key,
                "type": "webpage",
                "title": self.title,
                "container-title": self.site,
                "URL": self.url,
                "author": [author],
                "issued": {"date-parts": [[*self.updated.timetuple()[:3]]]},
                "accessed": {"date-parts": [[*self.accessed.timetuple()[:3]]]},
                "language": self.language,
            }
        ]

    def csl_json(self):
        return json.dumps(self.csl(), ensure_ascii=False, indent=2) + "\n"


# format -> (link text, content type, how the PageCitation writes it)
CITATION_FORMATS = {
    "bib": (gettext_lazy("BibTeX"), "application/x-bibtex", PageCitation.bibtex),
    "ris": (gettext_lazy("RIS"), "application/x-research-info-systems", PageCitation.ris),
    "json": (
        gettext_lazy("CSL-JSON"),
        "application/vnd.citationstyles.csl+json",
        PageCitation.csl_json,
    ),
}


def record_meta(obj, request, record_type):
    """What every detail page shows about its item (the template's "About this page"):
    ``record_updated``, ``sources_checked``, ``citation`` (of the newest version, at its
    permanent address), ``version_url`` (that address, or None), ``citation_links``
    ([(text, url)]), ``changes_feed_url`` and ``updates_url`` ("See all updates"), and
    ``corrections`` (newest first). Reads the sources already fetched; runs two queries
    (the newest version, the corrections).

    Shared by the public detail pages and the admin's preview, which renders an article's
    page exactly as readers will see it without going through the public views.
    """
    version = latest_version_id(obj)
    meta = {
        "record_updated": last_updated(obj),
        "sources_checked": sources_checked(obj.sources.all()),
        "citation": PageCitation.of(obj, request, record_type, get_language(), version),
        "version_url": version_url(obj, version) if version else None,
        "citation_links": [
            (text, reverse(f"portal:{record_type}_cite", args=[obj.slug, name]))
            for name, (text, _type, _write) in CITATION_FORMATS.items()
        ],
    }
    if obj.public.has(CHANGE_LOG):
        meta["changes_feed_url"] = reverse(f"portal:{record_type}_changes_feed", args=[obj.slug])
        meta["updates_url"] = reverse(f"portal:{record_type}_changes", args=[obj.slug])
    if obj.public.has(CORRECTIONS):
        meta["corrections"] = list(obj.corrections.all()) if obj.pk else []
    return meta
