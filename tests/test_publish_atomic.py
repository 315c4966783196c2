"""Atomic, idempotent publishing: kill the build anywhere, the warehouse stays whole.

A build is started in a child process (``tests/publish_driver.py``) and
SIGKILLed at each stage of writing and publishing. Afterwards the warehouse
must answer read-only DuckDB queries exactly as before the killed run (or, once
``current`` was switched, exactly as the complete new build) - never a mix.
Two runs on the same input give byte-for-byte equal query results and the
same project ids, and an analyst's open read-only connection neither breaks a
rebuild nor sees its view change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.ingest import mark_duplicates, parse_all  # noqa: E402
from pipeline.quality.findings import find_all  # noqa: E402
from pipeline.sources import discover, read_manifest  # noqa: E402
from pipeline.tables import build_tables  # noqa: E402
from pipeline.warehouse import CURRENT, DB_NAME, VERSIONS, publish  # noqa: E402
from tests.runs import ROOT, copy_seeds, seed_text  # noqa: E402

DRIVER = Path(__file__).resolve().parent / "publish_driver.py"
BAD_FILES = ("bad_10_random_bytes.bin", "bad_25_one_of_four_mangled.txt", "dup_01_seed000_gbk.txt")
#: Kill points before ``current`` is switched: the old warehouse must be untouched.
BEFORE_SWITCH = ["after_tables", "mid_parquet", "mid_database", "after_rename"]
#: Kill points after it: the new warehouse is complete and published.
AFTER_SWITCH = ["after_switch", "before_prune"]


def snapshot(warehouse_dir: Path) -> bytes:
    """Every table and view of warehouse.duckdb, fully ordered, as bytes; plus the
    Parquet entry links, which must hold the same rows as the database."""
    con = duckdb.connect(str(warehouse_dir / DB_NAME), read_only=True)
    try:
        names = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables ORDER BY table_name"
        ).fetchall()
        parts = [repr(names)]
        for name, kind in names:
            rows = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
            parts.append(f"{name}:{rows!r}")
            parquet = warehouse_dir / f"{name}.parquet"
            if kind == "BASE TABLE" and parquet.exists():
                from_parquet = con.execute(f"SELECT * FROM read_parquet('{parquet}') ORDER BY ALL").fetchall()
                assert from_parquet == rows, f"{name}.parquet and the database disagree"
    finally:
        con.close()
    return "\n".join(parts).encode("utf-8")


def project_ids(warehouse_dir: Path) -> list[str]:
    con = duckdb.connect(str(warehouse_dir / DB_NAME), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT project_id FROM projects ORDER BY ALL").fetchall()]
    finally:
        con.close()


def build_in_process(raw: Path, warehouse_dir: Path) -> Path:
    manifest, _ = read_manifest(raw)
    tables = dict(build_tables(mark_duplicates(parse_all(discover(raw))), manifest).arrow)
    tables["quality_findings"] = find_all(tables)
    return publish(tables, warehouse_dir)


def run_driver(raw: Path, warehouse_dir: Path, mode: str = "quick", crash_at: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, CRASH_AT=crash_at)
    return subprocess.run(
        [sys.executable, str(DRIVER), str(raw), str(warehouse_dir), mode],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def add_new_report(raw: Path) -> None:
    """Input the killed runs would change the warehouse with (a new project)."""
    text = seed_text("001").replace("12333热线全媒体智能咨询平台项目经费", "新增的热线项目经费")
    (raw / "new_report.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def raws(tmp_path_factory) -> tuple[Path, Path]:
    """The input of the published warehouse, and a changed input for killed runs."""
    base = tmp_path_factory.mktemp("inputs")
    old = copy_seeds(base / "old")
    for name in BAD_FILES:
        shutil.copyfile(ROOT / "tests" / "bad_inputs" / "files" / name, old / name)
    new = base / "new"
    shutil.copytree(old, new)
    add_new_report(new)
    return old, new


@pytest.fixture(scope="module")
def expected(raws, tmp_path_factory) -> tuple[bytes, bytes]:
    """Snapshots of complete builds of the old and of the new input."""
    base = tmp_path_factory.mktemp("expected")
    old, new = raws
    build_in_process(old, base / "old")
    build_in_process(new, base / "new")
    return snapshot(base / "old"), snapshot(base / "new")


def assert_whole(warehouse_dir: Path) -> None:
    """current points at a complete published version; entry links resolve into it."""
    current = (warehouse_dir / CURRENT).resolve()
    assert current.parent.name == VERSIONS and not current.name.startswith(".")
    assert (warehouse_dir / DB_NAME).resolve() == current / DB_NAME
    for link in warehouse_dir.glob("*.parquet"):
        assert link.resolve().parent == current and link.resolve().exists()


def test_a_build_killed_anywhere_leaves_a_whole_warehouse(raws, expected, tmp_path):
    old_raw, new_raw = raws
    old_snapshot, new_snapshot = expected
    warehouse_dir = tmp_path / "warehouse"
    build_in_process(old_raw, warehouse_dir)
    assert snapshot(warehouse_dir) == old_snapshot
    for point in BEFORE_SWITCH:
        killed = run_driver(new_raw, warehouse_dir, crash_at=point)
        assert killed.returncode == -9, (point, killed.stderr[-2000:])
        assert_whole(warehouse_dir)
        assert snapshot(warehouse_dir) == old_snapshot, f"killed at {point}: the previous warehouse changed"
    for point in AFTER_SWITCH:
        killed = run_driver(new_raw, warehouse_dir, crash_at=point)
        assert killed.returncode == -9, (point, killed.stderr[-2000:])
        assert_whole(warehouse_dir)
        assert snapshot(warehouse_dir) == new_snapshot, f"killed at {point}: the new warehouse is not whole"
    finished = run_driver(old_raw, warehouse_dir)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert snapshot(warehouse_dir) == old_snapshot
    versions = warehouse_dir / VERSIONS
    assert not list(versions.glob(".staging-*")), "staging leftovers of killed runs are cleaned up"
    assert len([p for p in versions.iterdir()]) <= 2


def test_repeated_kills_after_the_rename_never_prune_the_published_version(raws, expected, tmp_path):
    """Unswitched versions left by killed runs must not push the live one out."""
    old_raw, new_raw = raws
    warehouse_dir = tmp_path / "warehouse"
    build_in_process(old_raw, warehouse_dir)
    for point in ["after_rename", "after_rename", "mid_parquet"]:
        assert run_driver(new_raw, warehouse_dir, crash_at=point).returncode == -9
        assert_whole(warehouse_dir)
        assert snapshot(warehouse_dir) == expected[0], f"killed at {point}"


def test_the_real_build_killed_mid_run_keeps_the_previous_warehouse(raws, expected, tmp_path):
    """``build_warehouse`` as ``make run`` runs it (integrity checks, Data Docs),
    killed by the clock while it runs, then run to the end."""
    old_raw, new_raw = raws
    warehouse_dir = tmp_path / "warehouse"
    build_in_process(old_raw, warehouse_dir)
    child = subprocess.Popen(
        [sys.executable, str(DRIVER), str(new_raw), str(warehouse_dir), "full"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(2.5)  # imports and parsing done; validating
    child.kill()
    child.wait(timeout=60)
    assert_whole(warehouse_dir)
    assert snapshot(warehouse_dir) == expected[0]
    finished = run_driver(new_raw, warehouse_dir, mode="full")
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert snapshot(warehouse_dir) == expected[1]


def test_two_runs_give_byte_equal_results_and_the_same_project_ids(raws, tmp_path):
    old_raw, _ = raws
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_driver(old_raw, first).returncode == 0
    build_in_process(old_raw, second)
    build_in_process(old_raw, second)  # and once more over itself
    assert snapshot(first) == snapshot(second)
    assert project_ids(first) == project_ids(second) and project_ids(first)
    for table in (first / CURRENT).glob("*.parquet"):
        assert table.read_bytes() == (second / CURRENT / table.name).read_bytes(), table.name


def test_an_open_reader_neither_blocks_a_rebuild_nor_sees_it(raws, expected, tmp_path):
    old_raw, new_raw = raws
    warehouse_dir = tmp_path / "warehouse"
    build_in_process(old_raw, warehouse_dir)
    reader = duckdb.connect(str(warehouse_dir / DB_NAME), read_only=True)
    reader_version = (warehouse_dir / CURRENT).resolve().name
    try:
        query = "SELECT project_id, project_name, source_file FROM projects ORDER BY ALL"
        before = reader.execute(query).fetchall()
        finished = run_driver(new_raw, warehouse_dir)  # another process rebuilds while we read
        assert finished.returncode == 0, finished.stderr[-2000:]
        assert reader.execute(query).fetchall() == before
        build_in_process(new_raw, warehouse_dir)
        build_in_process(new_raw, warehouse_dir)  # the reader's version is pruned now
        assert not (warehouse_dir / VERSIONS / reader_version).exists()
        assert reader.execute(query).fetchall() == before
        assert reader.execute("SELECT count(*) FROM indicators").fetchone()[0] > 0
    finally:
        reader.close()
    assert snapshot(warehouse_dir) == expected[1]
