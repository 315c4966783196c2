"""The DuckDB file of a build: every table copied in with its comments from the data
dictionary, the views of views.sql (the expensive ones precomputed as tables), built
from the Parquet files, started from tables in memory beside other work, or patched
from a published build's database.

``pipeline.warehouse`` decides where the file goes and publishes it with the rest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.schema import TABLES

VIEWS_SQL = Path(__file__).with_name("views.sql")
#: The oldest storage format the database file is written in: DuckDB 1.0 and later clients
#: (the 1.x CLI from PyPI, the JDBC / ODBC drivers BI tools bundle) can open it, not only 2.0.
STORAGE_VERSION = "v1.0.0"
#: DuckDB's memory while it builds the database (the run's tables are in memory beside it):
#: measured at 100,000 reports, 800 MB builds as fast as 1 GB or no limit (which took 1.9 GB);
#: 600 MB took 25 % longer.
BUILD_MEMORY_LIMIT = "800MB"
#: Compression DuckDB does not try while it builds the database. FSST (a string compression)
#: is the costliest to analyse and apply: at 100,000 reports, without it the database builds
#: in 7.2-7.6 s instead of 8.6-9.5 s (2-3 CPU-seconds less) and the example queries run as
#: fast or faster (no strings to decompress), for a file of 348 MB instead of 283 MB. The
#: strings are still dictionary-compressed where that pays.
DISABLED_COMPRESSION = "fsst"
#: DuckDB's memory and threads while it loads tables beside other work (``start_database``).
#: At 100,000 reports, loading all but the findings from the tables in memory took 4.7 s and
#: 99 MB more memory this way (150 MB: 4.5 s and 182 MB; 48 MB: 83 MB; 32 MB ran out); from
#: their Parquet files 4.3 s and 430 MB, and 2.9 s and 525 MB with the build's settings.
#: What it needs grows with a row group's width, not with the number of reports; should it
#: run out, the build loads those tables with the rest instead (``start_database``).
BACKGROUND_MEMORY_LIMIT = "64MB"
BACKGROUND_THREADS = 1


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements(table_name: str) -> list[str]:
    """``COMMENT ON`` for a table and its columns, from the data dictionary."""
    spec = TABLES[table_name]
    text = f"{spec.label_zh} | {spec.meaning}"
    out = [f"COMMENT ON TABLE {table_name} IS {sql_string(text)}"]
    for col in spec.columns:
        unit = f" [{col.unit}]" if col.unit else ""
        out.append(f"COMMENT ON COLUMN {table_name}.{col.name} IS {sql_string(f'{col.label_zh} | {col.meaning}{unit}')}")
    return out


#: Views too slow to compute at query time: each is stored once per build as the table
#: ``precomputed_<view>`` (with the view's comments), and the view then reads that table.
#: Their definitions stay in views.sql, so the views still compute live on any other database.
PRECOMPUTED_PREFIX = "precomputed_"
PRECOMPUTED_VIEWS = ("project_lineage", "project_budget_history", "indicators_in_context")
#: Precomputed views whose every row comes from one source file's rows (it has their
#: source_file): a patched database replaces the touched files' rows in them, not all rows.
PER_FILE_VIEWS = ("indicators_in_context",)
#: Precomputed views whose rows follow from those of a few agencies and units: a report is
#: linked to its predecessor only within its implementing unit, or within its agency where a
#: unit is missing (views.sql), so a patched database computes them again only for the reports
#: of every agency and unit the touched files' reports (before and after) reach (``_reach``).
PER_REACH_VIEWS = ("project_lineage",)
TOUCHED = "touched_files"  # the relation naming the touched files while a database is patched
REPLACED = "replaced_projects"  # the projects of the touched files before the patch (their project_id)
#: Precomputed views stored with the rows a question reads first, in its order: view ->
#: (condition, order). Only those rows are sorted, the others follow unsorted (sorting all
#: 1.9 million indicators of 100,000 reports took 1.6 s longer); the question then reads the
#: first row groups only, and sorts rows already in order (docs/queries/03).
STORED_FIRST = {
    "indicators_in_context": ("target_met = false",
                              "coalesce(agency, department), fiscal_year, project_name, project_id, seq"),
}


def _relation_comments(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str | None, list[tuple[str, str]]]:
    (comment,) = con.execute(
        "SELECT comment FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()
    columns = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? "
        "AND comment IS NOT NULL ORDER BY column_index", [name]).fetchall()
    return comment, columns


def _apply_comments(con: duckdb.DuckDBPyConnection, kind: str, relation: str, comment: str | None,
                    columns: list[tuple[str, str]]) -> None:
    if comment:
        con.execute(f"COMMENT ON {kind} {relation} IS {sql_string(comment)}")
    for column, text in columns:
        con.execute(f"COMMENT ON COLUMN {relation}.{column} IS {sql_string(text)}")


def precompute_views(con: duckdb.DuckDBPyConnection, patching: bool = False) -> None:
    """Store each of ``PRECOMPUTED_VIEWS`` as a table and point the view at it (comments kept on both).

    ``patching``: the tables exist already and the views of ``PER_FILE_VIEWS`` only get the
    rows of the touched files (``TOUCHED``) again; the other tables were dropped.
    """
    for name in PRECOMPUTED_VIEWS:
        comment, columns = _relation_comments(con, name)
        stored = f"{PRECOMPUTED_PREFIX}{name}"
        if patching and name in PER_FILE_VIEWS:
            touched = f"source_file IN (SELECT source_file FROM {TOUCHED})"
            con.execute(f"DELETE FROM {stored} WHERE {touched}")
            con.execute(f"INSERT INTO {stored} SELECT * FROM {name} WHERE {touched}")
        elif patching and name in PER_REACH_VIEWS:
            _recompute_reach(con, name, stored)
        else:
            _store(con, name, stored)
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {stored}")
        _apply_comments(con, "TABLE", stored, comment, columns)
        _apply_comments(con, "VIEW", name, comment, columns)


#: A report's unit as views.sql's project_lineage compares them (its agency: coalesce(agency, department)).
_UNIT = r"regexp_replace(coalesce(implementing_unit, ''), '\s+', '', 'g')"


def _recompute_reach(con: duckdb.DuckDBPyConnection, view: str, stored: str) -> None:
    """The rows of ``stored`` of the reports the touched files reach (``_reach``) computed
    again, from those reports alone: the view reads temporary ``projects`` and ``funds`` that
    hold only them (temporary tables come first in DuckDB's search path)."""
    reached = _reach(con)
    con.execute(f"DELETE FROM {stored} WHERE project_id IN (SELECT project_id FROM {reached}) "
                f"OR project_id IN (SELECT project_id FROM {REPLACED})")
    for table in ("projects", "funds"):
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM warehouse.main.{table} "
                    f"WHERE project_id IN (SELECT project_id FROM {reached})")
    try:
        con.execute(f"INSERT INTO {stored} SELECT * FROM {view}")
    finally:
        for table in ("projects", "funds", reached):
            con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")


def _reach(con: duckdb.DuckDBPyConnection) -> str:
    """A temporary table of the project_id of every report sharing an agency or a unit with
    a touched file's report (before or after the patch), with one that does, and so on: the
    reports whose precomputed lineage may change. Its name."""
    keys, found, reached = "reach_keys", "reach_found", "reached_projects"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {keys} AS SELECT project_id, coalesce(agency, department) AS agency, "
                f"{_UNIT} AS unit FROM warehouse.main.projects")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {found} AS
        SELECT agency, unit FROM {keys} WHERE project_id IN (
            SELECT project_id FROM warehouse.main.projects WHERE source_file IN (SELECT source_file FROM {TOUCHED}))
        UNION
        SELECT agency, {_UNIT} FROM {PRECOMPUTED_PREFIX}project_lineage
        WHERE project_id IN (SELECT project_id FROM {REPLACED})""")
    while True:
        (added,) = con.execute(f"""INSERT INTO {found}
            SELECT DISTINCT agency, unit FROM {keys}
            WHERE agency IN (SELECT agency FROM {found}) OR (unit <> '' AND unit IN (SELECT unit FROM {found}))
            EXCEPT SELECT agency, unit FROM {found}""").fetchone()
        if not added:
            break
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {reached} AS SELECT project_id FROM {keys}
        WHERE agency IN (SELECT agency FROM {found}) OR (unit <> '' AND unit IN (SELECT unit FROM {found}))""")
    con.execute(f"DROP TABLE {keys}")
    con.execute(f"DROP TABLE {found}")
    return reached


def _store(con: duckdb.DuckDBPyConnection, view: str, stored: str) -> None:
    """The view's rows as the table ``stored`` (in the order ``STORED_FIRST`` gives, if any)."""
    if view not in STORED_FIRST:
        con.execute(f"CREATE TABLE {stored} AS SELECT * FROM {view}")
        return
    condition, order = STORED_FIRST[view]
    con.execute(f"CREATE TABLE {stored} AS SELECT * FROM {view} WHERE {condition} ORDER BY {order}")
    con.execute(f"INSERT INTO {stored} SELECT * FROM {view} WHERE ({condition}) IS NOT TRUE")


def _attach(db_path: Path, memory_limit: str = BUILD_MEMORY_LIMIT, threads: int | None = None
            ) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": memory_limit, **({"threads": threads} if threads else {})})
    con.execute("SET enable_progress_bar = false")  # long statements drew one into the build's output
    con.execute(f"SET disabled_compression_methods = {sql_string(DISABLED_COMPRESSION)}")
    con.execute(f"ATTACH {sql_string(str(db_path))} AS warehouse (STORAGE_VERSION {sql_string(STORAGE_VERSION)})")
    con.execute("USE warehouse")
    return con


def _detach(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CHECKPOINT")
    con.execute("USE memory")
    con.execute("DETACH warehouse")


def _create_views(con: duckdb.DuckDBPyConnection, patching: bool = False) -> None:
    """The views of views.sql with their comments, the expensive ones precomputed."""
    if not VIEWS_SQL.exists():
        return
    from pipeline.dictionary_docs import view_column_comment_statements  # imports this module

    con.execute(VIEWS_SQL.read_text(encoding="utf-8"))
    for statement in view_column_comment_statements(con):
        con.execute(statement)
    precompute_views(con, patching)


def _create_table(con: duckdb.DuckDBPyConnection, name: str, source: str) -> None:
    """The table ``name`` made of the rows of ``source`` (SQL), with its comments."""
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {source}")
    for statement in comment_statements(name):
        con.execute(statement)


def _load_tables(con: duckdb.DuckDBPyConnection, parquet_paths: dict[str, Path]) -> None:
    """Each table copied in from its Parquet file, with its comments."""
    for name, path in parquet_paths.items():
        _create_table(con, name, f"read_parquet({sql_string(str(path))})")


def build_database(parquet_paths: dict[str, Path], db_path: Path) -> None:
    """A self-contained DuckDB file: tables copied in (no paths inside), comments, views.

    The expensive views are precomputed here, once per build (see ``PRECOMPUTED_VIEWS``).
    ``db_path`` may hold some tables already (``start_database``): the others are added.
    """
    con = _attach(db_path)
    try:
        _load_tables(con, parquet_paths)
        _create_views(con)
        _detach(con)
    finally:
        con.close()


def start_database(tables: dict[str, pa.Table], db_path: Path) -> bool:
    """The first tables of a database (``build_database`` adds the others and the views),
    copied in from memory with little memory and one thread: it runs beside other work.
    False, and no database file, if DuckDB ran out of that memory."""
    try:
        con = _attach(db_path, BACKGROUND_MEMORY_LIMIT, BACKGROUND_THREADS)
        try:
            for name, table in tables.items():  # (dictionary-encoded columns become VARCHAR, as from Parquet)
                with _registered(con, table) as incoming:
                    _create_table(con, name, incoming)
            _detach(con)
        finally:
            con.close()
    except duckdb.OutOfMemoryException:
        for path in (db_path, db_path.with_name(db_path.name + ".wal")):
            path.unlink(missing_ok=True)
        return False
    return True


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> Iterator[str]:
    """The name under which ``rows`` can be read in SQL, while the block runs."""
    con.register("incoming_rows", rows)
    try:
        yield "incoming_rows"
    finally:
        con.unregister("incoming_rows")


@dataclass
class DatabasePatch:
    """How a new build differs from a published one: in each table of ``rows``, the rows
    of ``touched`` files (and those matching the table's ``also_replaced`` SQL condition)
    are replaced by the table's ``rows``."""

    base: Path  # the published warehouse.duckdb to start from
    touched: list[str]
    rows: dict[str, pa.Table]
    also_replaced: dict[str, str] = field(default_factory=dict)


def patch_database(patch: DatabasePatch, db_path: Path) -> None:
    """A copy of the published database with the touched files' rows replaced and the
    precomputed views computed again: the same content ``build_database`` gives."""
    shutil.copyfile(patch.base, db_path)
    _patch(patch, db_path, views=True)


def patch_more_tables(patch: DatabasePatch, db_path: Path) -> None:
    """The touched files' rows of more tables replaced in a database ``patch_database`` made
    (tables no precomputed view reads, such as the findings: the views are not computed again)."""
    assert not set(patch.rows) & {"projects", "funds", "indicators"}, "the precomputed views read these"
    _patch(patch, db_path, views=False)


def _patch(patch: DatabasePatch, db_path: Path, views: bool) -> None:
    con = _attach(db_path)
    try:
        con.register(TOUCHED, pa.table({"source_file": pa.array(patch.touched, pa.string())}))
        if views:
            con.execute(f"CREATE TEMP TABLE {REPLACED} AS SELECT project_id FROM projects "
                        f"WHERE source_file IN (SELECT source_file FROM {TOUCHED})")
            for name in PRECOMPUTED_VIEWS:
                if name not in PER_FILE_VIEWS + PER_REACH_VIEWS:
                    con.execute(f"DROP TABLE IF EXISTS {PRECOMPUTED_PREFIX}{name}")
        for name, rows in patch.rows.items():
            condition = f"source_file IN (SELECT source_file FROM {TOUCHED})"
            if name in patch.also_replaced:
                condition = f"{condition} OR ({patch.also_replaced[name]})"
            con.execute(f"DELETE FROM {name} WHERE {condition}")
            _insert(con, name, rows)
        if views:
            _create_views(con, patching=True)
        _detach(con)
    finally:
        con.close()


def _insert(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> None:
    with _registered(con, rows) as incoming:
        con.execute(f"INSERT INTO {name} SELECT * FROM {incoming}")
