"""The build, stage by stage, with the same functions the pipeline uses.

``pipeline.build.build_warehouse`` runs these stages too; here each one is
timed on its own: read (discover + hash), parse (content-hash cache, worker
processes), build tables, findings, validate (Great Expectations suites),
data docs, write Parquet, publish (DuckDB file + atomic switch). The quality
stages are used when ``pipeline.quality`` provides them.
"""

from __future__ import annotations

import importlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

import pipeline.build as build
import pipeline.warehouse as warehouse
from bench.measure import Stopwatch
from pipeline.tables import build_tables


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


@dataclass
class BuildOutcome:
    tables: dict[str, pa.Table]
    folder: Path
    reparsed_files: int
    integrity_failures: dict[str, list] = field(default_factory=dict)
    findings: int | None = None


class _Counting:
    """Wraps ``pipeline.build.parse_all`` to count the files actually parsed (cache misses)."""

    def __init__(self, inner):
        self.inner = inner
        self.files = 0

    def __call__(self, files, *args, **kwargs):
        self.files += len(files)
        return self.inner(files, *args, **kwargs)


class _TimedWrite:
    """Wraps ``pipeline.warehouse.write_parquet`` so Parquet writing is timed apart from the rest of publish."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def validate_tables(tables: dict[str, pa.Table]) -> dict | None:
    validate_all = _optional("pipeline.build", "validate_all")
    if validate_all is not None:
        return validate_all(tables)
    validate_table = _optional("pipeline.quality.integrity", "validate_table")
    if validate_table is None:
        return None
    ids = set(tables["projects"].column("project_id").to_pylist())
    return {name: validate_table(name, table.to_pandas(), {"project_ids": ids}) for name, table in tables.items()}


def run_build(raw_dir: Path, cache_dir: Path, warehouse_dir: Path, workers: int, watch: Stopwatch) -> BuildOutcome:
    """One full build (raw -> published warehouse), every stage timed into ``watch``."""
    counting = _Counting(build.parse_all)
    timed_write = _TimedWrite(warehouse.write_parquet)
    build.parse_all, warehouse.write_parquet = counting, timed_write
    try:
        with watch.stage("read"):
            inventory = build.inventory(raw_dir)
        with watch.stage("parse"):
            results = build.parse_files(inventory.files, cache_dir=cache_dir, workers=workers)
        with watch.stage("build_tables"):
            tables = dict(build_tables(results, inventory.manifest).arrow)
        del results
        outcome = BuildOutcome(tables, Path(), 0)
        find_all = _optional("pipeline.quality.findings", "find_all")
        if find_all is not None:
            with watch.stage("findings"):
                tables["quality_findings"] = find_all(tables)
            outcome.findings = tables["quality_findings"].num_rows
        with watch.stage("validate"):
            validations = validate_tables(tables)
        extra: dict[str, Path] = {}
        with tempfile.TemporaryDirectory() as tmp:
            data_docs = _optional("pipeline.quality.data_docs", "build_data_docs")
            if validations and data_docs is not None:
                with watch.stage("data_docs"):
                    data_docs(validations, Path(tmp) / "data_docs")
                extra["data_docs"] = Path(tmp) / "data_docs"
            with watch.stage("publish"):
                outcome.folder = warehouse.publish(tables, warehouse_dir, extra_dirs=extra or None)
        watch.seconds["publish"] -= timed_write.seconds
        watch.add("write_parquet", timed_write.seconds)
        outcome.integrity_failures = {
            name: [f"{f.expectation} {f.column}: {f.unexpected_count}" for f in v.failures]
            for name, v in (validations or {}).items() if not v.success
        }
        outcome.reparsed_files = counting.files
        return outcome
    finally:
        build.parse_all, warehouse.write_parquet = counting.inner, timed_write.inner
