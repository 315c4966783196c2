"""A table as Arrow parts: the files it was mapped from are hard-linked, the rest written."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyarrow import feather

import pipeline.arrow_parts as arrow_parts
from pipeline.arrow_parts import file_mappings, read_parts, write_parts

SCHEMA = pa.schema([("source_file", pa.string()), ("seq", pa.int32()), ("amount", pa.decimal128(20, 2))],
                   metadata={"table": "t"})


@pytest.fixture(autouse=True)
def link_any_size(monkeypatch: pytest.MonkeyPatch):
    """The files here are small: linked whatever their size, unless a test says otherwise."""
    monkeypatch.setattr(arrow_parts, "LINK_MIN_BYTES", 0)


def _rows(start: int, count: int) -> pa.Table:
    return pa.table({
        "source_file": [f"f{i:05d}" for i in range(start, start + count)],
        "seq": pa.array([i % 7 if i % 5 else None for i in range(start, start + count)], pa.int32()),
        "amount": pa.array([None if i % 3 == 0 else i * 100 for i in range(start, start + count)], pa.decimal128(20, 2)),
    }, schema=SCHEMA)


def _mapped_files(folder: Path, sizes: list[int]) -> list[pa.Table]:
    """One Arrow file per size (consecutive rows), each read back memory-mapped."""
    folder.mkdir(exist_ok=True)
    tables, start = [], 0
    for number, size in enumerate(sizes):
        path = folder / f"{number:05d}.arrow"
        feather.write_feather(_rows(start, size), path, compression="uncompressed")
        tables.append(feather.read_table(path, memory_map=True))
        start += size
    return tables


def _inode(path: Path) -> tuple[int, int]:
    found = os.stat(path)
    return found.st_dev, found.st_ino


def _written(table: pa.Table, folder: Path) -> tuple[list[str], pa.Table]:
    folder.mkdir()
    names = write_parts(table, folder)
    return names, read_parts(folder, names)


def test_a_table_of_whole_mapped_files_is_stored_as_links_to_them(tmp_path: Path):
    source = tmp_path / "snapshot"
    table = pa.concat_tables(_mapped_files(source, [300, 1, 250]))
    names, back = _written(table, tmp_path / "parts")
    assert back.equals(table) and back.schema.equals(table.schema, check_metadata=True)
    assert [_inode(tmp_path / "parts" / name) for name in names] == [_inode(p) for p in sorted(source.iterdir())]


def test_only_the_files_a_patch_touched_are_written(tmp_path: Path):
    source = tmp_path / "snapshot"
    first, middle, last = _mapped_files(source, [100, 100, 100])
    replaced = pa.concat_tables([middle.slice(0, 40), _rows(140, 3).slice(0, 3), middle.slice(60)])  # rows 40-59 -> 3 rows
    table = pa.concat_tables([first, replaced, last])
    names, back = _written(table, tmp_path / "parts")
    assert back.equals(table)
    inodes = [_inode(tmp_path / "parts" / name) for name in names]
    assert inodes[0] == _inode(source / "00000.arrow") and inodes[-1] == _inode(source / "00002.arrow")
    assert len(names) == 3 and inodes[1] not in {_inode(p) for p in source.iterdir()}


def test_a_table_in_memory_is_written(tmp_path: Path):
    table = pa.concat_tables([_rows(0, 50), _rows(50, 70)])
    names, back = _written(table, tmp_path / "parts")
    assert back.equals(table) and len(names) == 1
    assert os.stat(tmp_path / "parts" / names[0]).st_nlink == 1


def test_an_empty_table_keeps_its_schema(tmp_path: Path):
    names, back = _written(SCHEMA.empty_table(), tmp_path / "parts")
    assert len(names) == 1 and back.num_rows == 0 and back.schema.equals(SCHEMA, check_metadata=True)


def test_part_of_a_file_is_written_not_linked(tmp_path: Path):
    path = tmp_path / "two-batches.arrow"
    with pa.ipc.new_file(path, SCHEMA) as writer:  # one file, two record batches
        writer.write_table(_rows(0, 10))
        writer.write_table(_rows(10, 10))
    first_batch_only = feather.read_table(path, memory_map=True).slice(0, 10)
    names, back = _written(first_batch_only, tmp_path / "parts")
    assert back.equals(first_batch_only)
    assert _inode(tmp_path / "parts" / names[0]) != _inode(path)


def test_a_file_of_another_schema_is_not_linked(tmp_path: Path):
    mapped = _mapped_files(tmp_path / "snapshot", [20])[0]
    renamed = mapped.replace_schema_metadata({"table": "other"})  # the same buffers, another schema
    names, back = _written(renamed, tmp_path / "parts")
    assert back.equals(renamed) and back.schema.metadata == {b"table": b"other"}
    assert _inode(tmp_path / "parts" / names[0]) != _inode(tmp_path / "snapshot" / "00000.arrow")


def test_a_file_replaced_since_it_was_mapped_is_not_linked(tmp_path: Path):
    mapped = _mapped_files(tmp_path / "snapshot", [30])[0]
    path = tmp_path / "snapshot" / "00000.arrow"
    other = tmp_path / "other.arrow"
    feather.write_feather(_rows(500, 30), other, compression="uncompressed")
    os.replace(other, path)  # another file at the mapped file's path
    names, back = _written(mapped, tmp_path / "parts")
    assert back.equals(mapped) and back.column("source_file")[0].as_py() == "f00000"
    assert _inode(tmp_path / "parts" / names[0]) != _inode(path)


def test_without_the_process_maps_every_part_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    table = pa.concat_tables(_mapped_files(tmp_path / "snapshot", [10, 10]))
    monkeypatch.setattr(arrow_parts, "MAPS", tmp_path / "no-such-file")
    names, back = _written(table, tmp_path / "parts")
    assert back.equals(table)
    assert all(os.stat(tmp_path / "parts" / name).st_nlink == 1 for name in names)


def test_file_mappings_reads_the_mapped_files_of_a_maps_listing(tmp_path: Path):
    maps = tmp_path / "maps"
    maps.write_text(
        "7f0000000000-7f0000001000 r--p 00000000 fe:00 7864514    /data/snapshot/indicators/00036.arrow\n"
        "7f0000002000-7f0000003000 r--p 00001000 fe:00 7864514    /data/snapshot/indicators/00036.arrow\n"
        "7e0000000000-7e0000001000 rw-p 00000000 00:00 0 \n"
        "7d0000000000-7d0000001000 r--p 00000000 fe:00 123    /data/gone.arrow (deleted)\n"
        "7c0000000000-7c0000001000 r--p 00000000 00:00 0    [heap]\n"
    )
    found = file_mappings(maps)
    assert [(m.start, m.end, m.offset, m.inode) for m in found] == [
        (0x7F0000000000, 0x7F0000001000, 0, 7864514), (0x7F0000002000, 0x7F0000003000, 0x1000, 7864514)]
    assert found[0].device == os.makedev(0xFE, 0) and found[0].path == "/data/snapshot/indicators/00036.arrow"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
       cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200), st.booleans()), max_size=6))
def test_any_mix_of_mapped_slices_and_new_rows_reads_back_equal(tmp_path_factory, sizes, cuts):
    folder = tmp_path_factory.mktemp("mix")
    whole = pa.concat_tables(_mapped_files(folder / "snapshot", sizes))
    pieces = [whole]
    for start, length, fresh in cuts:
        pieces.append(_rows(1000 + start, length % 30) if fresh else whole.slice(start % whole.num_rows, length))
    table = pa.concat_tables(pieces)
    names, back = _written(table, folder / "parts")
    assert back.equals(table) and back.schema.equals(table.schema, check_metadata=True)
    linked = {_inode(folder / "parts" / name) for name in names} & {_inode(p) for p in (folder / "snapshot").iterdir()}
    assert len(linked) == len(sizes)  # the whole table at the front: every file linked once


def test_where_files_cannot_be_linked_the_rows_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    table = pa.concat_tables(_mapped_files(tmp_path / "snapshot", [10, 10]))

    def cross_device(source, dest):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(arrow_parts.os, "link", cross_device)
    names, back = _written(table, tmp_path / "parts")
    assert back.equals(table)
    assert all(os.stat(tmp_path / "parts" / name).st_nlink == 1 for name in names)


def test_files_below_the_linking_size_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    small, large = _mapped_files(tmp_path / "snapshot", [10, 40_000])
    sizes = [os.stat(p).st_size for p in sorted((tmp_path / "snapshot").iterdir())]
    monkeypatch.setattr(arrow_parts, "LINK_MIN_BYTES", (sizes[0] + sizes[1]) // 2)
    names, back = _written(pa.concat_tables([small, large]), tmp_path / "parts")
    assert back.equals(pa.concat_tables([small, large]))
    linked = [_inode(tmp_path / "parts" / name) == _inode(tmp_path / "snapshot" / "00001.arrow") for name in names]
    assert linked == [False, True]


def test_mapped_indices_with_another_dictionary_are_written(tmp_path: Path):
    path = tmp_path / "coded.arrow"
    coded = pa.table({"status": pa.array(["parsed", "duplicate", "parsed"]).dictionary_encode()})
    feather.write_feather(coded, path, compression="uncompressed")
    mapped = feather.read_table(path, memory_map=True)
    indices = mapped.column("status").chunk(0).indices  # the file's bytes, read as other values
    relabelled = pa.table({"status": pa.DictionaryArray.from_arrays(indices, pa.array(["quarantined", "parsed"]))})
    names, back = _written(relabelled, tmp_path / "parts")
    assert back.column("status").to_pylist() == ["quarantined", "parsed", "quarantined"]
    assert _inode(tmp_path / "parts" / names[0]) != _inode(path)
    names, back = _written(mapped, tmp_path / "parts-of-the-file")  # the file's own batch: linked
    assert back.equals(mapped) and _inode(tmp_path / "parts-of-the-file" / names[0]) == _inode(path)


def test_a_nested_dictionary_is_never_linked(tmp_path: Path):
    path = tmp_path / "nested.arrow"
    nested = pa.table({"s": pa.StructArray.from_arrays([pa.array(["a", "b"]).dictionary_encode()], names=["code"])})
    feather.write_feather(nested, path, compression="uncompressed")
    mapped = feather.read_table(path, memory_map=True)
    names, back = _written(mapped, tmp_path / "parts")
    assert back.equals(mapped) and _inode(tmp_path / "parts" / names[0]) != _inode(path)
