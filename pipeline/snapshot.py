"""The tables' snapshot: what the next run maps and patches (``pipeline.incremental``).

Each table is stored as uncompressed Arrow files, which the next run memory-maps
instead of reading. Every table but ``quality_findings`` is ordered by source file,
and the snapshot cuts each of them into *shards* at the same file names: a shard
holds the rows of the files from its first file (included) to the next shard's
(excluded). The full build that writes a snapshot chooses the boundaries (every
``SHARD_FILES``-th file of its ``source_files`` table); a patched build keeps those
of the build it patched, writes the shards that hold a touched file and hard-links
the others from that build: their rows are the same (``incremental.splice`` keeps
the untouched files' rows as they were).

Writing the whole 0.85 GB snapshot of a 100,000-report build took a one-changed-file
rebuild 1.4-2.5 s (page cache allocation and copying, beside validation and the
database patch); with 37 shards it writes about a thirtieth of the sharded tables.
``quality_findings`` is stored whole (one shard): a patch recomputes cross-report
findings of untouched reports too, and its rows are not ordered by file alone.

Layout: ``snapshot/bounds.json`` (the shards' first files, the first one ``""``) and
``snapshot/<table>/<shard number>.arrow``.
"""

from __future__ import annotations

import json
import os
import shutil
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

from pipeline.schema import TABLES

SNAPSHOT = "snapshot"
BOUNDS = "bounds.json"
#: Source files per shard (37 shards at 100,000 reports, one for a handful of files).
SHARD_FILES = 1000
#: Tables stored as one shard: their rows are not ordered by source file alone, or rows
#: of untouched files change when a build is patched.
WHOLE = ("quality_findings",)


@dataclass(frozen=True)
class SnapshotBase:
    """The published build a patched build was made from, and the files it touched: the
    shards of ``folder``'s snapshot holding none of them are hard-linked, not written."""

    folder: Path
    touched: list[str]


def _shard_path(target: Path, table: str, shard: int) -> Path:
    return target / table / f"{shard:05d}.arrow"


class SortedNames(Sequence):
    """A column of file names sorted by name, read one value at a time (for ``bisect``)."""

    def __init__(self, column: pa.ChunkedArray) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i):  # type: ignore[override]
        return self.column[i].as_py()


def _bounds_of(tables: dict[str, pa.Table]) -> list[str]:
    """Shard boundaries for a full build: every ``SHARD_FILES``-th of its files."""
    files = tables.get("source_files")
    names = sorted(set(files.column("source_file").to_pylist())) if files is not None else []
    return ["", *names[SHARD_FILES::SHARD_FILES]]


def read_bounds(folder: Path) -> list[str] | None:
    """The shard boundaries of the snapshot in build ``folder`` (None if unreadable)."""
    try:
        bounds = json.loads((folder / SNAPSHOT / BOUNDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(bounds, list) and bounds[:1] == [""] and all(isinstance(b, str) for b in bounds)
    return bounds if ok and bounds == sorted(bounds) else None


def _chosen_bounds(target: Path, tables: dict[str, pa.Table], base: SnapshotBase | None) -> list[str]:
    """The boundaries of the snapshot being written: those already written into ``target``
    (a build writes its tables in several calls), else the patched build's, else new ones."""
    bounds = read_bounds(target.parent)
    if bounds is None and base is not None:
        bounds = read_bounds(base.folder)
    if bounds is None:
        bounds = _bounds_of(tables)
    (target / BOUNDS).write_text(json.dumps(bounds, ensure_ascii=False), encoding="utf-8")
    return bounds


def _touched_shards(bounds: list[str], touched: list[str]) -> set[int]:
    """The shards whose file range holds one of ``touched``."""
    return {bisect_right(bounds, name) - 1 for name in touched}


def _row_offsets(table: pa.Table, bounds: list[str]) -> list[int]:
    """Where each shard's rows start in ``table`` (ordered by source_file), and its end."""
    names = SortedNames(table.column("source_file"))
    return [0, *(bisect_left(names, bound) for bound in bounds[1:]), table.num_rows]


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:  # another file system, or no hard links: the bytes are the same
        shutil.copyfile(source, dest)


def write_snapshot(tables: dict[str, pa.Table], folder: Path, base: SnapshotBase | None = None) -> None:
    """``tables`` into the snapshot of build ``folder`` (a build may write its tables in
    several calls; ``read_snapshot`` wants them all). With the ``base`` a patched build
    was made from, shards without a touched file are hard-linked from it."""
    target = folder / SNAPSHOT
    target.mkdir(exist_ok=True)
    bounds = _chosen_bounds(target, tables, base)
    reusable = base is not None and read_bounds(base.folder) == bounds
    touched = _touched_shards(bounds, base.touched) if base is not None else set()
    for name, table in tables.items():
        (target / name).mkdir(exist_ok=True)
        if name in WHOLE:
            feather.write_feather(table, _shard_path(target, name, 0), compression="uncompressed")
            continue
        offsets = _row_offsets(table, bounds)
        for shard in range(len(bounds)):
            previous = _shard_path(base.folder / SNAPSHOT, name, shard) if reusable else None
            if previous is not None and shard not in touched and previous.exists():
                _link_or_copy(previous, _shard_path(target, name, shard))
                continue
            rows = table.slice(offsets[shard], offsets[shard + 1] - offsets[shard])
            feather.write_feather(rows, _shard_path(target, name, shard), compression="uncompressed")


def read_snapshot_table(folder: Path, name: str) -> pa.Table:
    """One table of the snapshot of build ``folder``, memory-mapped (its shards' chunks in
    order). Raises OSError if it is missing, pa.ArrowInvalid if it is damaged."""
    bounds = read_bounds(folder)
    if bounds is None:
        raise OSError(f"no readable snapshot in {folder}")
    shards = 1 if name in WHOLE else len(bounds)
    parts = [feather.read_table(_shard_path(folder / SNAPSHOT, name, shard), memory_map=True) for shard in range(shards)]
    return pa.concat_tables(parts)


def read_snapshot(folder: Path) -> dict[str, pa.Table] | None:
    """Every table of the snapshot of build ``folder``; None when one is missing, damaged
    or not of the data dictionary's schema."""
    try:
        tables = {name: read_snapshot_table(folder, name) for name in TABLES}
    except (OSError, pa.ArrowInvalid):
        return None
    if any(tables[name].schema != TABLES[name].schema for name in TABLES):
        return None
    return tables
