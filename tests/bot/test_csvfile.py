"""The one CSV writer: no cell can start a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from bot.csvfile import csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("https://evil.example","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_starts_get_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Dewi", "Ops", "", "3.29", "a=b", 7, -1, None])
def test_other_cells_stay_as_they_are(value: object) -> None:
    assert safe_cell(value) == value


def test_csv_text_escapes_header_and_rows_and_reads_back() -> None:
    text = csv_text(["name", "=x"], [["=1+1", 2], ["Ani, HR", "@me"]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "'=x"],
        ["'=1+1", "2"],
        ["Ani, HR", "'@me"],
    ]
