"""A full build (``pipeline.build.WarehouseRun``) writes its tables' files while the findings
are computed: into a hidden staging folder, published only when every check passes."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

import pipeline.build as build
import pipeline.database as database
import pipeline.warehouse as warehouse
from pipeline.snapshot import SNAPSHOT, read_snapshot
from pipeline.schema import TABLES
from pipeline.validated_publish import IntegrityFailed
from pipeline.warehouse import VERSIONS
from tests.published import fail_validation, published_state
from tests.runs import copy_seeds


@pytest.fixture
def raw(tmp_path) -> Path:
    return copy_seeds(tmp_path / "raw")


def _full_build(raw: Path, warehouse: Path) -> build.BuildReport:
    return build.build_warehouse(raw, warehouse, cache_dir=None, incremental=False)


def _staged_files(warehouse: Path) -> set[str]:
    return {p.name for staging in (warehouse / VERSIONS).glob(".staging-*") for p in staging.iterdir()}


def test_the_tables_are_written_while_the_findings_are_computed(raw, tmp_path, monkeypatch):
    real_findings = build.findings_of
    seen: list[set[str]] = []

    def findings_once_the_files_are_written(tables, patch=None):
        deadline = time.monotonic() + 60
        while "indicators.parquet" not in _staged_files(tmp_path / "wh") and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(_staged_files(tmp_path / "wh"))
        return real_findings(tables, patch)

    monkeypatch.setattr(build, "findings_of", findings_once_the_files_are_written)
    report = _full_build(raw, tmp_path / "wh")
    assert "indicators.parquet" in seen[0] and "quality_findings.parquet" not in seen[0]
    published = {p.name for p in report.folder.iterdir()}
    assert {f"{name}.parquet" for name in TABLES} <= published and SNAPSHOT in published
    snapshot = read_snapshot(report.folder)  # every table, findings included: the next run can patch
    assert snapshot is not None
    assert all(snapshot[name].equals(report.tables[name]) for name in TABLES)
    assert not list((tmp_path / "wh" / VERSIONS).glob(".staging-*"))


def test_a_full_build_that_fails_validation_leaves_nothing_behind(raw, tmp_path, monkeypatch):
    _full_build(raw, tmp_path / "wh")
    before = published_state(tmp_path / "wh")
    fail_validation(monkeypatch)
    with pytest.raises(IntegrityFailed):
        _full_build(raw, tmp_path / "wh")
    assert published_state(tmp_path / "wh") == before, "nothing published, no staging folder left"
    monkeypatch.undo()
    assert _full_build(raw, tmp_path / "wh").folder != before[0]  # the lock was released


def test_a_full_build_whose_findings_crash_leaves_nothing_behind(raw, tmp_path, monkeypatch):
    _full_build(raw, tmp_path / "wh")
    before = published_state(tmp_path / "wh")

    def crash(tables, patch=None):
        raise MemoryError("out of memory")

    monkeypatch.setattr(build, "findings_of", crash)
    with pytest.raises(MemoryError):
        _full_build(raw, tmp_path / "wh")
    assert published_state(tmp_path / "wh") == before
    monkeypatch.undo()
    assert _full_build(raw, tmp_path / "wh").folder != before[0]


def test_a_full_build_whose_early_writes_fail_publishes_nothing(raw, tmp_path, monkeypatch):
    _full_build(raw, tmp_path / "wh")
    before = published_state(tmp_path / "wh")

    def disk_full(tables, folder):
        raise OSError("disk full")

    monkeypatch.setattr(build, "write_all_parquet", disk_full)
    with pytest.raises(OSError, match="disk full"):
        _full_build(raw, tmp_path / "wh")
    assert published_state(tmp_path / "wh") == before
    monkeypatch.undo()
    assert _full_build(raw, tmp_path / "wh").folder != before[0]


def test_an_early_database_load_out_of_memory_still_publishes_the_whole_database(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(database, "BACKGROUND_MEMORY_LIMIT", "1MB")
    report = _full_build(raw, tmp_path / "wh")
    con = duckdb.connect(str(report.folder / warehouse.DB_NAME), read_only=True)
    try:
        stored = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        indicators = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
    finally:
        con.close()
    assert set(TABLES) <= stored and indicators == report.tables["indicators"].num_rows > 0
