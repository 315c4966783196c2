"""Writing and atomically publishing the warehouse.

Layout of ``data/warehouse/``::

    versions/<run>/<table>.parquet     one immutable folder per published build
    versions/<run>/warehouse.duckdb    every table stored inside, with comments and views
    current -> versions/<run>          switched with one atomic rename
    warehouse.duckdb -> current/warehouse.duckdb
    <table>.parquet  -> current/<table>.parquet

A build is written into a hidden staging folder, then ``current`` is switched
by ``os.replace`` of a symlink: readers see the old build or the new one, never
a mix, and a crash at any point leaves the previous build in place. Published
files are never written again, so readers holding ``warehouse.duckdb`` open
(read-only) never block a rebuild.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.database import DatabasePatch, build_database, patch_database, patch_more_tables

DB_NAME = "warehouse.duckdb"
VERSIONS = "versions"
CURRENT = "current"
STAGING_PREFIX = ".staging-"
KEEP_VERSIONS = 2


@contextmanager
def build_lock(warehouse_dir: Path):
    """One writer at a time; a second build waits for the first. A thread that holds the lock
    and asks for it again (which would wait forever) gets a RuntimeError."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = str((warehouse_dir / ".lock").resolve())
    if _LOCK_HOLDERS.get(path) == threading.get_ident():
        raise RuntimeError(f"this thread holds the build lock of {warehouse_dir} already")
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _LOCK_HOLDERS[path] = threading.get_ident()
        try:
            yield
        finally:
            del _LOCK_HOLDERS[path]
            fcntl.flock(handle, fcntl.LOCK_UN)


#: The thread of this process holding each warehouse's build lock (by the lock file's path).
_LOCK_HOLDERS: dict[str, int] = {}


def write_parquet(table_name: str, table: pa.Table, folder: Path) -> Path:
    path = folder / f"{table_name}.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def write_all_parquet(tables: dict[str, pa.Table], folder: Path) -> dict[str, Path]:
    """Every table as Parquet, in parallel threads (Arrow encodes and compresses without the GIL)."""
    largest_first = sorted(tables, key=lambda name: -tables[name].nbytes)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        written = dict(zip(largest_first, pool.map(lambda name: write_parquet(name, tables[name], folder), largest_first)))
    return {name: written[name] for name in tables}


def _switch_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def _ensure_entry_links(warehouse_dir: Path, names: list[str]) -> None:
    for name in names:
        link = warehouse_dir / name
        target = f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        _switch_symlink(link, target)


def _prune(versions_dir: Path, keep: str) -> None:
    """Drop staging leftovers of crashed runs and all but the newest published builds.

    The build ``current`` points to is never dropped: runs killed between the
    rename and the switch leave newer, never-published folders behind.
    """
    for stale in versions_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    live = versions_dir.parent / CURRENT
    live_name = live.resolve().name if live.exists() else None
    published = sorted(p for p in versions_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in published[:-KEEP_VERSIONS]:
        if old.name not in (keep, live_name):
            shutil.rmtree(old, ignore_errors=True)


def publish(
    tables: dict[str, pa.Table],
    warehouse_dir: Path,
    extra_dirs: dict[str, Path] | None = None,
    patch: DatabasePatch | None = None,
    write_extras: Callable[[Path], None] | None = None,
    files_written: Callable[[Path], None] | None = None,
) -> Path:
    """Write every table and switch ``current`` to the new build; returns its folder.

    ``extra_dirs`` are folders copied into the build (e.g. Data Docs); ``patch`` makes
    the database from the published one instead of from scratch; ``write_extras``
    writes more files into the build folder before it is published; ``files_written``:
    see ``write_staging``.
    """
    with build_lock(warehouse_dir):
        staging = write_staging(tables, warehouse_dir, patch, write_extras, files_written)
        return commit_staging(staging, warehouse_dir, list(tables), extra_dirs)


def publish_after(gate: Callable[[], dict[str, Path] | None], tables: dict[str, pa.Table], warehouse_dir: Path,
                  patch: DatabasePatch | None = None, write_extras: Callable[[Path], None] | None = None) -> Path:
    """``publish``, with the build written into its staging folder in a background thread while
    ``gate`` runs (e.g. validation: Arrow and DuckDB write outside the GIL). Published only if
    ``gate`` returns (its value: the ``extra_dirs``); if it raises, the staging folder is dropped."""
    with build_lock(warehouse_dir), ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging") as pool:
        staged = pool.submit(write_staging, tables, warehouse_dir, patch, write_extras)
        return _commit_after(gate, staged, warehouse_dir, list(tables))


def _commit_after(gate: Callable[[], dict[str, Path] | None], staged: Future[Path], warehouse_dir: Path,
                  table_names: list[str]) -> Path:
    """The folder being ``staged`` committed once ``gate`` returns (its value: the ``extra_dirs``);
    dropped if the gate or the commit raises."""
    try:
        extra_dirs = gate()
    except BaseException:
        if staged.exception() is None:  # (waits for the folder; one that failed is dropped already)
            discard_staging(staged.result())
        raise
    staging = staged.result()
    try:
        return commit_staging(staging, warehouse_dir, table_names, extra_dirs)
    except BaseException:
        discard_staging(staging)
        raise


class StagedPatch:
    """A patched build staged in two parts, for runs that make its tables in several steps
    (the Dagster graph): the tables made first are written into a staging folder (Parquet,
    the database patched, its precomputed views computed again) in a background thread from
    ``__init__`` on, while the run goes on; ``finish`` adds the tables made later, which no
    precomputed view reads (the findings), and publishes the build once its ``gate`` passes.
    The build lock is held from the start to the end; ``close`` drops a build not published."""

    def __init__(self, warehouse_dir: Path, tables: dict[str, pa.Table], patch: DatabasePatch):
        self.warehouse_dir, self.table_names = warehouse_dir, list(tables)
        self._held = ExitStack()
        self._held.enter_context(build_lock(warehouse_dir))
        pool = self._held.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging"))
        self._staged: Future[Path] | None = pool.submit(write_staging, tables, warehouse_dir, patch)

    def finish(self, gate: Callable[[], dict[str, Path] | None], tables: dict[str, pa.Table], patch: DatabasePatch,
               write_extras: Callable[[Path], None] | None = None) -> Path:
        """``tables`` added (their Parquet files, their rows in the database: ``patch``) and the
        extras written while ``gate`` runs; published only if it returns (its value: the
        ``extra_dirs``), else dropped (``publish_after``). The lock is released either way."""
        staged, self._staged = self._staged, None
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging") as pool:
                written = pool.submit(_write_more, staged, tables, patch, write_extras)
                return _commit_after(gate, written, self.warehouse_dir, [*self.table_names, *tables])
        finally:
            self.close()

    def close(self) -> None:
        """Drop the staged build unless it was finished, and release the lock."""
        staged, self._staged = self._staged, None
        try:
            if staged is not None and staged.exception() is None:
                discard_staging(staged.result())
        finally:
            self._held.close()


def _write_more(staged: Future[Path], tables: dict[str, pa.Table], patch: DatabasePatch,
                write_extras: Callable[[Path], None] | None) -> Path:
    """``tables`` written into the folder being staged once it is, patched into its database."""
    staging = staged.result()
    try:
        write_all_parquet(tables, staging)
        patch_more_tables(patch, staging / DB_NAME)
        if write_extras is not None:
            write_extras(staging)
    except BaseException:
        discard_staging(staging)
        raise
    return staging


@dataclass
class StartedStaging:
    """A staging folder (``begin_staging``) with the Parquet files of some tables already
    written into it, and with ``in_database`` those tables loaded into its database too
    (``start_database``): ``write_staging`` then writes and loads only the others."""

    folder: Path
    parquet: dict[str, Path] = field(default_factory=dict)
    in_database: bool = False


def begin_staging(warehouse_dir: Path) -> Path:
    """A new, empty, hidden staging folder for a build (the caller holds ``build_lock``).
    Leftovers of crashed runs and all but the newest published builds are pruned first."""
    versions_dir = warehouse_dir.resolve() / VERSIONS
    versions_dir.mkdir(parents=True, exist_ok=True)
    _prune(versions_dir, keep="")
    run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**9:09d}"
    staging = versions_dir / f"{STAGING_PREFIX}{run_id}"
    staging.mkdir()
    return staging


def write_staging(
    tables: dict[str, pa.Table],
    warehouse_dir: Path,
    patch: DatabasePatch | None = None,
    write_extras: Callable[[Path], None] | None = None,
    files_written: Callable[[Path], None] | None = None,
    started: StartedStaging | None = None,
) -> Path:
    """A new build written into a hidden staging folder, not published (the caller holds
    ``build_lock``; ``commit_staging`` publishes it, ``discard_staging`` drops it).

    Without a ``patch`` the database is built from the Parquet files once they and the
    extras are written; ``files_written(staging)`` is called then, before DuckDB starts
    (e.g. to let the tables in memory go while the database is built). ``started``: the
    staging folder to complete; the tables it holds are not written (nor loaded) again."""
    staging = started.folder if started is not None else begin_staging(warehouse_dir)
    written = started.parquet if started is not None else {}
    remaining = {name: table for name, table in tables.items() if name not in written}
    try:
        with ThreadPoolExecutor(max_workers=2) as side:  # files are written while DuckDB works
            extras = side.submit(write_extras, staging) if write_extras is not None else None
            if patch is not None and patch.base.exists():  # the database does not read the Parquet files
                parquet = side.submit(write_all_parquet, remaining, staging)
                patch_database(patch, staging / DB_NAME)
                parquet.result()
            else:
                paths = {**written, **write_all_parquet(remaining, staging)}
                if extras is not None:
                    extras.result()
                if files_written is not None:
                    files_written(staging)
                loaded = written if started is not None and started.in_database else {}
                build_database({name: paths[name] for name in tables if name not in loaded}, staging / DB_NAME)
            if extras is not None:
                extras.result()
    except BaseException:
        discard_staging(staging)  # (a killed run's leftovers are pruned by the next one)
        raise
    return staging


def commit_staging(staging: Path, warehouse_dir: Path, table_names: list[str],
                   extra_dirs: dict[str, Path] | None = None) -> Path:
    """Publish a staging folder (``extra_dirs`` copied in first): one rename, one switch of
    ``current``, then old builds pruned. The caller holds ``build_lock``."""
    warehouse_dir = warehouse_dir.resolve()
    for name, source in (extra_dirs or {}).items():
        if source.exists():
            shutil.copytree(source, staging / name)
    run_id = staging.name.removeprefix(STAGING_PREFIX)
    final = staging.parent / run_id
    os.replace(staging, final)
    _switch_symlink(warehouse_dir / CURRENT, f"{VERSIONS}/{run_id}")
    _ensure_entry_links(warehouse_dir, [DB_NAME, *[f"{n}.parquet" for n in table_names], *(extra_dirs or {})])
    _prune(final.parent, keep=run_id)
    return final


def discard_staging(staging: Path) -> None:
    """Drop a staging folder that is not to be published."""
    shutil.rmtree(staging, ignore_errors=True)


def current_build(warehouse_dir: Path) -> Path | None:
    link = warehouse_dir / CURRENT
    return link.resolve() if link.exists() else None
