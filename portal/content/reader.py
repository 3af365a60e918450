"""Streams records out of fixture files without loading a whole file into memory.

`read_records(path)` yields `(record_number, record)` pairs, numbered from 1. When a file cannot
be read as a JSON list of records it raises `ContentFileError`, with a message that says what
is wrong and, where it can be known, on which line.
"""

import codecs
from pathlib import Path

import ijson
from ijson.backends import python as ijson_python

CHUNK_SIZE = 1 << 20


class ContentFileError(Exception):
    """The file as a whole is unusable: empty, not UTF-8, not JSON, or not a list."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line


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


def _line_of_syntax_error(path):
    """Return the line of the first JSON syntax error in `path`, or None if it can't be found.

    The fast C parser doesn't report positions, so this re-reads the file with ijson's pure
    Python parser, which does; only called once the file is known to be broken.
    """
    try:
        with Path(path).open("rb") as handle:
            for _ in ijson_python.parse(handle):
                pass
    except ijson_python.UnexpectedSymbol as error:
        offset = int(str(error).rsplit(" ", 1)[-1])
    except ijson.JSONError:
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
    """Yield `(record_number, record)` for each element of the JSON list in `path`."""
    check_utf8(path)
    number = 0
    with Path(path).open("rb") as handle:
        events = ijson.parse(handle, use_float=True)
        try:
            _, first_event, _ = next(events)
            if first_event != "start_array":
                raise ContentFileError(
                    "the file is not a list of records; expected it to start with '['", line=1
                )
            for record in ijson.items(events, "item", use_float=True):
                number += 1
                yield number, record
        except ijson.JSONError as error:
            reason = str(error).splitlines()[0].removeprefix("parse error: ")
            raise ContentFileError(
                f"invalid JSON after record {number} ({reason})", line=_line_of_syntax_error(path)
            ) from None
