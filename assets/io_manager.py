"""Where the asset graph keeps what its steps hand each other.

Dagster's default IO manager pickles every output and unpickles a full copy for
each step that reads it: at 100,000 reports the `warehouse` step alone then holds
every table twice over. Here Arrow tables are stored as uncompressed Arrow files
and read back memory-mapped, so a step reads them without copying (their pages
belong to the page cache, which the kernel can drop and read back); any other
value is pickled, as by the default IO manager.

A table is stored as parts (``pipeline.arrow_parts``): the Arrow files of a folder
``.<asset>.parts-<id>`` beside ``<asset>``, a small list naming that folder and its
files. The parts of a patched table that are whole files of the published build's
snapshot are hard links to them, not copies. Two runs may write the same asset at
once: each writes a folder of its own, and replacing the list (under a lock per
asset) deletes only the folder it displaced; a step that read the displaced list
just before reads the new one.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
from pyarrow import feather

from pipeline.arrow_parts import read_parts, write_parts
from pipeline.memory import collections_paused

ARROW_MAGIC = b"ARROW1"
PARTS_MAGIC = b"PERFWH-ARROW-PARTS\n"


#: A parts folder no list names, this old, was left by a run that stopped while writing it.
ABANDONED_SECONDS = 24 * 3600
#: How often a step reads an asset's list again when the parts it named were replaced meanwhile.
READ_ATTEMPTS = 3


@contextmanager
def _asset_lock(target: Path) -> Iterator[None]:
    """One writer at a time replaces the list of ``target`` (and sees what it displaces)."""
    with open(target.with_name(f".{target.name}.lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _listed_folder(target: Path) -> Path | None:
    """The parts folder the list at ``target`` names (None if it holds no table's list)."""
    try:
        with open(target, "rb") as handle:
            if handle.read(len(PARTS_MAGIC)) != PARTS_MAGIC:
                return None
            return target.with_name(json.loads(handle.read())["folder"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _abandoned_folders(target: Path, listed: Path | None) -> list[Path]:
    """Parts folders of ``target`` no list names and nobody has written to for a day."""
    cutoff = time.time() - ABANDONED_SECONDS
    found = []
    for folder in target.parent.glob(f".{target.name}.parts-*"):
        try:
            if folder != listed and folder.stat().st_mtime < cutoff:
                found.append(folder)
        except OSError:
            continue
    return found


class ArrowFilesIOManager(dg.UPathIOManager):
    """Arrow tables as memory-mapped Arrow files, other values pickled, at ``<base>/<asset key>``."""

    extension: str = ""  # the same paths as Dagster's filesystem IO manager

    def __init__(self, base_dir: str):
        from upath import UPath

        super().__init__(base_path=UPath(base_dir))

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path) -> None:
        target = Path(str(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        # new files, renamed over the old ones: a table of an earlier run still mapped by
        # this process keeps its own (now unlinked) files
        tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
        parts = target.with_name(f".{target.name}.parts-{uuid.uuid4().hex}") if isinstance(obj, pa.Table) else None
        try:
            if parts is not None:
                parts.mkdir()
                listing = {"folder": parts.name, "parts": write_parts(obj, parts)}
                tmp.write_bytes(PARTS_MAGIC + json.dumps(listing).encode())
            else:
                with open(tmp, "wb") as handle, collections_paused():  # (see load_from_path)
                    pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)
            with _asset_lock(target):
                displaced = _listed_folder(target)
                os.replace(tmp, target)
                stale = _abandoned_folders(target, parts)
        except BaseException:
            if parts is not None:
                shutil.rmtree(parts, ignore_errors=True)
            raise
        finally:
            tmp.unlink(missing_ok=True)
        for old in ([displaced] if displaced is not None else []) + stale:
            shutil.rmtree(old, ignore_errors=True)

    def load_from_path(self, context: dg.InputContext, path) -> Any:
        source = Path(str(path))
        for attempt in range(READ_ATTEMPTS):
            try:
                return self._load(source)
            except FileNotFoundError:  # the parts just listed were replaced by another run's
                if attempt == READ_ATTEMPTS - 1 or not source.exists():
                    raise

    def _load(self, source: Path) -> Any:
        with open(source, "rb") as handle:
            head = handle.read(len(PARTS_MAGIC))
            if head.startswith(PARTS_MAGIC):
                listing = json.loads(handle.read())
                return read_parts(source.parent / listing["folder"], listing["parts"])
            if head.startswith(ARROW_MAGIC):  # one Arrow file (written by earlier versions)
                return feather.read_table(source, memory_map=True)
            handle.seek(0)
            # (a record per raw file: collections while they are built cost more than the loading)
            with collections_paused():
                return pickle.load(handle)


class TablesIOManager(dg.ConfigurableIOManagerFactory):
    """``ArrowFilesIOManager`` under ``base_dir``, by default the Dagster instance's storage folder."""

    base_dir: str | None = None

    def create_io_manager(self, context: dg.InitResourceContext) -> ArrowFilesIOManager:
        return ArrowFilesIOManager(self.base_dir or context.instance.storage_directory())
