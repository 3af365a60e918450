"""Small factory functions: each makes one valid object, with overrides for what a test
cares about. Many-to-many relations are given as lists, e.g.
`make_initiative(sectors=[health], sources=[press_release])`."""

import datetime
import itertools

from portal.models import Article, Initiative, Milestone, Organisation, Sector, Source

_numbers = itertools.count(1)
# Translated fields are stored per language (name_en, name_zh_hant); tests say `name=` for English.
TRANSLATED = {"name", "short_name", "summary", "description", "title", "body"}


def _columns(fields):
    return {f"{key}_en" if key in TRANSLATED else key: value for key, value in fields.items()}


def _create(model, fields, translated=True):
    """A saved `model` with `fields` (translated ones named without their language), its
    many-to-many relations set from the lists given for them."""
    relations = {f.name for f in model._meta.many_to_many}
    related = {name: fields.pop(name) for name in list(fields) if name in relations}
    obj = model.objects.create(**(_columns(fields) if translated else fields))
    for name, objects in related.items():
        getattr(obj, name).set(objects)
    return obj


NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def make_source(**fields):
    n = next(_numbers)
    defaults = {
        "url": f"https://example.org/source/{n}",
        "title": f"Source {n}",
        "publisher": "Example publisher",
        "publisher_type": Source.PublisherType.OTHER,
        "accessed": datetime.date(2026, 11, 30),
    }
    return _create(Source, {**defaults, **fields}, translated=False)


def make_sector(**fields):
    n = next(_numbers)
    return _create(Sector, {"name": f"Sector {n}", "slug": f"sector-{n}", **fields})


def make_organisation(**fields):
    n = next(_numbers)
    defaults = {
        "name": f"Organisation {n}",
        "slug": f"organisation-{n}",
        "kind": Organisation.Kind.COMPANY,
    }
    return _create(Organisation, {**defaults, **fields})


def make_initiative(**fields):
    n = next(_numbers)
    defaults = {
        "name": f"Initiative {n}",
        "slug": f"initiative-{n}",
        "kind": Initiative.Kind.FUNDING,
        "start_year": 2024,
    }
    return _create(Initiative, {**defaults, **fields})


def make_article(**fields):
    n = next(_numbers)
    defaults = {
        "title": f"Article {n}",
        "slug": f"article-{n}",
        "body": "Some *Markdown*.",
        "status": Article.Status.PUBLISHED,
        "publish_at": NOW - datetime.timedelta(days=1),
    }
    return _create(Article, {**defaults, **fields})


def make_milestone(sources=None, **fields):
    """A milestone dated 25 October 2023 (to the day) with one source, unless told otherwise."""
    n = next(_numbers)
    defaults = {
        "title": f"Milestone {n}",
        "slug": f"milestone-{n}",
        "summary": f"What happened, number {n}.",
        "date": datetime.date(2023, 10, 25),
        "kind": Milestone.Kind.ANNOUNCED,
    }
    sources = sources if sources is not None else [make_source()]
    return _create(Milestone, {**defaults, **fields, "sources": sources})
