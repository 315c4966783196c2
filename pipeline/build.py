"""The whole build as plain functions: raw files -> parsed files -> tables -> warehouse.

The Dagster assets call these same functions stage by stage; the CLI and the
benchmark call ``build_warehouse`` directly.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from pipeline.cache import ParseCache
from pipeline.ingest import FileResult, default_workers, mark_duplicates, parse_all
from pipeline.quality.data_docs import build_data_docs
from pipeline.quality.findings import find_all
from pipeline.quality.integrity import TableValidation, validate_tables
from pipeline.sources import ManifestEntry, RawFile, discover, read_manifest
from pipeline.tables import build_tables
from pipeline.warehouse import publish

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


class IntegrityFailed(Exception):
    """A blocking integrity check failed: the new warehouse is not published."""

    def __init__(self, failed: dict[str, object]):
        self.failed = failed
        names = ", ".join(sorted(failed))
        super().__init__(f"integrity checks failed for: {names}; the previous warehouse stays published")


def validate_all(tables: dict[str, pa.Table]) -> dict[str, TableValidation]:
    """Run every table's Great Expectations suite (the blocking integrity checks)."""
    return validate_tables(tables)


def validate_and_publish(tables: dict[str, pa.Table], warehouse_dir: Path) -> tuple[Path, dict[str, TableValidation]]:
    """Validate every table; publish them with their Data Docs only if all integrity checks pass."""
    validations = validate_all(tables)
    failed = {name: v for name, v in validations.items() if not v.success}
    if failed:
        raise IntegrityFailed(failed)
    with tempfile.TemporaryDirectory() as tmp:
        docs_dir = Path(tmp) / "data_docs"
        build_data_docs(validations, docs_dir)
        folder = publish(tables, warehouse_dir, extra_dirs={"data_docs": docs_dir})
    return folder, validations


@dataclass
class BuildReport:
    folder: Path
    tables: dict[str, pa.Table]
    validations: dict[str, TableValidation]
    seconds: dict[str, float]


def build_warehouse(
    raw_dir: Path = RAW_DIR,
    warehouse_dir: Path = WAREHOUSE_DIR,
    cache_dir: Path | None = CACHE_DIR,
    workers: int = 1,
    stage: Callable[[str], None] = lambda name: None,
) -> BuildReport:
    """Raw files -> validated warehouse, published atomically; raises IntegrityFailed."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = now - clock
        clock = now

    stage("read")
    inv = inventory(raw_dir)
    lap("read")
    stage("parse")
    results = parse_files(inv.files, cache_dir=cache_dir, workers=workers)
    lap("parse")
    stage("build tables")
    tables = dict(build_tables(results, inv.manifest).arrow)
    tables["quality_findings"] = find_all(tables)
    lap("build_tables")
    stage("validate and publish")
    folder, validations = validate_and_publish(tables, warehouse_dir)
    lap("validate_and_publish")
    return BuildReport(folder, tables, validations, seconds)
