"""A table stored as Arrow files ("parts"), hard-linking the files it was mapped from.

A patched build's tables are the previous build's snapshot shards, memory-mapped,
with a few rows replaced (``incremental.splice`` keeps the untouched rows zero-copy).
Writing such a table out again, as the asset graph hands it from step to step,
copied 0.86 GB at 100,000 reports (1.5-1.9 s of a one-changed-file run) into new
files holding the same bytes as files already on disk.

``write_parts`` asks the kernel which file each of the table's record batches lies
in (``/proc/self/maps``). When consecutive batches are exactly every batch of one
Arrow file, in order (the same bytes of the same file, the same offsets and lengths),
that file is hard-linked as a part; every other run of batches is written as a new
part. ``read_parts`` maps the parts and concatenates them: zero-copy again.

This relies on mapped Arrow files never being rewritten in place: the snapshot and
the step outputs are written into new files, then renamed or linked. Where
``/proc/self/maps`` or hard links are missing (another system, another file system),
every part is written, as before.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyarrow import feather

MAPS = Path("/proc/self/maps")
#: Smaller files are written again, not linked: checking a file's layout (opening it) and
#: linking it (and unlinking it later) cost more than writing its bytes. At 100,000 reports
#: the snapshot's shards of source_files and parse_notes hold 0.1-0.3 MB, those of scores,
#: funds, projects and indicators 1.3-14 MB.
LINK_MIN_BYTES = 1 << 20

#: One array's place in a file: offset, length, each buffer's (file offset, size), and the
#: layout of its dictionary (of a dictionary-encoded array; else None).
ArrayLayout = tuple[int, int, tuple[tuple[int, int] | None, ...], "ArrayLayout | None"]
BatchLayout = tuple[ArrayLayout, ...]


@dataclass(frozen=True)
class Mapping:
    """One line of ``/proc/self/maps``: a file mapped at [start, end) from ``offset``."""

    start: int
    end: int
    offset: int
    device: int
    inode: int
    path: str


def file_mappings(maps: Path | None = None) -> list[Mapping]:
    """The mappings of files listed in ``maps`` (this process's, by default), ordered by
    address; none where there is no such listing."""
    try:
        lines = (maps or MAPS).read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or fields[4] == "0" or not fields[5].startswith("/") or fields[5].endswith(" (deleted)"):
            continue
        start, end = (int(part, 16) for part in fields[0].split("-"))
        major, minor = (int(part, 16) for part in fields[3].split(":"))
        found.append(Mapping(start, end, int(fields[2], 16), os.makedev(major, minor), int(fields[4]), fields[5]))
    return sorted(found, key=lambda m: m.start)


class _AddressMap:
    """Which mapped file an address lies in."""

    def __init__(self, mappings: list[Mapping]):
        self.mappings = mappings
        self.starts = [m.start for m in mappings]

    def mapping_of(self, address: int) -> Mapping | None:
        at = bisect_right(self.starts, address) - 1
        if at >= 0 and address < self.mappings[at].end:
            return self.mappings[at]
        return None


def _nests_a_dictionary(kind: pa.DataType) -> bool:
    return any(pa.types.is_dictionary(kind.field(i).type) or _nests_a_dictionary(kind.field(i).type)
               for i in range(kind.num_fields))


def _array_layout(array: pa.Array, place) -> ArrayLayout | None:
    """The array's layout with ``place(buffer)`` for each buffer, or None if a buffer has no
    place (or a dictionary hides below the top level, where ``buffers()`` does not reach)."""
    spots = []
    for buffer in array.buffers():
        if buffer is None or buffer.size == 0:
            spots.append(None)
            continue
        spot = place(buffer)
        if spot is None:
            return None
        spots.append(spot)
    dictionary = None
    if pa.types.is_dictionary(array.type):  # the same indices with another dictionary are other values
        dictionary = _array_layout(array.dictionary, place)
        if dictionary is None:
            return None
    elif _nests_a_dictionary(array.type):
        return None
    return array.offset, len(array), tuple(spots), dictionary


def _mapped_layout(batch: pa.RecordBatch, addresses: _AddressMap) -> tuple[Mapping, BatchLayout] | None:
    """The one file every buffer of ``batch`` is mapped from, and the batch's layout in it."""
    files: set[tuple[int, int]] = set()
    first: list[Mapping] = []

    def place(buffer: pa.Buffer) -> tuple[int, int] | None:
        mapping = addresses.mapping_of(buffer.address)
        if mapping is None or buffer.address + buffer.size > mapping.end:
            return None
        files.add((mapping.device, mapping.inode))
        first.append(mapping)
        return buffer.address - mapping.start + mapping.offset, buffer.size

    layout = tuple(_array_layout(column, place) for column in batch.columns)
    if not first or len(files) != 1 or any(part is None for part in layout):
        return None
    return first[0], layout


def _file_layout(path: str, schema: pa.Schema) -> list[BatchLayout] | None:
    """The layout of every batch of the Arrow file at ``path`` (None unless it holds ``schema``)."""
    try:
        with pa.memory_map(path) as source:
            base = source.read_buffer(1).address  # the mapping's first byte
            reader = pa.ipc.open_file(source)
            if not reader.schema.equals(schema, check_metadata=True):
                return None

            def place(buffer: pa.Buffer) -> tuple[int, int]:
                return buffer.address - base, buffer.size

            return [tuple(_array_layout(column, place) for column in reader.get_batch(i).columns)
                    for i in range(reader.num_record_batches)]
    except (OSError, pa.ArrowInvalid):
        return None


def _same_file(path: str, device: int, inode: int) -> bool:
    try:
        found = os.stat(path)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (device, inode)


def _linked(mapping: Mapping, dest: Path) -> bool:
    """Whether the file ``mapping`` maps is now also at ``dest`` (it may have gone or been replaced)."""
    if not _same_file(mapping.path, mapping.device, mapping.inode):
        return False
    try:
        os.link(mapping.path, dest)
    except OSError:
        return False
    if _same_file(str(dest), mapping.device, mapping.inode):
        return True
    dest.unlink()  # replaced between the check and the link
    return False


def write_parts(table: pa.Table, folder: Path) -> list[str]:
    """``table`` as Arrow files in ``folder`` (which must exist and be empty), in order;
    returns their names. Files the table's batches are all mapped from are hard-linked."""
    addresses = _AddressMap(file_mappings())
    batches = table.to_batches()
    layouts: dict[tuple[int, int], list[BatchLayout] | None] = {}  # by (device, inode)
    names: list[str] = []
    pending: list[pa.RecordBatch] = []

    def add_part() -> Path:
        names.append(f"{len(names):05d}.arrow")
        return folder / names[-1]

    def write_pending() -> None:
        if pending:
            feather.write_feather(pa.Table.from_batches(pending, table.schema), add_part(), compression="uncompressed")
            pending.clear()

    at = 0
    while at < len(batches):
        found = _mapped_layout(batches[at], addresses) if addresses.mappings else None
        if found is not None and found[0].end - found[0].start >= LINK_MIN_BYTES:
            mapping, layout = found
            identity = (mapping.device, mapping.inode)
            if identity not in layouts:  # (read at its path only while the path holds that file)
                same = _same_file(mapping.path, *identity)
                layouts[identity] = _file_layout(mapping.path, table.schema) if same else None
            whole = layouts[identity]
            if whole and whole[0] == layout and _layouts_from(batches, at + 1, len(whole) - 1, mapping,
                                                              addresses) == whole[1:]:
                write_pending()
                part = add_part()
                if _linked(mapping, part):
                    at += len(whole)
                    continue
                names.pop()
        pending.append(batches[at])
        at += 1
    write_pending()
    if not names:  # no rows: the schema still needs a file
        feather.write_feather(table.schema.empty_table(), add_part(), compression="uncompressed")
    return names


def _layouts_from(batches: list[pa.RecordBatch], at: int, count: int, mapping: Mapping,
                  addresses: _AddressMap) -> list[BatchLayout] | None:
    """The layouts of ``count`` batches from ``at``, if they all lie in ``mapping``'s file."""
    if at + count > len(batches):
        return None
    layouts = []
    for batch in batches[at:at + count]:
        found = _mapped_layout(batch, addresses)
        if found is None or (found[0].device, found[0].inode) != (mapping.device, mapping.inode):
            return None
        layouts.append(found[1])
    return layouts


def read_parts(folder: Path, names: list[str]) -> pa.Table:
    """The table ``write_parts`` wrote, memory-mapped."""
    return pa.concat_tables([feather.read_table(folder / name, memory_map=True) for name in names])
