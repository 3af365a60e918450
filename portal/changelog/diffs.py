"""Diffs of a record's public fields, as the change lines that the log stores.

`diff_lines` compares two states of a record (values as a reversion version holds them) and
gives a line per changed field: old and new value, related items added and removed (as ids
until `name_lines` names them, one query per related model), or a word diff of long text
(`word_diff`, Chinese compared a character at a time).
"""

import datetime
import difflib
import re

from django.conf import settings
from django.db import models

from portal.changelog.registry import public_fields
from portal.records.registry import record_of

SHORT_TEXT = 80
# Words (or Chinese characters) of unchanged text kept around each change in a word diff.
DIFF_CONTEXT = 4
# The most tokens a word diff keeps; the rest is cut, marked with an ellipsis.
DIFF_LIMIT = 80

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A word with the spaces after it, or one Chinese character: so a run of changed words is
# one deletion and one insertion, not split at each space they share.
_TOKENS = re.compile(rf"[{_CJK}]\s*|[^\s{_CJK}]+\s*|\s+")


def word_diff(old, new, context=DIFF_CONTEXT, limit=DIFF_LIMIT):
    """[[op, text], ...] turning `old` into `new`: op is "=" (kept), "-", "+" or "…" (unchanged
    text left out). Words are compared whole; Chinese, one character at a time.

    Runs of unchanged text keep `context` tokens around each change; after `limit` tokens the
    rest is cut. The public log keeps diffs short; the admin's compare view passes a wider
    context and no limit (None), so that an editor sees every change in a long text."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    ops, kept = [], 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if context is not None and len(same) > 2 * context + 1:
                head = same[:context] if ops and context else []
                tail = same[-context:] if context and (i2 < len(a) or j2 < len(b)) else []
                for part in (head, None, tail):
                    if part is None:
                        ops.append(["…", ""])
                    elif part:
                        ops.append(["=", "".join(part)])
            else:
                ops.append(["=", "".join(same)])
            kept += len(same)
            continue
        if i2 > i1:
            ops.append(["-", "".join(a[i1:i2])])
        if j2 > j1:
            ops.append(["+", "".join(b[j1:j2])])
        kept += (i2 - i1) + (j2 - j1)
        if limit is not None and kept > limit:
            ops.append(["…", ""])
            break
    while ops and ops[-1][0] == "…" and len(ops) > 1 and ops[-2][0] == "…":
        ops.pop()
    return ops


def _plain(value):
    """A field value as JSON can hold it."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def diff_lines(model, old, new, fields=None):
    """The public differences between two states of a record of `model`, as change lines.

    `old` and `new` map attnames to values (foreign keys as ids, many-to-many fields as
    collections of ids), as a reversion version's field dict does. Related items are given
    as ids ("old_id"/"new_id", "added"/"removed"); `name_lines` turns them into names.
    `fields` are the fields compared: by default those readers see (`public_fields`).
    """
    lines = []
    for field in public_fields(model) if fields is None else fields:
        key = field.attname
        if key not in old and key not in new:
            continue
        before, after = old.get(key), new.get(key)
        if field.many_to_many:
            before, after = set(before or ()), set(after or ())
            if before != after:
                lines.append(
                    {
                        "field": field.name,
                        "added": sorted(after - before),
                        "removed": sorted(before - after),
                    }
                )
        elif before != after:
            if field.many_to_one:
                lines.append({"field": field.name, "old_id": before, "new_id": after})
            elif isinstance(before or after, str) and (
                isinstance(field, models.TextField)
                or max(len(before or ""), len(after or "")) > SHORT_TEXT
            ):
                lines.append({"field": field.name, "diff": word_diff(before, after)})
            else:
                lines.append({"field": field.name, "old": _plain(before), "new": _plain(after)})
    return lines


def _names(model, ids):
    """{id: name} for rows of `model`; a name is {language: text} for translated names."""
    if not ids:
        return {}
    record = record_of(model)
    if record is not None and hasattr(model, record.name_columns[0]):
        columns = record.name_columns
        rows = model._default_manager.filter(pk__in=ids).values_list("pk", *columns)
        codes = [code for code, _name in settings.LANGUAGES]
        return {pk: dict(zip(codes, names, strict=True)) for pk, *names in rows}
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}


def name_lines(model, line_lists):
    """Replace related ids in every line of `line_lists` (lists of `diff_lines` output for
    records of `model`) by names, with one query per related model."""
    wanted = {}
    for lines in line_lists:
        for line in lines:
            field = model._meta.get_field(line["field"])
            if field.is_relation:
                ids = {*line.get("added", ()), *line.get("removed", ())}
                ids |= {line.get("old_id"), line.get("new_id")} - {None}
                wanted.setdefault(field.related_model, set()).update(ids)
    names = {related: _names(related, ids) for related, ids in wanted.items()}
    for lines in line_lists:
        for line in lines:
            field = model._meta.get_field(line["field"])
            if not field.is_relation:
                continue
            found = names[field.related_model]
            if field.many_to_many:
                line["added"] = [found.get(pk, str(pk)) for pk in line["added"]]
                line["removed"] = [found.get(pk, str(pk)) for pk in line["removed"]]
            else:
                line["old"] = found.get(line.pop("old_id"))
                line["new"] = found.get(line.pop("new_id"))
