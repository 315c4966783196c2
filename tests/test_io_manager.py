"""The asset graph's IO manager: tables as memory-mapped Arrow files, other values pickled."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from upath import UPath

from assets.io_manager import ARROW_MAGIC, ArrowFilesIOManager
from pipeline.parse_stage import RawInventory


def _manager(tmp_path: Path) -> ArrowFilesIOManager:
    return ArrowFilesIOManager(str(tmp_path))


def test_a_table_is_written_as_arrow_and_read_back_without_a_copy(tmp_path: Path):
    manager = _manager(tmp_path)
    table = pa.table({"project_id": [f"p{i}" for i in range(100_000)], "seq": pa.array([i % 40 for i in range(100_000)], pa.int16())})
    path = UPath(tmp_path / "indicators")
    manager.dump_to_path(None, table, path)
    assert path.read_bytes()[: len(ARROW_MAGIC)] == ARROW_MAGIC
    allocated = pa.total_allocated_bytes()
    loaded = manager.load_from_path(None, path)
    assert pa.total_allocated_bytes() == allocated  # memory-mapped, not read into Arrow's pool
    assert loaded.equals(table) and loaded.schema == table.schema


def test_other_values_are_pickled(tmp_path: Path):
    manager = _manager(tmp_path)
    inventory = RawInventory(files=[], manifest={}, manifest_problems=["a problem"])
    path = UPath(tmp_path / "raw_files")
    manager.dump_to_path(None, inventory, path)
    assert manager.load_from_path(None, path) == inventory


def test_a_table_still_mapped_survives_the_next_run_writing_the_same_asset(tmp_path: Path):
    manager = _manager(tmp_path)
    path = UPath(tmp_path / "projects")
    manager.dump_to_path(None, pa.table({"n": [1, 2, 3]}), path)
    first = manager.load_from_path(None, path)
    manager.dump_to_path(None, pa.table({"n": [4]}), path)
    assert first.column("n").to_pylist() == [1, 2, 3]  # its file was replaced, not overwritten
    assert manager.load_from_path(None, path).column("n").to_pylist() == [4]
    assert [p.name for p in tmp_path.iterdir()] == ["projects"]  # no temporary file left
