"""The spreadsheet-formula guard shared by every CSV download (portal.opendata.spreadsheets)."""

import pytest

from portal.opendata.spreadsheets import spreadsheet_safe


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        " =HYPERLINK(1)",
        "\n=1",
        "  \t @x",
        "\x00=1",
        "\u200b=1",  # zero-width space, a format character
        "\u3000=1",  # ideographic space
        "\uff1d1+1",  # full-width equals sign
        "\uff0b1",
        "\uff0d1",
        "\uff20x",
        " \uff1dx",
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Hong Kong", "", "  plain", "a=b", "2024-01-01", "數碼港", 42, None]
)
def test_other_cells_are_left_alone(cell):
    assert spreadsheet_safe(cell) == cell
