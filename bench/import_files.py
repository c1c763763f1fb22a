"""Benchmark: reading import files, hostile and legitimate — time and memory.

    python bench/import_files.py

Each case runs in a fresh process (so its max RSS is its own) and prints the
outcome (rows read, or the refusal), the wall time, the peak of Python
allocations (tracemalloc) and the process's max RSS. No database: this is
the reading step (`core.imports.read_dataset`) that runs in the
web request before anything else; the row import itself is bounded by
queries (`relationships/tests/test_import_budget.py`).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = [
    "csv_2000_rows",
    "xlsx_2000_rows",
    "xlsx_6m_empty_rows",
    "xlsx_missing_million_rows",
    "xlsx_150mb_shared_string",
    "xlsx_long_string_in_every_row",
    "xlsx_too_wide",
    "xlsx_too_many_cells",
    "csv_giant_field",
    "csv_4m_newlines",
]


def build(case: str):  # noqa: ANN201 - an UploadedFile
    from core.imports import MAX_CELL_CHARS, MAX_ROWS
    from core.tests.importing import csv_file, raw_xlsx, xlsx_file, xml_row

    header = ["name", "kind", "segment", "industry", "region", "phone", "owner", "notes"]
    legit = [header] + [
        [f"客户 Customer {i}", "customer", "key", "Steel", "East", "+86 21 5555 0000", "rep", "n" * 200]
        for i in range(MAX_ROWS)
    ]
    if case == "csv_2000_rows":
        return csv_file(legit)
    if case == "xlsx_2000_rows":
        return xlsx_file(legit)
    if case == "xlsx_6m_empty_rows":
        return raw_xlsx([xml_row(1, "name"), *("<row/>" * 100_000 for _ in range(60))])
    if case == "xlsx_missing_million_rows":
        return raw_xlsx([xml_row(1, "name"), xml_row(1_000_000, "x")], dimension="A1:XFD1048576")
    if case == "xlsx_150mb_shared_string":
        row = '<row r="2"><c t="s"><v>0</v></c></row>'
        return raw_xlsx([xml_row(1, "name"), row], shared=["x" * 150_000_000])
    if case == "xlsx_long_string_in_every_row":
        rows = [f'<row r="{n}"><c t="s"><v>0</v></c></row>' for n in range(2, MAX_ROWS + 2)]
        return raw_xlsx([xml_row(1, "name"), *rows], shared=["w" * MAX_CELL_CHARS])
    if case == "xlsx_too_wide":
        return raw_xlsx([xml_row(1, *(f"c{i}" for i in range(5000)))])
    if case == "xlsx_too_many_cells":  # well formed, varied: read up to the cell limit
        rows = [xml_row(n, *(f"{n}-{i}" for i in range(21))) for n in range(1, MAX_ROWS + 2)]
        return raw_xlsx(rows)
    if case == "csv_giant_field":
        upload = csv_file([["name"]])
        upload.file.write(b'"' + b"y" * 4_000_000)
        upload.size = len(upload.file.getvalue())
        upload.file.seek(0)
        return upload
    if case == "csv_4m_newlines":
        upload = csv_file([["name"]])
        upload.file.write(b"\n" * 4_000_000)
        upload.size = len(upload.file.getvalue())
        upload.file.seek(0)
        return upload
    raise ValueError(case)


def run(case: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings_test")
    django.setup()
    from django.core.exceptions import ValidationError

    from core.imports import read_dataset

    upload = build(case)

    def read() -> str:
        upload.seek(0)
        try:
            return f"{len(read_dataset(upload))} rows read"
        except ValidationError as error:
            return f"refused: {error.messages[0]}"

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = read()
    elapsed = time.perf_counter() - started  # timed without tracemalloc, which slows allocation
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    read()
    _current, peak = tracemalloc.get_traced_memory()
    return {
        "case": case,
        "file_kb": upload.size // 1024,
        "ms": round(elapsed * 1000, 1),
        "peak_mb": round(peak / 2**20, 1),
        "rss_before_mb": rss_before // 1024,
        "max_rss_mb": max_rss // 1024,
        "outcome": outcome,
    }


def main() -> None:
    if len(sys.argv) == 2:
        print(json.dumps(run(sys.argv[1])))
        return
    print("| case | file KB | time ms | peak traced MB | max RSS MB (before) | outcome |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        out = subprocess.run(  # noqa: S603 - this script, fixed arguments
            [sys.executable, __file__, case], capture_output=True, text=True, check=True
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {r['case']} | {r['file_kb']} | {r['ms']} | {r['peak_mb']} | "
            f"{r['max_rss_mb']} ({r['rss_before_mb']}) | {r['outcome'][:90]} |"
        )


if __name__ == "__main__":
    main()
