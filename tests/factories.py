"""Small factory functions: each makes one valid object, with overrides for what a test cares about."""

import datetime
import itertools

from portal.models import Article, Initiative, Organisation, Sector, Source

_numbers = itertools.count(1)
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def make_source(**fields):
    n = next(_numbers)
    return Source.objects.create(**{"url": f"https://example.org/source/{n}", **fields})


def make_sector(**fields):
    n = next(_numbers)
    return Sector.objects.create(**{"name": f"Sector {n}", "slug": f"sector-{n}", **fields})


def make_organisation(**fields):
    n = next(_numbers)
    defaults = {"name": f"Organisation {n}", "slug": f"organisation-{n}",
                "kind": Organisation.Kind.COMPANY}
    return Organisation.objects.create(**{**defaults, **fields})


def make_initiative(**fields):
    n = next(_numbers)
    defaults = {"name": f"Initiative {n}", "slug": f"initiative-{n}",
                "kind": Initiative.Kind.FUNDING, "start_year": 2024}
    return Initiative.objects.create(**{**defaults, **fields})


def make_article(**fields):
    n = next(_numbers)
    defaults = {"title": f"Article {n}", "slug": f"article-{n}", "body": "Some *Markdown*.",
                "status": Article.Status.PUBLISHED, "publish_at": NOW - datetime.timedelta(days=1)}
    return Article.objects.create(**{**defaults, **fields})
