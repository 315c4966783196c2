"""The build, stage by stage: the stages of ``pipeline.build.WarehouseRun``, which
``build_warehouse`` runs too, each one timed on its own: read (discover + hash),
parse (content-hash cache, worker processes), build tables, findings, validate
(Great Expectations suites), data docs, write Parquet, publish (DuckDB file +
atomic switch).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

import pipeline.build as build
import pipeline.warehouse as warehouse
from pipeline.validated_publish import IntegrityFailed
from bench.measure import Stopwatch
from pipeline.quality.validation_process import separate_process_pays


@dataclass
class BuildOutcome:
    tables: dict[str, pa.Table]
    folder: Path | None
    reparsed_files: int
    incremental: bool = False
    integrity_failures: dict[str, list] = field(default_factory=dict)
    findings: int | None = None
    write_parquet_seconds: float = 0.0


class _TimedWrite:
    """Wraps ``pipeline.warehouse.write_all_parquet`` so Parquet writing is timed apart from the rest of publish."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def run_build(raw_dir: Path, cache_dir: Path, warehouse_dir: Path, workers: int, watch: Stopwatch,
              incremental: bool = False) -> BuildOutcome:
    """One build (raw -> published warehouse), every stage timed into ``watch``: a full
    build, or with ``incremental`` a patch of the build published in ``warehouse_dir``."""
    run = build.WarehouseRun(raw_dir, warehouse_dir, cache_dir, workers, incremental=incremental,
                             validate_apart=separate_process_pays())  # as build_warehouse
    timed_write = _TimedWrite(warehouse.write_all_parquet)
    warehouse.write_all_parquet = timed_write
    try:
        with watch.stage("read"):
            run.read()
        with watch.stage("parse"):
            run.parse()
        # a full build fills the tables while files are parsed: that time is table building
        watch.seconds["parse"] -= run.table_seconds
        watch.add("build_tables", run.table_seconds)
        with watch.stage("build_tables"):
            run.build_tables()
        with watch.stage("findings"):
            run.find()
        reparsed = len(run.delta.changed) if run.delta else len(run.inventory.files)
        outcome = BuildOutcome(run.tables, None, reparsed, run.incremental, findings=run.tables["quality_findings"].num_rows)
        try:
            with watch.stage("validate"):
                run.validate()
        except IntegrityFailed as failed:
            outcome.integrity_failures = {
                name: [f"{f.expectation} {f.column}: {f.unexpected_count}" for f in v.failures]
                for name, v in failed.failed.items()
            }
            return outcome  # nothing is published
        with tempfile.TemporaryDirectory() as tmp:
            with watch.stage("data_docs"):
                run.data_docs(Path(tmp) / "data_docs")
            with watch.stage("publish"):
                outcome.folder = run.publish(Path(tmp) / "data_docs")
        outcome.write_parquet_seconds = timed_write.seconds  # part of publish (overlapping the database when patched)
        return outcome
    finally:
        run.abandon()  # a build still staged is not published
        warehouse.write_all_parquet = timed_write.inner
