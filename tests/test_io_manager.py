"""The asset graph's IO manager: tables as memory-mapped Arrow files, other values pickled."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyarrow as pa
from pyarrow import feather
from upath import UPath

from assets import io_manager
from assets.io_manager import ARROW_MAGIC, PARTS_MAGIC, ArrowFilesIOManager
from pipeline.parse_stage import RawInventory


def _manager(tmp_path: Path) -> ArrowFilesIOManager:
    return ArrowFilesIOManager(str(tmp_path))


def test_a_table_is_written_as_arrow_and_read_back_without_a_copy(tmp_path: Path):
    manager = _manager(tmp_path)
    table = pa.table({"project_id": [f"p{i}" for i in range(100_000)], "seq": pa.array([i % 40 for i in range(100_000)], pa.int16())})
    path = UPath(tmp_path / "indicators")
    manager.dump_to_path(None, table, path)
    assert path.read_bytes().startswith(PARTS_MAGIC)
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
    # no temporary file left, and only the last table's parts (and the asset's lock file)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([_listing(path)["folder"], "projects", ".projects.lock"])


def _listing(path: UPath) -> dict:
    return json.loads(path.read_bytes()[len(PARTS_MAGIC):])


def _inodes(folder: Path) -> set[int]:
    return {os.stat(p).st_ino for p in folder.iterdir()}


def test_a_table_read_from_a_step_output_is_linked_not_copied(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("pipeline.arrow_parts.LINK_MIN_BYTES", 0)  # (a small table)
    manager = _manager(tmp_path)
    first, second = UPath(tmp_path / "indicators"), UPath(tmp_path / "indicators_again")
    table = pa.table({"source_file": [f"f{i}" for i in range(1000)], "seq": list(range(1000))})
    manager.dump_to_path(None, table, first)
    loaded = manager.load_from_path(None, first)  # memory-mapped from the first output's parts
    manager.dump_to_path(None, loaded, second)
    assert manager.load_from_path(None, second).equals(table)
    first_parts, second_parts = (tmp_path / _listing(p)["folder"] for p in (first, second))
    assert _inodes(second_parts) == _inodes(first_parts)  # hard links to the same files


def test_a_table_of_an_earlier_version_still_loads(tmp_path: Path):
    path = tmp_path / "projects"
    table = pa.table({"n": [1, 2, 3]})
    feather.write_feather(table, path, compression="uncompressed")  # one Arrow file, as written before parts
    assert path.read_bytes().startswith(ARROW_MAGIC)
    assert _manager(tmp_path).load_from_path(None, UPath(path)).equals(table)


def test_a_value_replacing_a_table_removes_its_parts(tmp_path: Path):
    manager = _manager(tmp_path)
    path = UPath(tmp_path / "changed_rows")
    manager.dump_to_path(None, pa.table({"n": [1]}), path)
    manager.dump_to_path(None, None, path)
    assert manager.load_from_path(None, path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".changed_rows.lock", "changed_rows"]


def test_parts_another_run_is_writing_are_kept_and_abandoned_ones_removed(tmp_path: Path):
    manager = _manager(tmp_path)
    path = UPath(tmp_path / "funds")
    other = tmp_path / ".funds.parts-another-run"  # a run writing the same asset right now
    other.mkdir()
    manager.dump_to_path(None, pa.table({"n": [1]}), path)
    manager.dump_to_path(None, pa.table({"n": [2]}), path)
    assert other.exists()
    day_ago = time.time() - io_manager.ABANDONED_SECONDS - 60
    os.utime(other, (day_ago, day_ago))  # that run stopped a day ago without listing it
    manager.dump_to_path(None, pa.table({"n": [3]}), path)
    assert not other.exists()
    assert sorted(p.name for p in tmp_path.glob(".funds.parts-*")) == [_listing(path)["folder"]]


def test_a_step_reads_the_new_table_when_another_run_replaced_the_one_it_listed(tmp_path: Path, monkeypatch):
    manager = _manager(tmp_path)
    path = UPath(tmp_path / "scores")
    manager.dump_to_path(None, pa.table({"n": [1]}), path)
    real_read_parts = io_manager.read_parts
    replaced = []

    def another_run_writes_first(folder, names):
        if not replaced:  # between reading the list and mapping its parts, another run replaces them
            replaced.append(True)
            manager.dump_to_path(None, pa.table({"n": [2]}), path)
        return real_read_parts(folder, names)

    monkeypatch.setattr(io_manager, "read_parts", another_run_writes_first)
    assert manager.load_from_path(None, path).column("n").to_pylist() == [2]
