"""Content exchange: the engine behind `import_content` and `export_content`.

- `normalise`: repairs text on the way in (NFC, mojibake, no-break spaces, control characters).
- `schema`: which models are exchanged, in what order, and how a record maps onto a model.
- `rules`: a model's check constraints, evaluated in Python so checking needs no query.
- `reader`: streams records out of fixture files, with errors that name file, record and line;
  input nested deeper than a fixture is refused before it is built.
- `busy`: tells "the database is busy, try again" apart from other database errors.
- `importer`: `import_files`, the entry point: checks every input file, then writes them in one
  transaction with bulk queries; `check` reads and checks, listing every problem before anything is
  written; `write` writes in batches: relations, self-references, each record's history.
- `exporter`: writes fixtures that `loaddata` and the importer both read back losslessly.
"""
