"""The database file publishing writes (pipeline/warehouse.py): how its tables are stored."""

from __future__ import annotations

import duckdb
from seed_warehouse import seed_warehouse  # noqa: F401 - fixture

from pipeline.warehouse import DB_NAME, DISABLED_COMPRESSION


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
