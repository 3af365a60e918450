"""One earlier version of a record, as readers saw it: the public fields of a reversion
version, in the reader's language, for the page at `<page>v/<version>/` that "Cite this
page" links to (portal.reference.versions)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from reversion.errors import RevertError

from portal.changelog.diffs import _names
from portal.changelog.display import _display, _name_in_language
from portal.changelog.registry import is_public, public_fields
from portal.models import Source
from portal.reference.markdown import render_markdown
from portal.reference.versions import versions_of

_CODES = tuple(code.replace("-", "_") for code, _name in settings.LANGUAGES)
# A version number past a 64-bit integer is no version's: refused before the query.
MAX_VERSION = 2**63 - 1


@dataclass
class VersionField:
    """One field of an old version for the template: `label` and one of `text` (plain),
    `html` (rendered Markdown, sanitised) or `names` (related records)."""

    label: str
    text: object = None
    html: str = ""
    names: tuple = ()
    english: bool = False  # English shown in place of a missing translation


def public_version(obj, version_id):
    """(version, {attname: value}) of version `version_id` of `obj` if readers could see
    it (for an article: published), else None."""
    if not 0 < version_id <= MAX_VERSION:
        return None
    version = versions_of(obj).filter(pk=version_id).select_related("revision").first()
    if version is None:
        return None
    try:
        values = version._local_field_dict
    except RevertError:  # written by an older schema that no longer loads
        return None
    if not is_public(type(obj), values):
        return None
    return version, values


def _base(name):
    """("name", "en") for "name_en"; (name, None) for a field not per language."""
    for code in _CODES:
        if name.endswith("_" + code):
            return name[: -len(code) - 1], code
    return name, None


def version_fields(obj, values, references):
    """The public fields of `values` (a version of `obj`), in the current language with the
    English standing in for a missing translation, as VersionFields; the name field (the
    page's heading), the slug and the sources are left out: the footnotes are numbered in
    `references` (a portal.reference.numbering.References of the sources from
    `version_sources`), which the page lists. Runs one query per related model."""
    model = type(obj)
    record = model.public
    current = (get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    markdown = set(record.cites)
    shown, seen = [], set()
    for field in public_fields(model):
        base, code = _base(field.name)
        if base in (record.name_field, "slug", "sources") or base in seen:
            continue
        if code is not None:
            seen.add(base)
            text = values.get(f"{base}_{current}") or ""
            english = not text and current != "en"
            text = text or values.get(f"{base}_en") or ""
            if not text:
                continue
            label = str(model._meta.get_field(f"{base}_en").verbose_name)
            label = label[:1].upper() + label[1:]
            if base in markdown:
                html = render_markdown(text, references=references)
                shown.append(VersionField(label, html=html, english=english))
            else:
                shown.append(VersionField(label, text=text, english=english))
            continue
        if isinstance(field, models.BooleanField):
            continue  # a flag for how pages show names, not a fact to read
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        value = values.get(field.attname)
        if field.many_to_many:
            names = _names(field.related_model, list(value or ()))
            listed = tuple(_name_in_language(names.get(pk, str(pk))) for pk in value or ())
            if listed:
                shown.append(VersionField(label, names=listed))
        elif field.many_to_one:
            if value is not None:
                name = _names(field.related_model, [value]).get(value)
                shown.append(VersionField(label, text=_name_in_language(name)))
        elif value not in (None, ""):
            if isinstance(value, str) or field.choices:
                value = _display(field, value)
            elif isinstance(field, models.DateTimeField):
                value = timezone.localtime(value).date()
            shown.append(VersionField(label, text=value))
    return shown


def version_sources(values):
    """The sources version `values` cited, in the order it listed them (one query)."""
    ids = list(values.get("sources") or ())
    found = Source.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
