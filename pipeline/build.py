"""The whole build as plain functions: raw files -> parsed files -> tables -> warehouse.

The Dagster assets call these same functions stage by stage; the CLI calls
``build_warehouse``, and the benchmark the stages of ``WarehouseRun`` one by one.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline.build_state import BuildState, FileState, code_fingerprint, manifest_digest, read_state
from pipeline.database import start_database
from pipeline.incremental import (
    Delta,
    PreviousBuild,
    independent_of_untouched,
    patch_tables,
    plan_delta,
    previous_build,
    touched_years,
)
from pipeline.ingest import FileResult
from pipeline.memory import collections_paused, release_unused_memory
from pipeline.parse_stage import RawInventory, StreamedTables, inventory, parse_files, stream_into_tables
from pipeline.paths import CACHE_DIR, RAW_DIR, WAREHOUSE_DIR
from pipeline.patching import TablePatch, database_patch, findings_of, rows_to_validate
from pipeline.quality.data_docs import build_data_docs
from pipeline.quality.gx_runtime import warm_up
from pipeline.quality.integrity import TableValidation, validate_tables
from pipeline.quality.validation_process import Validator, separate_process_pays
from pipeline.snapshot import read_snapshot, write_snapshot
from pipeline.sources import RawFile
from pipeline.tables import build_tables
from pipeline.validated_publish import raise_if_failed, recorded_states, write_patchable
from pipeline.warehouse import (
    DB_NAME,
    StartedStaging,
    begin_staging,
    build_lock,
    commit_staging,
    current_build,
    discard_staging,
    publish,
    write_all_parquet,
    write_staging,
)


@dataclass
class BuildReport:
    folder: Path
    tables: dict[str, pa.Table]
    validations: dict[str, TableValidation]
    seconds: dict[str, float]
    reparsed_files: int = 0
    incremental: bool = False  # the previous build's tables were patched


class WarehouseRun:
    """One build, stage by stage: read, parse, build tables, findings, validate, publish.

    With a previous build of the same code published in ``warehouse_dir``, files
    whose stat is unchanged are not rehashed, and when few files changed only
    those are parsed and the previous tables are patched (``pipeline.incremental``);
    validation then covers the rows that changed. Otherwise every stage runs on
    everything. Either way the published tables are those a full build gives.

    A patched build is written into its staging folder (under the build lock) while
    the changed rows are validated and their Data Docs rendered: Great Expectations
    is Python, DuckDB and Arrow work outside the GIL. It is published only if
    validation passes, else discarded. A full build writes its tables into its staging
    folder while the findings are computed (the findings' pandas rules keep one core
    busy; Arrow and DuckDB work outside the GIL): Parquet files, snapshot, and the
    database's tables, loaded by DuckDB with one thread and little memory. It validates
    every row in pandas frames, then adds the findings and the views to the database,
    so that their memory does not add up.

    With ``validate_apart`` a patched build's rows are validated, and their Data Docs
    rendered, in a process of its own (``pipeline.quality.validation_process``), started
    when the run reads the published build's state and finds it made by this code (a patch
    is then most likely; the process is stopped if the run turns out full): Great
    Expectations' import and suites then run on another core instead of holding this
    process's GIL.
    """

    def __init__(self, raw_dir: Path, warehouse_dir: Path, cache_dir: Path | None, workers: int = 1,
                 incremental: bool = True, validate_apart: bool = False, warm_up: bool = True):
        self.raw_dir, self.warehouse_dir, self.cache_dir, self.workers = raw_dir, warehouse_dir, cache_dir, workers
        self.allow_incremental = incremental
        # a patched build validated in a process of its own (pipeline.quality.validation_process)
        self.validate_apart = validate_apart
        # GX imported in a background thread ahead of validation (off where another process validates)
        self.warm_up = warm_up
        self._validator: Validator | None = None
        self._rendered_docs: Path | None = None  # the Data Docs that process rendered
        self.previous: PreviousBuild | None = None
        self.delta: Delta | None = None
        self.results: list[FileResult] = []  # incremental: the changed files' results
        self.streamed: StreamedTables | None = None  # full: the tables built while files were parsed
        self.outcomes: dict[str, tuple[str | None, str]] = {}  # file -> (content fingerprint, status)
        self.table_seconds = 0.0  # time spent building tables during the parse stage
        self._gx_import: threading.Thread | None = None
        self.patch: TablePatch | None = None  # incremental: how the published build's tables were patched
        self.changed: dict[str, pa.Table] = {}  # incremental: the rows validated and replaced in the database
        self.tables: dict[str, pa.Table] = {}
        self.validations: dict[str, TableValidation] = {}
        self.file_states: dict[str, FileState] = {}
        self._staging: Future[Path] | None = None  # the build being written while validation runs
        self._started: Future[StartedStaging] | None = None  # full: the tables' files written while findings run
        self._snapshot_written: frozenset[str] = frozenset()  # the tables whose snapshot is written
        self._held = ExitStack()  # the build lock, held from staging to publishing

    @property
    def incremental(self) -> bool:
        return self.delta is not None

    def read(self, raw: RawInventory | None = None) -> RawInventory:
        """The raw files (``raw``, when they were just read), and what changed since the published build."""
        with collections_paused():  # a record per file, kept for the whole run (see pipeline.memory)
            published = current_build(self.warehouse_dir)
            state = read_state(published) if self.allow_incremental else None
            if self.validate_apart and state is not None and state.code == code_fingerprint():
                # most likely a patch (this code's build): the process sets GX up while this one
                # reads and plans (and is stopped if the run turns out full)
                self._validator = Validator(apart=True)
            known = state.known_stats(self.raw_dir) if state else None
            self.inventory = raw if raw is not None else inventory(self.raw_dir, known)
            self.previous = previous_build(published, state) if state else None
            if self.previous is not None:
                self.delta = plan_delta(self.inventory.files, self.inventory.manifest, self.previous)
        if self.delta is None:
            self._stop_validator()
        elif self._validator is None:
            self._warm_up()  # little to parse: validation comes soon
        return self.inventory

    def _warm_up(self) -> None:
        """Import Great Expectations in a background thread (it takes seconds), once."""
        if self._gx_import is None and self.warm_up:
            self._gx_import = warm_up()

    def parse(self) -> None:
        """Parse the changed files (incremental), or stream every file's result into
        the tables as it comes (full: no run holds all parse results at once)."""
        files = self.delta.changed if self.delta else self.inventory.files
        if self.workers > 1 and len(files) > 1 and self._gx_import is not None:
            self._gx_import.join()  # never fork worker processes while a thread holds import locks
        if self.delta:
            self.results = parse_files(files, cache_dir=self.cache_dir, workers=self.workers)
            return
        # the worker processes exist once results come (see parse_stage.packed_stream), so they do not
        # carry Great Expectations, whose import then overlaps the parsing
        self.streamed = stream_into_tables(self.inventory, self.cache_dir, self.workers, each_result=self._warm_up)
        self.outcomes, self.table_seconds = self.streamed.outcomes, self.streamed.table_seconds

    def build_tables(self) -> dict[str, pa.Table]:
        if self.delta:
            partial = dict(build_tables(self.results, self.inventory.manifest).arrow)
            if independent_of_untouched(self.previous, self.delta, self.results, partial):
                self.outcomes = {r.source_file: (r.text_sha256, r.status) for r in self.results}
                self.results = []
                self.patch = TablePatch(self.previous.folder, self.delta.touched, partial,
                                        touched_years(self.previous, self.delta, partial))
                self.tables = patch_tables(self.previous, self.delta, partial)
                self.file_states = self._file_states(self.delta.changed, self.previous.state.files)
                return self.tables
            self.delta, self.results = None, []  # patching would differ from rebuilding: build everything
            self._stop_validator()  # every row is validated here (see pipeline.quality.validation_process)
            self.parse()
        self.tables, self.streamed = self.streamed.tables, None
        self.file_states = self._file_states(self.inventory.files, {})
        return self.tables

    def _file_states(self, files: list[RawFile], kept: dict[str, FileState]) -> dict[str, FileState]:
        """The states of ``files`` (from this run's outcomes) and of the ``kept`` files not touched."""
        touched = set(self.delta.touched) if self.delta else set()
        states = {name: state for name, state in kept.items() if name not in touched}
        states.update(recorded_states(files, self.outcomes))
        return dict(sorted(states.items()))

    def find(self) -> pa.Table:
        if self.patch is None:
            self._start_writing_tables()
        findings = findings_of(self.tables, self.patch)
        self.tables["quality_findings"] = findings
        if self._validator is None:
            self._warm_up()  # (nothing was parsed: an empty folder)
        if self.patch is not None:
            self.changed = rows_to_validate(self.tables, self.patch)
            self._start_staging()
        return findings

    def build_state(self) -> BuildState:
        """What this build records for the next run: this code, the manifest and every file's state."""
        return BuildState(code_fingerprint(), manifest_digest(self.inventory.manifest), str(self.raw_dir.resolve()),
                          self.file_states)

    def _write_extras(self, folder: Path) -> None:
        """What the next run needs to patch this build: the files' states, the tables' snapshot
        (of the tables not written yet)."""
        write_patchable(self.build_state(), {n: t for n, t in self.tables.items() if n not in self._snapshot_written},
                        folder, self.patch)

    def _start_writing_tables(self) -> None:
        """Full build: the tables built so far (all but the findings) written into a new staging
        folder, as Parquet, snapshot and database tables, in a background thread (under the
        build lock)."""
        tables = dict(self.tables)
        self._snapshot_written = frozenset(tables)
        self._held.enter_context(build_lock(self.warehouse_dir))
        pool = self._held.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging"))
        self._started = pool.submit(_write_tables, tables, self.warehouse_dir)

    def _map_tables(self, folder: Path) -> None:
        """The tables, from here on, memory-mapped from the snapshot just written into ``folder``:
        while DuckDB builds the database their pages are the page cache's (which the kernel
        can drop and read back), not this process's memory."""
        mapped = read_snapshot(folder)
        if mapped is not None:
            self.tables.update(mapped)
            release_unused_memory()

    def _start_staging(self) -> None:
        """Write the build into a staging folder in a background thread (see the class docstring)."""
        self._held.enter_context(build_lock(self.warehouse_dir))
        pool = self._held.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging"))
        self._staging = pool.submit(write_staging, self.tables, self.warehouse_dir,
                                    database_patch(self.patch, self.changed),
                                    self._write_extras)

    def _stop_validator(self) -> None:
        validator, self._validator = self._validator, None
        if validator is not None:
            validator.close()

    def abandon(self) -> None:
        """Drop a build being staged (validation failed, or the run stops): nothing is published."""
        staging, self._staging = self._staging, None
        started, self._started = self._started, None
        self._stop_validator()
        if self._rendered_docs is not None:
            shutil.rmtree(self._rendered_docs, ignore_errors=True)
            self._rendered_docs = None
        try:
            if staging is not None and staging.exception() is None:
                discard_staging(staging.result())
            if started is not None and started.exception() is None:
                discard_staging(started.result().folder)
        finally:
            self._held.close()

    def validate(self) -> dict[str, TableValidation]:
        """Every table's suite, on the rows that changed when the build is incremental
        (the others passed when they were published, and keys cannot collide with them)."""
        try:
            rows = rows_to_validate(self.tables, self.patch)
            if self._validator is not None:
                self._rendered_docs = Path(tempfile.mkdtemp(prefix="data-docs-"))
                self.validations = self._validator.validate(rows, self.tables["projects"], self._rendered_docs,
                                                            patched=True)
            else:
                self.validations = validate_tables(rows, projects=self.tables["projects"])
            raise_if_failed(self.validations)
        except BaseException:
            self.abandon()
            raise
        return self.validations

    def data_docs(self, docs_dir: Path) -> None:
        """The Data Docs of this run's validation, into ``docs_dir`` (rendered already when
        the validation ran in a process of its own)."""
        if self._rendered_docs is not None:
            self._validator.docs_written()
            self._stop_validator()
            shutil.copytree(self._rendered_docs, docs_dir, dirs_exist_ok=True)
        else:
            build_data_docs(self.validations, docs_dir)

    def publish(self, docs_dir: Path | None = None) -> Path:
        """Publish the tables (with ``docs_dir``, the Data Docs, when given)."""
        extra_dirs = {"data_docs": docs_dir} if docs_dir is not None else None
        if self._staging is None and self._started is None:
            return publish(self.tables, self.warehouse_dir, extra_dirs=extra_dirs,
                           patch=database_patch(self.patch, self.changed),
                           write_extras=self._write_extras, files_written=self._map_tables)
        staging: Path | None = None
        try:
            if self._started is not None:  # the rest of the full build, into the folder started
                started, self._started = self._started.result(), None
                staging = write_staging(self.tables, self.warehouse_dir, write_extras=self._write_extras,
                                        files_written=self._map_tables, started=started)
            else:
                staging, self._staging = self._staging.result(), None
            return commit_staging(staging, self.warehouse_dir, list(self.tables), extra_dirs)
        except BaseException:
            if staging is not None:
                discard_staging(staging)  # committing failed: nothing is published
            raise
        finally:
            self.abandon()  # releases the lock


def patch_likely(warehouse_dir: Path) -> bool:
    """Whether a run would most likely patch the build published in ``warehouse_dir``: this code made it."""
    state = read_state(current_build(warehouse_dir))
    return state is not None and state.code == code_fingerprint()


def _write_tables(tables: dict[str, pa.Table], warehouse_dir: Path) -> StartedStaging:
    """A new staging folder holding the Parquet files, the snapshot and the database tables
    of ``tables`` (the caller holds the build lock); dropped again if writing fails."""
    folder = begin_staging(warehouse_dir)
    try:
        parquet = write_all_parquet(tables, folder)
        write_snapshot(tables, folder)
        in_database = start_database(tables, folder / DB_NAME)
    except BaseException:
        discard_staging(folder)
        raise
    return StartedStaging(folder, parquet, in_database)


def build_warehouse(
    raw_dir: Path = RAW_DIR,
    warehouse_dir: Path = WAREHOUSE_DIR,
    cache_dir: Path | None = CACHE_DIR,
    workers: int = 1,
    stage: Callable[[str], None] = lambda name: None,
    incremental: bool = True,
) -> BuildReport:
    """Raw files -> validated warehouse, published atomically; raises IntegrityFailed."""
    run = WarehouseRun(raw_dir, warehouse_dir, cache_dir, workers, incremental, validate_apart=separate_process_pays())
    seconds: dict[str, float] = {}
    try:
        for name, step in (("read", run.read), ("parse", run.parse), ("build tables", run.build_tables),
                           ("findings", run.find), ("validate", run.validate)):
            stage(name)
            started = time.perf_counter()
            step()
            seconds[name.replace(" ", "_")] = time.perf_counter() - started
        stage("publish")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            docs_dir = Path(tmp) / "data_docs"
            run.data_docs(docs_dir)
            folder = run.publish(docs_dir)
        seconds["publish"] = time.perf_counter() - started
    finally:
        run.abandon()
    reparsed = len(run.delta.changed) if run.delta else len(run.inventory.files)
    return BuildReport(folder, run.tables, run.validations, seconds, reparsed, run.incremental)
