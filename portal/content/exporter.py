"""Write the content as fixtures that `loaddata` and `import_content` read back losslessly.

One file per model (named in `schema.SPECS`), records in natural-key order, relations as
natural keys in natural-key order, so the same content always gives byte-identical files.
Rows are streamed from the database in chunks; memory does not grow with the row count.
"""

from pathlib import Path

from django.core import serializers
from django.db.models import Prefetch

from portal.content.schema import SPECS, SPECS_BY_MODEL

CHUNK_SIZE = 2000


def export_queryset(spec):
    """Return the rows of `spec`'s model in export order, relations prefetched in key order."""
    queryset = spec.model._default_manager.order_by(spec.key_field)
    for fk in spec.foreign_keys:
        queryset = queryset.select_related(fk.name)
    for m2m in spec.many_to_many:
        target = SPECS_BY_MODEL[m2m.related_model]
        ordered = target.model._default_manager.order_by(target.key_field)
        queryset = queryset.prefetch_related(Prefetch(m2m.name, queryset=ordered))
    return queryset


def export_model(spec, stream, queryset=None):
    """Write `spec`'s rows to `stream` as a fixture; returns the number of rows written.

    With `queryset` (any queryset of the model, e.g. an admin change list's filtered rows),
    only its rows are written, still in export order.
    """
    serializer = serializers.get_serializer("json")()
    rows = export_queryset(spec)
    if queryset is not None:
        rows = rows.filter(pk__in=queryset.values("pk"))
    rows = rows.iterator(chunk_size=CHUNK_SIZE)
    counted = _Counter(rows)
    serializer.serialize(
        counted,
        stream=stream,
        indent=2,
        fields=spec.field_names,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    stream.write("\n")
    return counted.count


def export_all(directory):
    """Write one fixture file per model into `directory`; returns [(path, row count)]."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in SPECS:
        path = directory / spec.file_name
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            written.append((path, export_model(spec, stream)))
    return written


class _Counter:
    """Passes rows through while counting them, so the count needs no second query."""

    def __init__(self, rows):
        self._rows = rows
        self.count = 0

    def __iter__(self):
        for row in self._rows:
            self.count += 1
            yield row
