"""Every public record type, found through the descriptions the models declare.

`public_records()` reads each model's `public` attribute (a `PublicRecord`); nothing else in
the portal lists record types.
"""

from functools import cache

from django.apps import apps

from portal.records.description import PublicRecord


@cache
def _all():
    found = [
        model.public
        for model in apps.get_app_config("portal").get_models()
        if isinstance(getattr(model, "public", None), PublicRecord)
    ]
    return tuple(sorted(found, key=lambda record: record.position))


def public_records(feature=None):
    """Every record type in navigation order, or only those that have `feature`."""
    return tuple(record for record in _all() if feature is None or record.has(feature))


def in_model_order(records):
    """`records` in the order their models are defined: each after those it refers to."""
    models = list(apps.get_app_config("portal").get_models())
    return sorted(records, key=lambda record: models.index(record.model))


def record_named(name):
    """The record type called `name` ("article"); KeyError if there is none."""
    for record in _all():
        if record.name == name:
            return record
    raise KeyError(name)


def record_of(model):
    """`model`'s PublicRecord, or None if it is not a public record type."""
    record = getattr(model, "public", None)
    return record if isinstance(record, PublicRecord) else None
