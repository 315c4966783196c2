"""A content-addressed cache of per-file parse results.

Each raw file's result is stored under the SHA-256 of its bytes *and* a
fingerprint of the parser code, so an unchanged file is never parsed twice and
a change to any parser invalidates every entry automatically. Entries hold the
result packed (``pipeline.packed``): as the worker processes send it back.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
from collections.abc import Iterator
from functools import lru_cache, partial
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


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Hash of the source of every module that shapes a parse result."""
    root = Path(__file__).parent
    files = [root / m for m in _PARSER_MODULES]
    for package in _PARSER_PACKAGES:
        files.extend(sorted((root / package).glob("*.py")))
    files.extend(sorted((root.parent / "expectations").glob("*.json")))  # the contract reports are held to
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dumps(packed: PackedFile) -> bytes:
    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


#: The name of a cache version's folder: a parser fingerprint (``parser_fingerprint``).
_VERSION_NAME = re.compile(r"[0-9a-f]{16}")


class ParseCache:
    def __init__(self, folder: Path):
        self.folder = folder / parser_fingerprint()

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

    def _path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.pickle"

    def has(self, sha256: str | None) -> bool:
        """Whether an entry exists (it may still turn out damaged: ``get`` says None then)."""
        return sha256 is not None and self._path(sha256).exists()

    def get(self, sha256: str | None, source_file: str) -> FileResult | None:
        packed = self.get_packed(sha256, source_file)
        return unpack(packed) if packed is not None else None

    def get_packed(self, sha256: str | None, source_file: str) -> PackedFile | None:
        """The stored result as it is stored (see ``pipeline.packed``); None if missing or damaged."""
        if sha256 is None:
            return None
        path = self._path(sha256)
        try:
            with open(path, "rb") as handle:
                result: PackedFile = pickle.load(handle)
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
        """``put`` of a result already packed and pickled by ``_dumps``."""
        path = self._path(sha256)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def parse_and_store(raw: RawFile, cache: ParseCache | None) -> bytes:
    """Parse one file, store its result in ``cache`` (if any) and return it packed and
    pickled by ``_dumps``: what a worker process sends back, so that the main process
    only has one fast load to do (no second pickling to store it)."""
    result = parse_raw_file(raw)
    data = _dumps(pack(result))
    if cache is not None and result.sha256 is not None:
        cache.put_dumped(result.sha256, data)
    return data


def parse_fresh(files: list[RawFile], cache: ParseCache | None, workers: int = 1) -> Iterator[PackedFile]:
    """Every file parsed (see ``ingest.parse_stream``), in the order of ``files``, packed
    (``pipeline.packed``), each result stored in ``cache`` (if any) before it is yielded."""
    if workers <= 1 or len(files) < 2:
        for result in map(pack, parse_stream(files)):
            if cache is not None and result.sha256 is not None:
                cache.put_dumped(result.sha256, _dumps(result))
            yield result
        return
    yield from map(pickle.loads, parse_stream(files, workers, partial(parse_and_store, cache=cache)))
