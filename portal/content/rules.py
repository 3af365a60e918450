"""A model's check constraints, evaluated in Python so the checking stage needs no query.

`broken_constraints(model, values)` yields each `CheckConstraint` of `model` that a row with
`values` (attribute name -> value) would break: what the database would refuse, found before
anything is written, so the importer can name the record, field and value.

Django's own `CheckConstraint.validate()` asks the database: one query per constraint per
record (and a savepoint inside a transaction), so checking 100,000 records would cost hundreds
of thousands of queries. Conditions made of comparisons, `in`, `range` and `isnull` on plain
fields (and the year, month and day of dates), literals and `F()` references are evaluated
here instead, with SQL's rule that a CHECK passes unless its condition is false: a comparison
with NULL is unknown, and unknown passes.
Any other condition is left to `validate()`, its answer remembered for each distinct
combination of the values it reads. (django-predicate evaluates Q objects in Python too, but
with two-valued logic and no `F()`, so it would disagree with the database about NULL.)
"""

import datetime
import operator
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Unsupported(Exception):
    """The condition uses something `evaluate` doesn't know; the database must decide."""


def evaluate(condition, values):
    """Return True, False or None (unknown, SQL's NULL) for a Q `condition` on `values`.

    Raises `Unsupported` for lookups, expressions or connectors it doesn't evaluate.
    """
    if not isinstance(condition, Q):
        return _evaluate_lookup(*condition, values)
    results = [evaluate(child, values) for child in condition.children]
    if condition.connector == Q.AND:
        result = False if False in results else None if None in results else True
    elif condition.connector == Q.OR:
        result = True if True in results else None if None in results else False
    else:
        raise Unsupported(condition.connector)
    if condition.negated and result is not None:
        return not result
    return result


# Transforms evaluated here: the parts of a date (e.g. `date__day=1`).
_TRANSFORMS = {"year", "month", "day"}


def _evaluate_lookup(lookup, rhs, values):
    name, *parts = lookup.split("__")
    if name not in values:
        raise Unsupported(lookup)  # A relation or a join.
    value = values[name]
    while parts and parts[0] in _TRANSFORMS:
        transform = parts.pop(0)
        # Dates only: the database takes a datetime's parts in its own time zone (and a
        # missing value says nothing of which it would have been).
        if type(value) is not datetime.date:
            raise Unsupported(lookup)
        value = getattr(value, transform)
    kind = "__".join(parts) or "exact"
    if "__" in kind:
        raise Unsupported(lookup)  # Another transform (e.g. week_day__lt).
    if kind == "isnull":
        return (value is None) == bool(rhs)
    if kind in ("in", "range") and not isinstance(rhs, (list, tuple, set, frozenset)):
        raise Unsupported(lookup)  # E.g. a subquery.
    operands = list(rhs) if kind in ("in", "range") else [rhs]
    operands = [_operand(operand, values) for operand in operands]
    if kind != "exact" and kind != "in" and any(isinstance(v, str) for v in [value, *operands]):
        # Text orders by the database's collation, which Python doesn't know.
        raise Unsupported(lookup)
    if kind == "in":
        if value is None:
            return None
        return True if value in operands else None if None in operands else False
    if value is None or None in operands:
        return None
    if kind == "range":
        low, high = operands
        return low <= value <= high
    if kind not in _COMPARE:
        raise Unsupported(lookup)
    return _COMPARE[kind](value, operands[0])


def _operand(operand, values):
    """A lookup's right-hand side as a value: a literal, or the value an `F()` names."""
    if isinstance(operand, F) and operand.name in values:
        return values[operand.name]
    if hasattr(operand, "resolve_expression"):
        raise Unsupported(operand)
    return operand


def check_constraints(model):
    """The `CheckConstraint`s of `model`, including those it inherits."""
    return [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]


def broken_constraints(model, values):
    """Yield each check constraint of `model` that a row with `values` breaks.

    `values` maps attribute names to model values; constraints that read anything not in
    `values` (e.g. a relation not yet resolved) are skipped, as `full_clean(exclude=...)`
    skips them.
    """
    for constraint in check_constraints(model):
        try:
            passes = evaluate(constraint.condition, values) is not False
        except Unsupported:
            names = sorted(constraint.condition.referenced_base_fields)
            if not set(names) <= set(values):
                continue
            reads = tuple((name, values[name]) for name in names)
            try:
                passes = _database_passes(model, constraint.name, reads)
            except TypeError:  # A value that can't be a cache key (e.g. a dict): ask anyway.
                passes = _database_passes.__wrapped__(model, constraint.name, reads)
        if not passes:
            yield constraint


@lru_cache(maxsize=4096)
def _database_passes(model, constraint_name, reads):
    """Ask the database whether a row with `reads` ((name, value), ...) passes a constraint."""
    constraint = next(c for c in check_constraints(model) if c.name == constraint_name)
    instance = model(**dict(reads))
    excluded = {f.name for f in model._meta.concrete_fields} - {name for name, _ in reads}
    try:
        constraint.validate(model, instance, exclude=excluded)
    except ValidationError:
        return False
    return True
