"""The whole build as plain functions: raw files -> parsed files -> tables -> warehouse.

The Dagster assets call these same functions stage by stage; the CLI and the
benchmark call ``build_warehouse`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cache import ParseCache
from pipeline.ingest import FileResult, mark_duplicates, parse_all
from pipeline.sources import ManifestEntry, RawFile, discover, read_manifest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
WAREHOUSE_DIR = PROJECT_ROOT / "data" / "warehouse"
CACHE_DIR = PROJECT_ROOT / "data" / "cache"


@dataclass
class RawInventory:
    files: list[RawFile]
    manifest: dict[str, ManifestEntry]
    manifest_problems: list[str] = field(default_factory=list)


def inventory(raw_dir: Path = RAW_DIR) -> RawInventory:
    """Every raw file with its hash, and the manifest."""
    manifest, problems = read_manifest(raw_dir)
    return RawInventory(discover(raw_dir), manifest, problems)


def parse_files(files: list[RawFile], cache_dir: Path | None = CACHE_DIR, workers: int = 1) -> list[FileResult]:
    """Parse every file, reusing cached results for unchanged bytes; duplicates marked."""
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    results: dict[str, FileResult] = {}
    todo: list[RawFile] = []
    for raw in files:
        cached = cache.get(raw.sha256, raw.source_file) if cache else None
        if cached is not None:
            results[raw.source_file] = cached
        else:
            todo.append(raw)
    for fresh in parse_all(todo, workers=workers):
        if cache is not None:
            cache.put(fresh)
        results[fresh.source_file] = fresh
    return mark_duplicates([results[f.source_file] for f in files])
