"""Streams records out of fixture files without loading a whole file into memory.

`read_records(path)` yields `(record_number, record)` pairs, numbered from 1. When a file cannot
be read as a JSON list of records it raises `ContentFileError`, with a message that says what
is wrong and, where it can be known, on which record or line.

Records are built from ijson's low-level event stream (`basic_parse`), counting how deeply
lists and objects are nested as the events arrive: input nested deeper than a fixture can be
is refused at the first level too many, before anything is built from it. (ijson's `parse`
and `items` keep a path string per level, so memory there grows with the square of the
depth: a small file of nested brackets could exhaust the memory.)
"""

import codecs
from pathlib import Path

import ijson
from ijson.backends import python as ijson_python

CHUNK_SIZE = 1 << 20

# A fixture needs five levels: the list of records, a record, its "fields", a list of
# references (e.g. "sectors") and one reference (["slug"]). Nothing valid is deeper.
MAX_DEPTH = 5

_OPENING = frozenset({"start_map", "start_array"})
_CLOSING = frozenset({"end_map", "end_array"})


class ContentFileError(Exception):
    """The file as a whole is unusable: empty, not UTF-8, not JSON, not a list, or nested
    deeper than a fixture can be. `record` and `line` locate the problem where known."""

    def __init__(self, message, line=None, record=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.record = record


class _TooDeep(Exception):
    """Raised by `_bounded` at the first event nested deeper than MAX_DEPTH."""


def check_utf8(path):
    """Raise `ContentFileError` if `path` is empty or not UTF-8; streams in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line = 1
    seen_any = False
    with Path(path).open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            seen_any = seen_any or bool(chunk.strip())
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk.count(b"\n", 0, error.start)
                raise ContentFileError(
                    f"the text is not UTF-8 (byte 0x{chunk[error.start]:02x} cannot start or "
                    "continue a character); save the file as UTF-8",
                    line=line,
                ) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ContentFileError(
                "the text is not UTF-8 (the file ends in the middle of a character)", line=line
            ) from None
    if not seen_any:
        raise ContentFileError("the file is empty; expected a JSON list of records")


def _bounded(events):
    """Yield `(depth, event, value)` for ijson `basic_parse` events, depth counted from 1 for
    the outermost list; raise `_TooDeep` instead of yielding anything deeper than MAX_DEPTH."""
    depth = 0
    for event, value in events:
        if event in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep
            yield depth, event, value
        elif event in _CLOSING:
            yield depth, event, value
            depth -= 1
        else:
            yield depth, event, value


def _line_of_syntax_error(path):
    """Return the line of the first JSON syntax error in `path`, or None if it can't be found.

    The fast C parser doesn't report positions, so this re-reads the file with ijson's pure
    Python parser, which does; only called once the file is known to be broken.
    """
    try:
        with Path(path).open("rb") as handle:
            for _ in _bounded(ijson_python.basic_parse(handle)):
                pass
    except ijson_python.UnexpectedSymbol as error:
        offset = int(str(error).rsplit(" ", 1)[-1])
    except (ijson.JSONError, _TooDeep):
        return None
    else:
        return None
    line = 1
    with Path(path).open(encoding="utf-8") as handle:
        remaining = offset
        while remaining > 0 and (chunk := handle.read(min(CHUNK_SIZE, remaining))):
            line += chunk.count("\n")
            remaining -= len(chunk)
    return line


def read_records(path):
    """Yield `(record_number, record)` for each element of the JSON list in `path`.

    Memory is bounded by the largest record, never by the file or by how deeply it nests.
    """
    check_utf8(path)
    number = 0  # Records begun.
    done = 0  # Records read whole.
    builder = None
    with Path(path).open("rb") as handle:
        events = _bounded(ijson.basic_parse(handle, use_float=True))
        try:
            _, first_event, _ = next(events)
            if first_event != "start_array":
                raise ContentFileError(
                    "the file is not a list of records; expected it to start with '['", line=1
                )
            for depth, event, value in events:
                if depth == 1:
                    if event not in _CLOSING:  # A record that is a plain value, e.g. "text".
                        number = done = number + 1
                        yield number, value
                    continue
                if depth == 2 and event in _OPENING:  # A record that is a list or object.
                    number += 1
                    builder = ijson.ObjectBuilder()
                builder.event(event, value)
                if depth == 2 and event in _CLOSING:
                    done = number
                    yield number, builder.value
        except _TooDeep:
            raise ContentFileError(
                f"lists and objects are nested more than {MAX_DEPTH} levels deep, deeper than "
                "any fixture needs; the rest of the file was not read",
                record=number,
            ) from None
        except ijson.JSONError as error:
            reason = str(error).splitlines()[0].removeprefix("parse error: ")
            raise ContentFileError(
                f"invalid JSON after record {done} ({reason})", line=_line_of_syntax_error(path)
            ) from None
