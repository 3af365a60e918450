"""CSV downloads, for the public lists and the admin's exports alike: streamed row by row, so
memory does not grow with the rows, and guarded against spreadsheet formulas.
"""

import itertools
import unicodedata

from django.http import StreamingHttpResponse

# A cell that starts with one of these is run as a formula by Excel, LibreOffice or Google
# Sheets, so a title like "=HYPERLINK(...)" could act in a reader's spreadsheet; spreadsheets
# skip leading spaces and control characters first, and read the full-width signs (＝＋－＠)
# as their ASCII forms, and the small forms (﹦﹢﹣﹫) too. A leading apostrophe makes the
# cell text. https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_SIGNS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
# Characters that make a cell quoted: csv's own (the comma, the quote, line ends), and the
# semicolon, which spreadsheets in many locales read as the separator: unquoted, "ZQ;=1+1"
# would be two cells there, the second a formula.
QUOTED_WHEN_CONTAINING = frozenset(',";\r\n')
# Rows sent to the client per write of a streamed download.
ROWS_PER_WRITE = 200


def _is_blank(character):
    """Whitespace or a control character: what a spreadsheet skips before reading a formula."""
    return character.isspace() or unicodedata.category(character) in {"Cc", "Cf"}


def spreadsheet_safe(value):
    """`value`, with a leading apostrophe if a spreadsheet would read it as a formula."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_SIGNS:
        return "'" + value
    start = 0
    while start < len(value) and _is_blank(value[start]):
        start += 1
    if start < len(value) and value[start] in FORMULA_SIGNS:
        return "'" + value
    return value


def csv_cell(value):
    """`value` as one CSV field: guarded against formulas, quoted as the csv module quotes
    (QUOTE_MINIMAL) and also when it holds a semicolon."""
    text = "" if value is None else str(spreadsheet_safe(value))
    if QUOTED_WHEN_CONTAINING.intersection(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(row):
    """One CSV line (RFC 4180: comma-separated, CRLF-terminated) of the cells in `row`."""
    return ",".join(map(csv_cell, row)) + "\r\n"


def csv_lines(header, rows):
    """The text of a CSV file: `header`, then each row of the iterable `rows`, a batch of
    lines per item. Every cell passes through `csv_cell`; rows are read lazily, so a caller
    can pass a generator over `QuerySet.iterator()`."""
    # A byte order mark: without it Excel reads a UTF-8 file as the local legacy
    # encoding and garbles every non-ASCII name (e.g. Chinese ones). Other programs
    # ignore it. https://learn.microsoft.com/en-us/office/troubleshoot/excel/open-csv-file
    yield "\ufeff" + csv_line(header)
    # Rows go out a batch at a time: one write per row would make the server's system
    # calls, not the rows, the bottleneck of a 100,000-row download.
    for batch in itertools.batched(rows, ROWS_PER_WRITE):
        yield "".join(map(csv_line, batch))


def csv_response(filename, header, rows):
    """A streamed CSV download of `header` and then each row of the iterable `rows`
    (`csv_lines`), produced while the response is sent."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
