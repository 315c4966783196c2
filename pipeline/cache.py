"""A content-addressed cache of per-file parse results.

Each raw file's result is stored under the SHA-256 of its bytes *and* a
fingerprint of the parser code, so an unchanged file is never parsed twice and
a change to any parser invalidates every entry automatically. Entries hold the
result packed (``pipeline.packed``): as the worker processes send it back.

Entries are appended to *segments*, never written one file each: creating a file
cost the kernel 0.3-0.7 ms here (a fifth to a third of parsing the file), appending
0.01 ms. A segment is a pair of files named alike in the version's folder:
``<name>.data`` holds the pickled results one after the other, ``<name>.index`` a
fixed-size entry per result (``_ENTRY``: the SHA-256, where its bytes start, how
many, their CRC-32). Each cache that stores anything opens a segment of its own (no
two writers share one); a result's entry is written after its bytes, so an entry
never points to bytes not yet written. Reading takes every index in name order
(names begin with the time they were opened), a later entry of a hash overriding an
earlier one; a torn last entry is ignored, and bytes changed since (their CRC-32) or
that do not load as the result asked for are a miss. Runs that parse a file or two
add small segments: past ``MAX_SEGMENTS`` they are merged (``ParseCache.compact``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from pipeline.ingest import FileResult, parse_raw_file, parse_stream
from pipeline.packed import PackedFile, pack, unpack
from pipeline.sources import RawFile

_PARSER_PACKAGES = ("families",)
_PARSER_MODULES = (
    "document.py",
    "text.py",
    "numbers.py",
    "vocabulary.py",
    "records.py",
    "packed.py",  # the form results are stored in
    "schema.py",
    "ingest.py",
    "sources.py",
    "decoding.py",
    "report_check.py",
    "report_contract.py",
)


#: How entries are stored (part of the fingerprint: a change of form leaves the old entries
#: to ``drop_other_versions``).
_STORAGE_FORMAT = "segments/2"


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Hash of the source of every module that shapes a parse result."""
    root = Path(__file__).parent
    files = [root / m for m in _PARSER_MODULES]
    for package in _PARSER_PACKAGES:
        files.extend(sorted((root / package).glob("*.py")))
    files.extend(sorted((root.parent / "expectations").glob("*.json")))  # the contract reports are held to
    digest = hashlib.sha256(_STORAGE_FORMAT.encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dumps(packed: PackedFile) -> bytes:
    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


#: The name of a cache version's folder: a parser fingerprint (``parser_fingerprint``).
_VERSION_NAME = re.compile(r"[0-9a-f]{16}")


#: An index entry: the SHA-256 of a file's bytes, then the offset, the length and the CRC-32
#: of its result in the segment's data file (bytes changed since are a miss).
_ENTRY = struct.Struct("<32sQQI")
_DATA, _INDEX = ".data", ".index"

#: ``ParseCache.compact``: a folder of more segments than this has its small ones merged.
MAX_SEGMENTS = 16
SMALL_SEGMENT_BYTES = 16 << 20

#: Where a result's bytes are: the segment's data file, the offset, the length, their CRC-32.
Location = tuple[Path, int, int, int]


class ParseCache:
    """The parse results stored by this parser code under ``folder`` (see the module's
    docstring). Close it (or use it as a context manager) once done storing."""

    def __init__(self, folder: Path):
        self.folder = folder / parser_fingerprint()
        self._entries: dict[bytes, Location] | None = None  # read on first use
        self._writer: _SegmentWriter | None = None
        self._unwritable = False

    def __enter__(self) -> ParseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the segment this cache writes to (if any); later ``put``s open another."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def compact(self, most: int | None = None, small: int | None = None) -> int:
        """With more than ``most`` segments, the entries of those under ``small`` bytes copied
        into one new segment and the small ones deleted (a run that parses a file or two adds
        a segment: this keeps their number, and what reading the index costs, bounded). The
        segments merged; 0 when there were few enough. Never fatal: a cache that cannot be
        compacted stays as it is (an entry lost is a miss, parsed again)."""
        most = MAX_SEGMENTS if most is None else most
        small = SMALL_SEGMENT_BYTES if small is None else small
        self.close()
        try:
            segments = sorted(self.folder.glob(f"*{_INDEX}"))
            if len(segments) <= most:
                return 0
            merged = [index for index in segments if _data_bytes(index) < small]
            if len(merged) < 2:
                return 0
            entries = _read_entries(self.folder, merged)
            writer = _SegmentWriter(self.folder)
            try:
                for key, location in entries.items():
                    data = _stored_bytes(location)
                    if data is not None:
                        writer.append(key, data)
            finally:
                writer.close()
            for index in merged:
                index.unlink(missing_ok=True)
                index.with_suffix(_DATA).unlink(missing_ok=True)
        except OSError:
            return 0
        finally:
            self._entries = None  # read again when next asked
        return len(merged)

    def drop_other_versions(self) -> list[Path]:
        """Delete the entries other parser code stored (the sibling folders named by another
        fingerprint): this code can never use them, and at 100,000 reports each version holds
        about 0.5 GB. Other files in the cache folder are left alone. The folders deleted."""
        try:
            stale = [path for path in self.folder.parent.iterdir()
                     if path.name != self.folder.name and _VERSION_NAME.fullmatch(path.name) and path.is_dir()]
        except OSError:  # no cache yet, or unreadable: nothing to drop
            return []
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return stale

    def _index(self) -> dict[bytes, Location]:
        if self._entries is None:
            self._entries = _read_entries(self.folder)
        return self._entries

    def location(self, sha256: str | None) -> Location | None:
        """Where the entry of these bytes is stored, if there is one."""
        key = _key(sha256)
        return self._index().get(key) if key is not None else None

    def has(self, sha256: str | None) -> bool:
        """Whether an entry exists (it may still turn out damaged: ``get`` says None then)."""
        return self.location(sha256) is not None

    def get(self, sha256: str | None, source_file: str) -> FileResult | None:
        packed = self.get_packed(sha256, source_file)
        return unpack(packed) if packed is not None else None

    def get_packed(self, sha256: str | None, source_file: str) -> PackedFile | None:
        """The stored result as it is stored (see ``pipeline.packed``); None if missing or damaged."""
        location = self.location(sha256)
        if location is None:
            return None
        data = _stored_bytes(location)
        if data is None:
            return None
        try:
            result: PackedFile = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a missing or damaged entry is a cache miss
            return None
        if not isinstance(result, PackedFile) or result.sha256 != sha256:
            return None
        result.source_file = source_file  # the same bytes may live under another name
        return result

    def put(self, result: FileResult) -> None:
        """Store a fresh parse result (before duplicates are marked: that is per run).

        A cache that cannot be written (disk full, read-only) is skipped, never fatal.
        """
        if result.sha256 is not None:
            self.put_dumped(result.sha256, _dumps(pack(result)))

    def put_dumped(self, sha256: str, data: bytes) -> None:
        """``put`` of a result already packed and pickled by ``_dumps``. After a failed write
        this cache stores nothing more (its segment may end in a torn entry)."""
        key = _key(sha256)
        if key is None or self._unwritable:
            return
        try:
            if self._writer is None:
                self._writer = _SegmentWriter(self.folder)
            location = self._writer.append(key, data)
        except OSError:
            self._unwritable = True
            self.close()
            return
        self._index()[key] = location


def _key(sha256: str | None) -> bytes | None:
    """The index key of a hex SHA-256 (None for anything else)."""
    if sha256 is None or len(sha256) != 64:
        return None
    try:
        return bytes.fromhex(sha256)
    except ValueError:
        return None


def _read_entries(folder: Path, indexes: list[Path] | None = None) -> dict[bytes, Location]:
    """The entries of ``indexes`` (by default every segment's), the later segments' winning;
    unreadable indexes are skipped."""
    entries: dict[bytes, Location] = {}
    if indexes is None:
        try:
            indexes = sorted(folder.glob(f"*{_INDEX}"))
        except OSError:
            return entries
    for index in indexes:
        try:
            raw = index.read_bytes()
        except OSError:
            continue
        data = index.with_suffix(_DATA)
        whole = len(raw) - len(raw) % _ENTRY.size  # a torn last entry is left out
        for key, offset, length, crc in _ENTRY.iter_unpack(memoryview(raw)[:whole]):
            entries[key] = (data, offset, length, crc)
    return entries


def _stored_bytes(location: Location) -> bytes | None:
    """The bytes of an entry; None if they cannot be read in full or were changed."""
    path, offset, length, crc = location
    try:
        with open(path, "rb") as handle:
            if offset + length > os.fstat(handle.fileno()).st_size:  # (a damaged index's entry)
                return None
            handle.seek(offset)
            data = handle.read(length)
    except OSError:
        return None
    return data if len(data) == length and zlib.crc32(data) == crc else None


def _data_bytes(index: Path) -> int:
    try:
        return index.with_suffix(_DATA).stat().st_size
    except OSError:
        return 0


class _SegmentWriter:
    """Appends entries to a new segment of ``folder``: its bytes to the data file, then
    its index entry (each one ``write`` call, unbuffered: nothing waits in this process)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(4).hex()}"
        self.data_path = folder / f"{stem}{_DATA}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
        self._data = os.open(self.data_path, flags, 0o644)
        try:
            self._index = os.open(folder / f"{stem}{_INDEX}", flags, 0o644)
        except OSError:
            os.close(self._data)
            raise
        self._size = 0

    def append(self, key: bytes, data: bytes) -> Location:
        offset, crc = self._size, zlib.crc32(data)
        _write_all(self._data, data)
        self._size += len(data)
        _write_all(self._index, _ENTRY.pack(key, offset, len(data), crc))
        return self.data_path, offset, len(data), crc

    def close(self) -> None:
        for fd in (self._data, self._index):
            try:
                os.close(fd)
            except OSError:
                pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def parse_and_dump(raw: RawFile) -> bytes:
    """Parse one file and return its result packed and pickled by ``_dumps``: what a worker
    process sends back. The parent stores these very bytes in the cache and loads them
    once (no second pickling)."""
    return _dumps(pack(parse_raw_file(raw)))


def parse_fresh(files: list[RawFile], cache: ParseCache | None, workers: int = 1) -> Iterator[PackedFile]:
    """Every file parsed (see ``ingest.parse_stream``), in the order of ``files``, packed
    (``pipeline.packed``), each result stored in ``cache`` (if any) before it is yielded
    (by this process: the workers only parse)."""
    if workers <= 1 or len(files) < 2:
        for result in map(pack, parse_stream(files)):
            if cache is not None and result.sha256 is not None:
                cache.put_dumped(result.sha256, _dumps(result))
            yield result
        return
    for data in parse_stream(files, workers, parse_and_dump):
        result: PackedFile = pickle.loads(data)
        if cache is not None and result.sha256 is not None:
            cache.put_dumped(result.sha256, data)
        yield result
