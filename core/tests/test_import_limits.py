"""Hostile files are refused after a bounded amount of reading, with a message
saying what is wrong (docs/security.md, "Hostile input")."""

import time
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.imports import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
    read_dataset,
)
from core.tests.importing import csv_file, preview, raw_xlsx, xml_row

CUSTOMERS = reverse("relationships:customer_import")
QUICK = 1.0  # seconds: a refusal must cost well under a web worker's timeout


def refusal(upload, quick: float = QUICK) -> str:  # noqa: ANN001
    """The message read_dataset refuses the upload with; fails unless it is quick."""
    assert upload.size <= MAX_UPLOAD_BYTES, "the hostile file must pass the upload size limit"
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        read_dataset(upload)
    assert time.perf_counter() - started < quick
    return caught.value.messages[0]


def empty_rows(count: int) -> Iterator[str]:
    """Rows without a number: each continues from the previous one, and packs to almost nothing."""
    for start in range(0, count, 100_000):
        yield "<row/>" * min(100_000, count - start)


def test_zip_bomb_of_six_million_empty_rows_is_refused_unread():
    upload = raw_xlsx([xml_row(1, "name"), *empty_rows(6_000_000)], dimension="A1:A6000001")
    assert upload.size < 100_000
    assert "unpacks to more than 20 MB" in refusal(upload)


def test_millions_of_missing_rows_stop_at_the_line_limit():
    # a few bytes claim row one million: openpyxl would make up every empty row before it
    upload = raw_xlsx([xml_row(1, "name"), xml_row(1_000_000, "Acme")], dimension="A1:XFD1048576")
    assert f"more than {MAX_LINES} lines" in refusal(upload)


def test_giant_shared_string_is_refused_before_it_is_unpacked():
    giant = ("x" * 1_000_000 for _ in range(150))  # one 150 MB string
    rows = [
        '<row r="1"><c t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c t="s"><v>0</v></c></row>'
    ]
    upload = raw_xlsx(rows, shared=["".join(giant)])
    assert "unpacks to more than 20 MB" in refusal(upload)


def test_part_packed_over_a_hundred_times_is_refused():
    upload = raw_xlsx([xml_row(1, "name"), *empty_rows(2_000_000)])  # 12 MB of sheet: under the size limit
    assert "packed suspiciously tightly" in refusal(upload)
    upload = raw_xlsx([xml_row(1, "name"), xml_row(2, "A" * 30_000)], shared=["y" * 3_000_000])
    assert "times larger" in refusal(upload)


def test_cell_longer_than_excel_allows_is_refused():
    upload = raw_xlsx([xml_row(1, "name"), xml_row(2, "Acme " + "z" * MAX_CELL_CHARS)])
    assert f"Row 2 has a cell of more than {MAX_CELL_CHARS}" in refusal(upload)


def test_one_long_shared_string_used_in_every_row_stops_at_the_text_limit():
    text = "w" * MAX_CELL_CHARS  # allowed once, but 2,000 times is 65 million characters
    rows = [xml_row(1, "name", "notes")] + [
        f'<row r="{n}"><c t="inlineStr"><is><t>c{n}</t></is></c><c t="s"><v>0</v></c></row>'
        for n in range(2, MAX_ROWS + 2)
    ]
    assert f"more than {MAX_TEXT_CHARS} characters" in refusal(raw_xlsx(rows, shared=[text]))


def test_too_many_rows_in_a_workbook_are_refused():
    upload = raw_xlsx([xml_row(1, "name"), *(xml_row(n, f"c{n}") for n in range(2, MAX_ROWS + 3))])
    assert f"more than {MAX_ROWS} rows" in refusal(upload)


def test_too_many_filled_cells_are_refused_before_the_row_limit():
    columns = MAX_CELLS // MAX_ROWS + 1
    rows = [xml_row(1, *(f"c{i}" for i in range(columns)))]
    rows += [xml_row(n, *(f"{n}-{i}" for i in range(columns))) for n in range(2, MAX_ROWS + 2)]
    # a well-formed file is read up to the limit: as long as reading a full legitimate file
    assert f"more than {MAX_CELLS} filled cells" in refusal(raw_xlsx(rows), quick=10 * QUICK)


def test_too_wide_rows_are_refused_in_both_formats():
    wide = [f"c{i}" for i in range(MAX_COLUMNS + 1)]
    assert f"more than {MAX_COLUMNS} columns" in refusal(raw_xlsx([xml_row(1, *wide)]))
    far = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>far away</t></is></c></row>'
    assert "Row 2 has more than" in refusal(raw_xlsx([xml_row(1, "name"), far], dimension="A1:XFD2"))
    assert f"more than {MAX_COLUMNS} columns" in refusal(csv_file([["name"], ["x"] * 100_000]))


def test_csv_giant_field_or_line_is_refused():
    assert f"more than {MAX_CELL_CHARS} characters" in refusal(csv_file([["name"], ["x" * 40_000]]))
    unclosed = csv_file([["name"]])
    unclosed.file.write(b'"' + b"y" * 1_000_000)  # a quote never closed: one field to the end of file
    unclosed.size = len(unclosed.file.getvalue())
    unclosed.file.seek(0)
    assert "characters" in refusal(unclosed)


def test_csv_of_newlines_stops_at_the_line_limit():
    upload = csv_file([["name"]])
    upload.file.write(b"\n" * 4_000_000)
    upload.size = len(upload.file.getvalue())
    upload.file.seek(0)
    assert f"more than {MAX_LINES} lines" in refusal(upload)


def test_legitimate_workbook_with_empty_lines_and_a_wrong_dimension_is_read():
    upload = raw_xlsx(
        [xml_row(1, "name", "region"), xml_row(2, "Acme", "East"), *empty_rows(50)], dimension="A1:XFD1048576"
    )
    dataset = read_dataset(upload)
    assert dataset.headers == ["name", "region"]
    assert list(dataset) == [("Acme", "East")]


def test_the_page_shows_the_refusal_as_a_form_error(client, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(rep)
    upload = raw_xlsx([xml_row(1, "name"), xml_row(1_000_000, "Acme")])
    response = preview(client, CUSTOMERS, upload, "name")
    assert response.status_code == 400
    assert "empty ones included" in response.context["form"].errors["file"][0]
