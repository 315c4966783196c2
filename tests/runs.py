"""Running the parse half of the pipeline on a folder, as the build does it.

The same stages as ``pipeline.build`` (inventory, cached parse, duplicates,
tables), without the quality checks and publishing, so robustness tests stay
fast and independent of them.
"""

from __future__ import annotations

import dataclasses

import shutil
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cache import ParseCache
from pipeline.ingest import FileResult, mark_duplicates, parse_all
from pipeline.sources import ManifestEntry, RawFile, discover, read_manifest
from pipeline.synthetic import build_corpus
from pipeline.tables import Tables, build_tables

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SEED_FILES = sorted(p.name for p in RAW.glob("0*.txt"))
SEED_PREFIXES = tuple(name[:3] for name in SEED_FILES)


@dataclass
class Run:
    files: list[RawFile]
    manifest: dict[str, ManifestEntry]
    manifest_problems: list[str]
    results: list[FileResult]
    tables: Tables

    def source_files(self) -> dict[str, dict]:
        return {row["source_file"]: row for row in self.tables["source_files"].to_pylist()}

    def rows(self, table: str, source_file: str | None = None) -> list[dict]:
        rows = self.tables[table].to_pylist()
        return [r for r in rows if source_file is None or r["source_file"] == source_file]


def run_folder(raw_dir: Path, cache_dir: Path | None = None, workers: int = 1) -> Run:
    files = discover(raw_dir)
    manifest, problems = read_manifest(raw_dir)
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    cached = {f.source_file: cache.get(f.sha256, f.source_file) for f in files} if cache else {}
    todo = [f for f in files if cached.get(f.source_file) is None]
    fresh = {r.source_file: r for r in parse_all(todo, workers=workers)}
    if cache is not None:
        with cache:
            for result in fresh.values():
                cache.put(result)
    results = mark_duplicates([cached.get(f.source_file) or fresh[f.source_file] for f in files])
    return Run(files, manifest, problems, results, build_tables(results, manifest))


def damage(cache: ParseCache, sha256: str) -> None:
    """Overwrite the stored bytes of an entry with as many other bytes."""
    path, offset, length, _ = cache.location(sha256)
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\x00" * length)


def facts(result) -> list[dict]:
    """Every field of every report of a ``FileResult``, as plain dictionaries."""
    return [dataclasses.asdict(report) for report in result.reports]


def copy_seeds(raw_dir: Path) -> Path:
    """The seed reports and their manifest, copied into ``raw_dir``."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name in [*SEED_FILES, "manifest.csv"]:
        shutil.copyfile(RAW / name, raw_dir / name)
    return raw_dir


def seed_text(prefix: str) -> str:
    return next(RAW.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


class DeadPool:
    """Stands in for ``ProcessPoolExecutor`` when a worker process dies (killed, out of memory)."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, *args, **kwargs):
        raise BrokenProcessPool("a worker died")


def synthetic_corpus_fixtures(n: int, seed: int):
    """A test module's ``corpus`` fixture (a synthetic raw folder of ``n`` reports, generated
    once per module) and ``raw`` fixture (a fresh copy of it per test, free to change):
    ``corpus, raw = synthetic_corpus_fixtures(N, SEED)`` at module level."""

    @pytest.fixture(scope="module")
    def corpus(tmp_path_factory) -> Path:
        return build_corpus(tmp_path_factory.mktemp("corpus"), n, seed, workers=1).raw_dir

    @pytest.fixture
    def raw(tmp_path, corpus) -> Path:
        return Path(shutil.copytree(corpus, tmp_path / "raw"))

    return corpus, raw
