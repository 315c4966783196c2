"""The data dictionary reaches the analyst: DuckDB comments, Parquet field metadata,
types an analyst can trust, and docs/data-dictionary.md up to date."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from seed_warehouse import seed_warehouse  # noqa: F401 - fixture

from pipeline.dictionary_docs import (
    DOCS_PATH,
    catalog,
    render_data_dictionary,
    undocumented_view_columns,
    view_docs,
    view_sources,
)
from pipeline.schema import MONEY, TABLES
from pipeline.database import VIEWS_SQL

LOW_CARDINALITY = {("funds", "fund_source"), ("projects", "report_type"), ("indicators", "level1"),
                   ("indicators", "level2"), ("projects", "grade")}


@pytest.fixture
def con(seed_warehouse, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)  # read-only, from another working directory
    connection = duckdb.connect(str(seed_warehouse / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_every_table_and_column_has_a_duckdb_comment(con):
    for name, spec in TABLES.items():
        (table_comment,) = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0]
        assert table_comment == f"{spec.label_zh} | {spec.meaning}"
        rows = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [name]
        ).fetchall()
        assert [r[0] for r in rows] == spec.column_names  # stable column order
        for col, (column_name, comment) in zip(spec.columns, rows):
            unit = f" [{col.unit}]" if col.unit else ""
            assert comment == f"{col.label_zh} | {col.meaning}{unit}", column_name


def test_the_duckdb_shell_reads_the_comments_and_every_view(seed_warehouse, tmp_path):  # noqa: F811
    """Issue 5's check, as an analyst types it: the 1.x ``duckdb`` shell, read-only, from another folder."""
    shell = Path(sys.executable).with_name("duckdb")
    db = str(seed_warehouse / "warehouse.duckdb")
    sql = "select column_name, comment from duckdb_columns() where table_name = 'funds' order by column_index"
    out = subprocess.run([str(shell), "-readonly", "-csv", "-noheader", db, "-c", sql], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert [r[0] for r in rows] == TABLES["funds"].column_names
    assert all(comment.strip() for _, comment in rows)
    for view in view_sources(VIEWS_SQL.read_text(encoding="utf-8")):
        counted = subprocess.run([str(shell), "-readonly", "-csv", "-noheader", db, "-c", f"select count(*) from {view}"],
                                 cwd=tmp_path, capture_output=True, text=True, check=True).stdout
        assert int(counted) > 0, view


def test_every_view_has_a_comment(con):
    views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert set(view_sources(VIEWS_SQL.read_text(encoding="utf-8"))) == set(views)
    assert all(" | " in (comment or "") for comment in views.values()), views


def test_parquet_files_carry_the_dictionary_as_field_metadata_and_zstd(seed_warehouse):  # noqa: F811
    for name, spec in TABLES.items():
        path = seed_warehouse / f"{name}.parquet"
        schema = pq.read_schema(path)
        assert schema.names == spec.column_names
        assert schema.metadata[b"label_zh"].decode() == spec.label_zh
        for col in spec.columns:
            field = schema.field(col.name)
            assert field.type == col.type, (name, col.name)
            meta = {k.decode(): v.decode() for k, v in field.metadata.items()}
            assert meta == {"label_zh": col.label_zh, "meaning": col.meaning, "unit": col.unit}
        parquet = pq.ParquetFile(path).metadata
        codecs = {parquet.row_group(g).column(c).compression
                  for g in range(parquet.num_row_groups) for c in range(parquet.num_columns)}
        assert codecs <= {"ZSTD"}, (name, codecs)


def test_types_an_analyst_can_trust():
    for name, spec in TABLES.items():
        for col in spec.columns:
            where = f"{name}.{col.name}"
            if col.name.endswith("_yuan"):
                assert col.type == MONEY and col.unit == "元", where
            if col.name.endswith("_pct"):
                assert pa.types.is_decimal(col.type) and col.unit == "%", where
            if col.name.endswith("_date"):
                assert pa.types.is_date32(col.type), where
            if col.name == "fiscal_year":
                assert pa.types.is_integer(col.type), where
            if col.unit == "points":
                assert pa.types.is_decimal(col.type), where
            if (name, col.name) in LOW_CARDINALITY:
                assert pa.types.is_dictionary(col.type), where


def test_chinese_labels_are_unique_within_each_table():
    # XLSX exports use them as headers and map them back to column names.
    for name, spec in TABLES.items():
        repeated = [label for label, n in Counter(c.label_zh for c in spec.columns).items() if n > 1]
        assert not repeated, (name, repeated)
        assert all(c.label_zh and c.meaning for c in spec.columns), name


def test_every_view_column_has_a_meaning():
    assert undocumented_view_columns() == []


def test_view_columns_inherit_from_the_right_table():
    docs = {v.name: {c.name: c for c in v.columns} for v in view_docs()}
    assert docs["indicators_in_context"]["weight"].origin == "indicators.weight"
    assert docs["indicators_in_context"]["fiscal_year"].origin == "projects.fiscal_year"
    assert docs["project_overview"]["budget_full_year_yuan"].unit == "元"
    assert docs["project_overview"]["quality_findings"].origin == ""  # commented in views.sql


def test_views_are_created_on_an_empty_warehouse():
    con = catalog()
    try:
        for view in view_sources(VIEWS_SQL.read_text(encoding="utf-8")):
            assert con.execute(f"SELECT count(*) FROM {view}").fetchall() == [(0,)]
    finally:
        con.close()


def test_data_dictionary_doc_is_up_to_date():
    assert DOCS_PATH.exists(), "run: python -m pipeline.dictionary_docs"
    assert DOCS_PATH.read_text(encoding="utf-8") == render_data_dictionary(), (
        "docs/data-dictionary.md is stale: run python -m pipeline.dictionary_docs"
    )


def test_data_dictionary_doc_covers_every_table_column_and_view():
    text = DOCS_PATH.read_text(encoding="utf-8")
    for name, spec in TABLES.items():
        assert f"### `{name}` · {spec.label_zh}" in text
        for col in spec.columns:
            assert f"| `{col.name}` |" in text
    for view in view_sources(VIEWS_SQL.read_text(encoding="utf-8")):
        assert f"### `{view}` · " in text
