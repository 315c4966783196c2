"""The database file of a build (pipeline/database.py): how its tables are stored."""

from __future__ import annotations

import duckdb
from seed_warehouse import seed_tables, seed_warehouse  # noqa: F401 - fixture

import pipeline.database as database
from pipeline.database import DISABLED_COMPRESSION, build_database, start_database
from pipeline.warehouse import DB_NAME, write_all_parquet


def _segments(db_path) -> list[tuple[str, str, str]]:
    """(table, column, compression) of every stored column segment."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return [(table, column, compression) for table in tables
                for column, compression in con.execute(
                    f"SELECT column_name, compression FROM pragma_storage_info('{table}')").fetchall()]
    finally:
        con.close()


def test_strings_are_stored_without_the_compression_the_build_skips(seed_warehouse):  # noqa: F811
    segments = _segments(seed_warehouse / DB_NAME)
    assert {table for table, _, _ in segments} >= {"projects", "indicators", "precomputed_indicators_in_context"}
    skipped = {method.strip().upper() for method in DISABLED_COMPRESSION.split(",")}
    assert not [s for s in segments if s[2].upper() in skipped]
    assert any(s[2].upper() == "DICTIONARY" for s in segments)  # strings are still compressed where it pays


def _contents(db_path) -> dict:
    """Every table's and view's rows (sorted), columns and comments."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        relations = con.execute("SELECT table_name, comment FROM duckdb_tables() UNION ALL "
                                "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
        columns = con.execute("SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
                              "ORDER BY table_name, column_index").fetchall()
        rows = {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name, _ in relations}
        return {"relations": relations, "columns": columns, "rows": rows}
    finally:
        con.close()


def test_a_database_started_early_and_completed_equals_one_built_at_once(tmp_path):
    """``start_database`` loads some tables (from memory) beside other work, ``build_database``
    the rest (from Parquet) and the views: the same database as one ``build_database`` of
    every table."""
    tables = seed_tables()
    at_once, in_two = tmp_path / "at_once", tmp_path / "in_two"
    at_once.mkdir(), in_two.mkdir()
    build_database(write_all_parquet(tables, at_once), at_once / DB_NAME)
    paths = write_all_parquet(tables, in_two)
    start_database({name: table for name, table in tables.items() if name != "quality_findings"}, in_two / DB_NAME)
    build_database({"quality_findings": paths["quality_findings"]}, in_two / DB_NAME)
    expected = _contents(at_once / DB_NAME)
    assert expected["rows"]["indicators"] and expected["rows"]["precomputed_indicators_in_context"]
    assert _contents(in_two / DB_NAME) == expected


def test_a_database_start_that_runs_out_of_memory_leaves_no_file(tmp_path, monkeypatch):
    """The early load gets little memory; if that is not enough, nothing is left half-made
    and the whole database is built afterwards."""
    monkeypatch.setattr(database, "BACKGROUND_MEMORY_LIMIT", "1MB")
    tables = seed_tables()
    assert start_database({"indicators": tables["indicators"]}, tmp_path / DB_NAME) is False
    assert list(tmp_path.iterdir()) == []
    build_database(write_all_parquet(tables, tmp_path), tmp_path / DB_NAME)
    assert _contents(tmp_path / DB_NAME)["rows"]["indicators"]


def _reached(projects: list[tuple], lineage: list[tuple], touched: list[str], tmp_path) -> set[str]:
    """``database._reach`` on a database of ``projects`` (project_id, agency, department,
    implementing_unit, source_file), after the patch, and the stored lineage rows
    (project_id, agency, implementing_unit) from before it."""
    con = database._attach(tmp_path / DB_NAME)
    try:
        con.execute("CREATE TABLE projects (project_id VARCHAR, agency VARCHAR, department VARCHAR, "
                    "implementing_unit VARCHAR, source_file VARCHAR)")
        con.executemany("INSERT INTO projects VALUES (?, ?, ?, ?, ?)", projects)
        con.execute("CREATE TABLE precomputed_project_lineage (project_id VARCHAR, agency VARCHAR, "
                    "implementing_unit VARCHAR)")
        if lineage:
            con.executemany("INSERT INTO precomputed_project_lineage VALUES (?, ?, ?)", lineage)
        con.execute(f"CREATE TEMP TABLE {database.TOUCHED} AS SELECT unnest(?::VARCHAR[]) AS source_file", [touched])
        con.execute(f"CREATE TEMP TABLE {database.REPLACED} AS SELECT project_id FROM precomputed_project_lineage "
                    "WHERE project_id NOT IN (SELECT project_id FROM projects)")
        return {project_id for (project_id,) in con.execute(f"SELECT project_id FROM {database._reach(con)}").fetchall()}
    finally:
        con.close()


def test_a_patch_reaches_the_reports_that_share_an_agency_or_a_unit_with_a_touched_one_and_so_on(tmp_path):
    projects = [
        ("new", "A", None, "unit 1", "touched.txt"),
        ("a-same-unit-elsewhere", "B", None, "unit1", "b.txt"),  # units compare without spaces
        ("b-via-the-unit", "B", None, "unit 9", "b2.txt"),  # agency B is reached through unit 1
        ("a-other-unit", "A", None, "unit 2", "a.txt"),  # same agency: reached
        ("dept-only", None, "C", "", "c.txt"),  # agency from the department
        ("c-other", None, "C", "unit 3", "c2.txt"),
        ("d-unrelated", "D", None, "unit 4", "d.txt"),
        ("no-agency", None, None, "unit 5", "e.txt"),
    ]
    before = [("old", "C", " "), *[(p[0], p[1] or p[2], p[3]) for p in projects if p[0] != "new"]]
    reached = _reached(projects, before, ["touched.txt"], tmp_path)
    # the touched file held a report of agency C before: C's reports are reached too
    assert reached == {"new", "a-same-unit-elsewhere", "b-via-the-unit", "a-other-unit", "dept-only", "c-other"}


def test_a_report_without_an_agency_reaches_only_its_unit(tmp_path):
    projects = [("new", None, None, "unit 5", "touched.txt"), ("same-unit", "E", None, "unit5", "e.txt"),
                ("e-other", "E", None, "unit 6", "e2.txt"), ("no-agency-other", None, None, "unit 7", "x.txt")]
    reached = _reached(projects, [], ["touched.txt"], tmp_path)
    assert reached == {"new", "same-unit", "e-other"}
