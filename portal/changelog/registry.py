"""Which record types the change log covers, and which of their fields readers see.

A type is logged when its PublicRecord declares CHANGE_LOG. A change row lists only public
fields (`public_fields`): never admin-only fields such as `last_reviewed`, derived search
columns or timestamps; an article's status is its visibility, never a field change.
"""

from portal.models import Article
from portal.records.description import CHANGE_LOG
from portal.records.registry import public_records, record_of


def change_log_types():
    """{name: PublicRecord} of the record types in the change log (those declaring
    CHANGE_LOG), in navigation order."""
    return {record.name: record for record in public_records(CHANGE_LOG)}


def logged_record(model):
    """`model`'s PublicRecord if its changes are logged, else None."""
    record = record_of(model)
    return record if record is not None and record.has(CHANGE_LOG) else None


# Fields readers never see, or that change without the content changing.
HIDDEN_FIELDS = {
    "id",
    "search_cjk",
    "has_footnotes",  # derived from the body, for search
    "created_at",
    "updated_at",
    "last_reviewed",
    "aliases",  # found by search, never shown
    "sort_weight",  # the order of the sector list, not a fact about the sector
    "needs_review",  # the team's own flag (portal.admin.review)
}
# An article's status is its visibility: the log says "Published", never "Status: ...".
# The review workflow's fields are the team's own.
HIDDEN_ARTICLE_FIELDS = {"status", "submitted_by", "submitted_at", "review_comment"}
# Text longer than this is shown as a word diff rather than "old → new".


def edited_fields(model):
    """The fields of `model` an editor edits, in form order: not the primary key, not derived
    (editable=False, e.g. the search tokens) and not timestamps (auto_now, auto_now_add), which
    change whenever anything does. The admin's compare view and import preview show these."""
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not f.primary_key
        and f.editable
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def public_fields(model):
    """The fields of `model` that the change log compares: shown to readers, not derived."""
    hidden = HIDDEN_FIELDS | (HIDDEN_ARTICLE_FIELDS if model is Article else set())
    return [
        f for f in [*model._meta.concrete_fields, *model._meta.many_to_many] if f.name not in hidden
    ]


def is_public(model, values):
    """Whether readers can see a record with these field values (only articles can be hidden)."""
    return model is not Article or values.get("status") == Article.Status.PUBLISHED
