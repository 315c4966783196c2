"""How the rules' findings become the quality_findings table: the first rule's row per key,
in a stable order (source_file, source_line, table_name, row_key, check_name; nulls last),
with the data dictionary's schema."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pipeline.quality.findings as findings  # noqa: E402
from pipeline.memory import release_unused_memory  # noqa: E402
from pipeline.quality.data import CheckData  # noqa: E402
from pipeline.quality.findings import findings_table  # noqa: E402
from pipeline.quality.rows import FINDING_COLUMNS  # noqa: E402
from pipeline.schema import QUALITY_FINDINGS  # noqa: E402

EMPTY = CheckData(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def _rows(*rows: tuple) -> pd.DataFrame:
    """Findings rows: (check_name, project_id, row_key, message, source_file, source_line)."""
    out = [
        {"check_name": c, "severity": "warning", "table_name": "funds", "project_id": p, "row_key": k,
         "observed": None, "expected": None, "message": m, "source_file": f, "source_line": line}
        for c, p, k, m, f, line in rows
    ]
    return pd.DataFrame(out, columns=FINDING_COLUMNS).astype("object")


def test_one_row_per_key_the_first_rules_and_sorted():
    first = _rows(("a_check", "p1", "k1", "from the first rule", "b.txt", 7),
                  ("a_check", "p2", "k2", "second", "a.txt", None))
    second = _rows(("a_check", "p1", "k1", "from the second rule", "b.txt", 7),  # same key: dropped
                   ("b_check", "p1", "k1", "other check", "b.txt", 7),
                   ("b_check", "p3", None, "no key", "a.txt", 3))
    table = findings_table(EMPTY, [lambda data: first, lambda data: second, lambda data: _rows()])
    assert table.schema == QUALITY_FINDINGS.schema
    got = [(r["check_name"], r["project_id"], r["message"]) for r in table.to_pylist()]
    assert got == [
        ("b_check", "p3", "no key"),                 # a.txt line 3
        ("a_check", "p2", "second"),                 # a.txt, no line: last of a.txt
        ("a_check", "p1", "from the first rule"),    # b.txt line 7, check a before b
        ("b_check", "p1", "other check"),
    ]


def test_no_findings_give_an_empty_table_with_the_schema():
    table = findings_table(EMPTY, [lambda data: _rows()])
    assert table.num_rows == 0 and table.schema == QUALITY_FINDINGS.schema


def test_releasing_unused_memory_keeps_live_data():
    frame = pd.DataFrame({"x": range(1000)})
    release_unused_memory()
    assert frame["x"].sum() == 499500


def test_per_report_rules_in_batches_of_files_give_the_same_table(monkeypatch):
    """find_all runs the per-report rules batch by batch of files (less memory): the table
    is the one all reports at once give, down to the order and the dictionaries."""
    from tests.seed_warehouse import seed_tables

    tables = {name: t for name, t in seed_tables().items() if name != "quality_findings"}
    whole = findings.find_all(tables)
    assert whole.num_rows > 10
    monkeypatch.setattr(findings, "BATCH_INDICATOR_ROWS", 40)
    batches = list(findings._file_batches(tables))
    assert len(batches) > 2
    assert sum(b["projects"].num_rows for b in batches) == tables["projects"].num_rows
    assert findings.find_all(tables).equals(whole)


def test_batches_of_unsorted_tables_hold_the_same_rows(monkeypatch):
    """A build's tables are in file-name order and each batch is a slice of them; tables in
    any other order are filtered instead, and give the same findings."""
    from tests.seed_warehouse import seed_tables

    tables = {name: t for name, t in seed_tables().items() if name != "quality_findings"}
    whole = findings.find_all(tables)
    monkeypatch.setattr(findings, "BATCH_INDICATOR_ROWS", 40)
    assert all(findings._file_runs(t) is not None for t in tables.values() if "source_file" in t.column_names)
    reversed_tables = {name: t.take(pa.array(range(t.num_rows - 1, -1, -1), pa.int64())) for name, t in tables.items()}
    assert findings._file_runs(reversed_tables["indicators"]) is None
    sliced = list(findings._file_batches(tables))
    filtered = list(findings._file_batches(reversed_tables))
    assert len(sliced) == len(filtered) > 2
    for by_slice, by_filter in zip(sliced, filtered):
        for name, part in by_slice.items():
            assert sorted(part.to_pylist(), key=repr) == sorted(by_filter[name].to_pylist(), key=repr)
    assert findings.find_all(tables).equals(whole)


def test_file_runs_of_a_sorted_column():

    table = pa.table({"source_file": ["a", "a", "b", "d", "d", "d"]})
    assert findings._file_runs(table) == (["a", "b", "d"], [0, 2, 3])
    assert findings._file_runs(pa.table({"source_file": pa.array([], pa.string())})) == ([], [])
    assert findings._file_runs(pa.table({"source_file": ["b", "a"]})) is None
    assert findings._file_runs(pa.table({"source_file": ["a", None]})) is None
    batch = findings._of_files({"t": table}, {"t": findings._file_runs(table)}, ["b", "c"])
    assert batch["t"].column("source_file").to_pylist() == ["b"]


_NAMES = st.sampled_from(["a.txt", "b.txt", "b/c.txt", "上海/1.txt", "上海/2.txt", "z.md", "é.txt"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_NAMES, max_size=30), st.booleans(), st.data())
def test_a_batch_of_files_holds_the_rows_filtering_would(names, in_order, data):
    """Slices of a table sorted by file (or the filtered rows of one that is not) hold exactly
    the rows of the batch's files, in the table's order."""

    table = pa.table({"source_file": sorted(names) if in_order else names, "row": list(range(len(names)))})
    runs = findings._file_runs(table)
    assert (runs is not None) == (names == sorted(names) or in_order)
    everything = sorted(set(names) | {"a.txt", "z.md"})
    first = data.draw(st.integers(0, len(everything) - 1))
    last = data.draw(st.integers(first, len(everything) - 1))
    files = everything[first:last + 1]
    got = findings._of_files({"t": table}, {"t": runs}, files)["t"]
    assert got.to_pylist() == [row for row in table.to_pylist() if row["source_file"] in files]
