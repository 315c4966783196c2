"""Snapshots of the published warehouse for BI tools and spreadsheets.

``export_snapshot`` copies every table of the *current* build into a folder as

* ``<table>.parquet`` - the published file itself (zstd, exact decimals, field metadata);
* ``<table>.csv``     - UTF-8 with a BOM so Excel shows Chinese right; decimals
  written as exact text (``70785200.00``), never through a float; a null is an
  empty unquoted field, an empty string a quoted ``""``;
* ``<table>.xlsx``    - Chinese column headers (the dictionary's ``label_zh``),
  a comment on each header and a second sheet 字段说明 giving the English
  column name, meaning and unit; numbers are numbers formatted to their scale;

plus ``snapshot.json`` saying which build was exported, when, and the row counts.

Consistency: the ``current`` build is resolved once and its Parquet files are
copied under a shared lock (a rebuild can neither switch nor prune it half-way);
CSV and XLSX are then derived from those copies. Atomicity: everything is
written into a hidden folder beside ``dest`` and renamed into place, so ``dest``
holds either the previous snapshot or the new one. A non-empty ``dest`` that is
not an earlier snapshot is never overwritten.

``read_back`` reads an exported file back into a pyarrow Table with the
dictionary's types; the tests use it to prove the three formats round-trip.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from pipeline.schema import TABLES
from pipeline.warehouse import current_build
from pipeline.xlsx import read_xlsx, write_xlsx

FORMATS = ("parquet", "csv", "xlsx")
MANIFEST_NAME = "snapshot.json"
UTF8_BOM = b"\xef\xbb\xbf"

Progress = Callable[[str, str], None]  # (table, format) just written


class ExportError(Exception):
    """The snapshot cannot be written; nothing at the destination was changed."""


# --- where from, where to ------------------------------------------------------


@contextmanager
def _shared_build_lock(warehouse_dir: Path) -> Iterator[None]:
    """Hold off a rebuild (which takes the lock exclusively) while files are copied.

    On a read-only warehouse folder no rebuild can run either, so no lock is needed.
    """
    try:
        handle = open(warehouse_dir / ".lock", "a")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def table_order(names: list[str]) -> list[str]:
    """Dictionary tables in dictionary order, then any others alphabetically."""
    known = [name for name in TABLES if name in names]
    return known + sorted(set(names) - set(known))


def _copy_current_parquet(warehouse_dir: Path, into: Path) -> tuple[str, list[str]]:
    """Copy every table of the current build into ``into``; returns (build id, tables)."""
    with _shared_build_lock(warehouse_dir):
        build = current_build(warehouse_dir)
        if build is None or not build.is_dir():
            raise ExportError(f"no published warehouse in {warehouse_dir}: build it first (make run)")
        names = table_order([p.stem for p in build.glob("*.parquet")])
        if not names:
            raise ExportError(f"the current build {build} holds no tables")
        for name in names:
            shutil.copyfile(build / f"{name}.parquet", into / f"{name}.parquet")
    return build.name, names


def _is_snapshot(folder: Path) -> bool:
    return (folder / MANIFEST_NAME).is_file()


def _check_destination(dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise ExportError(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not _is_snapshot(dest):
        raise ExportError(
            f"{dest} is not empty and holds no earlier snapshot ({MANIFEST_NAME}); "
            "choose a new or empty folder so nothing of yours is overwritten"
        )


def _move_into_place(staging: Path, dest: Path) -> None:
    """Rename the finished snapshot to ``dest``, replacing an empty folder or an earlier snapshot."""
    _check_destination(dest)
    if dest.is_dir() and any(dest.iterdir()):
        retired = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.time_ns()}")
        os.rename(dest, retired)
        try:
            os.rename(staging, dest)
        except OSError:
            os.rename(retired, dest)
            raise
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, dest)  # onto a missing or empty folder: one atomic rename


# --- writers -------------------------------------------------------------------


def write_csv(table: pa.Table, path: Path) -> Path:
    """UTF-8 with BOM; decimals as exact text; strings always quoted so '' and null differ."""
    with open(path, "wb") as handle:
        handle.write(UTF8_BOM)
        pcsv.write_csv(table, handle, write_options=pcsv.WriteOptions(quoting_style="needed"))
    return path


def _write_formats(staging: Path, name: str, formats: tuple[str, ...], progress: Progress | None) -> dict:
    source = staging / f"{name}.parquet"
    table = pq.read_table(source)
    info: dict = {"rows": table.num_rows, "files": []}
    for fmt in formats:
        if fmt == "parquet":
            info["files"].append(source.name)
        elif fmt == "csv":
            info["files"].append(write_csv(table, staging / f"{name}.csv").name)
        elif fmt == "xlsx":
            result = write_xlsx(table, staging / f"{name}.xlsx", table_label(name, table))
            if result.path is not None:
                info["files"].append(result.path.name)
            if result.notes:
                info["xlsx_notes"] = result.notes
        if progress is not None:
            progress(name, fmt)
    if "parquet" not in formats:
        source.unlink()
    return info


def table_label(name: str, table: pa.Table) -> str:
    """The Chinese label of a table: from the file's own metadata, else the dictionary, else its name."""
    meta = table.schema.metadata or {}
    if b"label_zh" in meta:
        return meta[b"label_zh"].decode("utf-8")
    return TABLES[name].label_zh if name in TABLES else name


def export_snapshot(
    warehouse_dir: Path,
    dest: Path,
    formats: tuple[str, ...] | list[str] = FORMATS,
    progress: Progress | None = None,
) -> list[Path]:
    """Write every table of the current build to ``dest``; returns the files written.

    ``progress(table, format)`` is called after each file, for a progress bar.
    Raises ExportError (leaving ``dest`` untouched) when there is no published
    warehouse or ``dest`` is a non-empty folder that is not an earlier snapshot.
    """
    formats = tuple(dict.fromkeys(formats))
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats must be some of {FORMATS}, got {sorted(unknown) or 'none'}")
    warehouse_dir, dest = Path(warehouse_dir).expanduser().absolute(), Path(dest).expanduser().absolute()
    _check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(f".{dest.name}.partial-{os.getpid()}-{time.time_ns()}")
    staging.mkdir()
    try:
        build_id, names = _copy_current_parquet(warehouse_dir, staging)
        tables = {name: _write_formats(staging, name, formats, progress) for name in names}
        manifest = {
            "build": build_id,
            "warehouse": str(warehouse_dir),
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "formats": list(formats),
            "tables": tables,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _move_into_place(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = [dest / file for name in names for file in tables[name]["files"]]
    return [*written, dest / MANIFEST_NAME]


# --- reading a snapshot back -----------------------------------------------------


def expected_schema(dest: Path, table: str) -> pa.Schema:
    """The types to read ``table`` back with: the dictionary's, else the snapshot's Parquet file's."""
    if table in TABLES:
        return TABLES[table].schema
    parquet = Path(dest) / f"{table}.parquet"
    if parquet.exists():
        return pq.read_schema(parquet)
    raise ExportError(f"no types known for table {table!r}")


def read_csv(path: Path, schema: pa.Schema) -> pa.Table:
    """A snapshot CSV with exact types: decimals parsed from their text, '' kept apart from null."""
    options = pcsv.ConvertOptions(
        column_types=schema,
        include_columns=schema.names,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    table = pcsv.read_csv(path, convert_options=options)
    return table.select(schema.names).cast(schema)


def read_back(dest: Path, table: str, fmt: str) -> pa.Table:
    """One exported table read back as a pyarrow Table with the dictionary's column names and types.

    * parquet: the file as written (exact, with its field metadata);
    * csv: decimals parsed back from their text, so exact;
    * xlsx: Chinese headers mapped back to column names through the 字段说明
      sheet, numbers quantized to the column's scale; empty strings read as null
      (a spreadsheet cannot tell them apart).
    """
    dest = Path(dest)
    path = dest / f"{table}.{fmt}"
    if fmt == "parquet":
        return pq.read_table(path)
    if fmt == "csv":
        return read_csv(path, expected_schema(dest, table))
    if fmt == "xlsx":
        return read_xlsx(path, expected_schema(dest, table))
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
