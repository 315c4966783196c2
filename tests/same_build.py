"""What a patched build publishes must equal a full build of the same raw folder:
every Parquet file, and every table and view of warehouse.duckdb."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

import pipeline.build as build
from pipeline.schema import TABLES
from pipeline.database import PRECOMPUTED_VIEWS


def decoded(path: Path) -> pa.Table:
    """The table read back, dictionary columns as their values (dictionaries may be ordered differently)."""
    table = pq.read_table(path)
    assert table.schema == TABLES[path.stem].schema
    return pa.table({f.name: table.column(f.name).cast(f.type.value_type) if pa.types.is_dictionary(f.type)
                     else table.column(f.name) for f in table.schema})


def database_rows(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [*TABLES, *PRECOMPUTED_VIEWS, "indicators_in_context", "project_overview"]
        return {name: sorted(map(repr, con.sql(f"SELECT * FROM {name}").fetchall())) for name in names}
    finally:
        con.close()


def assert_same_as_full_build(raw: Path, published: Path, tmp_path: Path) -> None:
    full = build.build_warehouse(raw, tmp_path / "full", cache_dir=None, incremental=False).folder
    for name in TABLES:
        mine, theirs = decoded(published / f"{name}.parquet"), decoded(full / f"{name}.parquet")
        assert mine.schema == theirs.schema and mine.to_pylist() == theirs.to_pylist(), name
    assert database_rows(published / "warehouse.duckdb") == database_rows(full / "warehouse.duckdb")
