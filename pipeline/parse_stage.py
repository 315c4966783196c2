"""The read and parse stages of a build: the raw folder's inventory, every file's parse
result (from the parse cache, or parsed by worker processes) in file-name order with
duplicates marked, and those results streamed into the tables as they come.

``pipeline.build`` runs these stages, then the findings, validation and publishing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pyarrow as pa

from pipeline.build_state import read_state
from pipeline.cache import ParseCache, parse_fresh
from pipeline.ingest import DuplicateMarker, FileResult, parse_raw_file
from pipeline.memory import collections_paused, release_unused_memory
from pipeline.packed import PackedFile, pack, unpack
from pipeline.paths import CACHE_DIR, RAW_DIR
from pipeline.sources import FileStat, ManifestEntry, RawFile, discover, read_manifest
from pipeline.tables import TableBuilder
from pipeline.warehouse import current_build


@dataclass
class RawInventory:
    files: list[RawFile]
    manifest: dict[str, ManifestEntry]
    manifest_problems: list[str] = field(default_factory=list)


def inventory(raw_dir: Path = RAW_DIR, known: dict[str, tuple[FileStat, str]] | None = None) -> RawInventory:
    """Every raw file with its hash, and the manifest (``known``: see ``discover``)."""
    with collections_paused():  # a record per file, kept for the whole run (see pipeline.memory)
        files = discover(raw_dir, known=known)
        manifest, problems = read_manifest(raw_dir, files)
    return RawInventory(files, manifest, problems)


def known_stats(raw_dir: Path, warehouse_dir: Path) -> dict[str, tuple[FileStat, str]] | None:
    """The stats and hashes the published build saw in ``raw_dir`` (files not to rehash)."""
    state = read_state(current_build(warehouse_dir))
    return state.known_stats(raw_dir) if state else None


def packed_stream(files: list[RawFile], cache_dir: Path | None = CACHE_DIR, workers: int = 1) -> Iterator[PackedFile]:
    """Every file's parse result, packed (``pipeline.packed``), in the order of ``files``
    (sorted by name), as soon as it is ready: from the cache for unchanged bytes, else
    parsed (and cached); duplicates marked. Entries of other parser code are dropped from
    the cache first.

    The worker processes, if any, are started before the first result is yielded (the
    caller may start threads then: no process is forked after that)."""
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    if cache is not None:
        cache.drop_other_versions()
    try:
        yield from _packed_results(files, cache, workers)
    finally:
        if cache is not None:
            cache.compact()  # (closes it first)


def _packed_results(files: list[RawFile], cache: ParseCache | None, workers: int) -> Iterator[PackedFile]:
    cached = {raw.source_file for raw in files if cache is not None and cache.has(raw.sha256)}
    # Fresh results are stored in the cache as they come (see ``cache.parse_fresh``).
    to_parse = [raw for raw in files if raw.source_file not in cached]
    fresh = parse_fresh(to_parse, cache, workers)
    fresh = chain([next(fresh)] if to_parse else [], fresh)  # the pool forks all its workers on the first task
    marker = DuplicateMarker()
    for raw in files:
        if raw.source_file not in cached:
            result = next(fresh)
        elif (result := cache.get_packed(raw.sha256, raw.source_file)) is None:  # a damaged entry
            reparsed = parse_raw_file(raw)
            cache.put(reparsed)
            result = pack(reparsed)
        yield marker.mark(result)


def parsed_stream(files: list[RawFile], cache_dir: Path | None = CACHE_DIR, workers: int = 1) -> Iterator[FileResult]:
    """``packed_stream``, each result unpacked into its records."""
    return map(unpack, packed_stream(files, cache_dir, workers))


@dataclass
class StreamedTables:
    """The tables of a full build, filled while the files were parsed."""

    tables: dict[str, pa.Table]
    outcomes: dict[str, tuple[str | None, str]]  # file -> (content fingerprint, status)
    table_seconds: float  # time spent appending rows, within the parsing


def stream_into_tables(inventory: RawInventory, cache_dir: Path | None = CACHE_DIR, workers: int = 1,
                       each_result: Callable[[], None] = lambda: None) -> StreamedTables:
    """Every file's parse result (see ``packed_stream``) appended to the tables as it comes,
    in file-name order: no parse results are held beyond the rows of the last 2,000 files
    (``TableBuilder``). ``each_result`` is called before each result is added (the worker
    processes exist by then)."""
    builder = TableBuilder(inventory.manifest)
    outcomes: dict[str, tuple[str | None, str]] = {}
    seconds = 0.0
    # Results and rows are tuples, lists and scalars, freed by reference counting when the
    # rows are flushed: automatic collections (1.8 s of this process at 100,000 reports,
    # while the workers need its core) would find no garbage. See pipeline.memory.
    with collections_paused():
        for result in packed_stream(sorted(inventory.files, key=lambda f: f.source_file), cache_dir, workers):
            each_result()
            outcomes[result.source_file] = (result.text_sha256, result.status)
            started = time.perf_counter()
            builder.add(result)
            seconds += time.perf_counter() - started
    started = time.perf_counter()
    tables = dict(builder.finish().arrow)
    release_unused_memory()  # the last rows' Python objects, the chunks just concatenated
    return StreamedTables(tables, outcomes, seconds + time.perf_counter() - started)


def parse_files(files: list[RawFile], cache_dir: Path | None = CACHE_DIR, workers: int = 1) -> list[FileResult]:
    """Parse every file, reusing cached results for unchanged bytes; duplicates marked."""
    return list(parsed_stream(sorted(files, key=lambda f: f.source_file), cache_dir, workers))

