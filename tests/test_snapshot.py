"""The tables' snapshot (``pipeline.snapshot``): shards at file-name boundaries, read back
exactly, and a patched build's untouched shards hard-linked from the build it patched."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import pipeline.build as build
import pipeline.snapshot as snapshot
from pipeline.schema import TABLES
from pipeline.snapshot import BOUNDS, SNAPSHOT, SnapshotBase, read_snapshot, write_snapshot
from pipeline.synthetic import generate_file, plan
from tests.runs import synthetic_corpus_fixtures

SEED, N = 11, 60


corpus, raw = synthetic_corpus_fixtures(N, SEED)


@pytest.fixture
def small_shards(monkeypatch) -> int:
    monkeypatch.setattr(snapshot, "SHARD_FILES", 4)
    return 4


def _decoded(table: pa.Table) -> pa.Table:
    """Dictionary columns as their values: chunks spliced from two builds carry different
    dictionaries, which a shard's file unifies (the values are the same)."""
    return pa.table({f.name: table.column(f.name).cast(f.type.value_type) if pa.types.is_dictionary(f.type)
                     else table.column(f.name) for f in table.schema})


def _same_tables(back: dict[str, pa.Table] | None, tables: dict[str, pa.Table]) -> bool:
    return back is not None and all(back[name].schema == tables[name].schema
                                    and _decoded(back[name]).equals(_decoded(tables[name])) for name in TABLES)


def _build(raw: Path, warehouse: Path) -> build.BuildReport:
    return build.build_warehouse(raw, warehouse, cache_dir=None)


def _shard_files(folder: Path, table: str) -> list[Path]:
    return sorted((folder / SNAPSHOT / table).glob("*.arrow"))


def _replace(raw: Path, index: int, seed: int) -> str:
    entry = plan(N, SEED)[index]
    (raw / entry.source_file).write_bytes(generate_file(seed, entry).data)
    return entry.source_file


def test_tables_are_cut_at_every_shard_files_th_file_and_read_back_exactly(raw, tmp_path, small_shards):
    report = _build(raw, tmp_path / "wh")
    files = sorted(report.tables["source_files"].column("source_file").to_pylist())
    bounds = json.loads((report.folder / SNAPSHOT / BOUNDS).read_text(encoding="utf-8"))
    assert bounds == ["", *files[small_shards::small_shards]]
    assert len(_shard_files(report.folder, "indicators")) == len(bounds) > 2
    assert len(_shard_files(report.folder, "quality_findings")) == 1  # stored whole
    first_rows = snapshot.read_snapshot_table(report.folder, "indicators")
    assert first_rows.column("source_file").num_chunks >= len(bounds) - 1  # one chunk (at least) per non-empty shard
    back = read_snapshot(report.folder)
    assert back is not None and all(back[name].equals(report.tables[name]) for name in TABLES)


def test_a_shard_holds_exactly_the_rows_of_its_files(raw, tmp_path, small_shards):
    report = _build(raw, tmp_path / "wh")
    bounds = json.loads((report.folder / SNAPSHOT / BOUNDS).read_text(encoding="utf-8"))
    for shard, path in enumerate(_shard_files(report.folder, "funds")):
        names = set(pa.ipc.open_file(path).read_all().column("source_file").to_pylist())
        upper = bounds[shard + 1] if shard + 1 < len(bounds) else None
        assert all(bounds[shard] <= name and (upper is None or name < upper) for name in names)


def test_a_patched_build_links_the_shards_it_did_not_touch(raw, tmp_path, small_shards):
    first = _build(raw, tmp_path / "wh")
    changed = _replace(raw, 9, SEED + 1000)
    second = _build(raw, tmp_path / "wh")
    assert second.incremental
    bounds = json.loads((second.folder / SNAPSHOT / BOUNDS).read_text(encoding="utf-8"))
    touched = max(i for i, bound in enumerate(bounds) if bound <= changed)
    for name in TABLES:
        before, after = _shard_files(first.folder, name), _shard_files(second.folder, name)
        assert [p.name for p in before] == [p.name for p in after]
        linked = {p.name for p, q in zip(before, after) if p.stat().st_ino == q.stat().st_ino}
        if name in snapshot.WHOLE:
            assert not linked
        else:
            assert linked == {p.name for i, p in enumerate(after) if i != touched}
    assert _same_tables(read_snapshot(second.folder), second.tables)
    _replace(raw, 9, SEED + 2000)  # and a build patched from the patched one
    third = _build(raw, tmp_path / "wh")
    assert third.incremental
    assert _same_tables(read_snapshot(third.folder), third.tables)


def test_a_build_written_in_several_calls_keeps_one_set_of_bounds(raw, tmp_path, small_shards):
    tables = _build(raw, tmp_path / "wh").tables
    folder = tmp_path / "build"
    folder.mkdir()
    write_snapshot({n: t for n, t in tables.items() if n != "quality_findings"}, folder)
    write_snapshot({"quality_findings": tables["quality_findings"]}, folder)
    back = read_snapshot(folder)
    assert back is not None and all(back[name].equals(tables[name]) for name in TABLES)


@pytest.mark.parametrize("name, shard", [("a", 0), ("b", 1), ("c", 1), ("d", 2), ("zz", 2)])
def test_a_touched_file_lies_in_the_shard_of_the_last_bound_not_after_it(name, shard):
    assert snapshot._touched_shards(["", "b", "d"], [name]) == {shard}


def test_a_base_with_other_bounds_is_not_linked(raw, tmp_path, small_shards, monkeypatch):
    tables = _build(raw, tmp_path / "wh").tables
    base = tmp_path / "base"
    base.mkdir()
    write_snapshot(tables, base)
    (base / SNAPSHOT / BOUNDS).write_text(json.dumps(["", "zzz"]), encoding="utf-8")  # not this build's
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / SNAPSHOT).mkdir()
    (folder / SNAPSHOT / BOUNDS).write_text(json.dumps(snapshot._bounds_of(tables)), encoding="utf-8")
    write_snapshot(tables, folder, SnapshotBase(base, []))
    assert not any(p.stat().st_nlink > 1 for p in (folder / SNAPSHOT).rglob("*.arrow"))
    back = read_snapshot(folder)
    assert back is not None and all(back[name].equals(tables[name]) for name in TABLES)


def test_a_missing_shard_or_an_older_layout_is_no_snapshot(raw, tmp_path, small_shards):
    report = _build(raw, tmp_path / "wh")
    _shard_files(report.folder, "scores")[1].unlink()
    assert read_snapshot(report.folder) is None
    (report.folder / SNAPSHOT / BOUNDS).unlink()  # the layout before shards: one file per table
    assert read_snapshot(report.folder) is None
