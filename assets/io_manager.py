"""Where the asset graph keeps what its steps hand each other.

Dagster's default IO manager pickles every output and unpickles a full copy for
each step that reads it: at 100,000 reports the `warehouse` step alone then holds
every table twice over. Here Arrow tables are stored as uncompressed Arrow IPC
files and read back memory-mapped, so a step reads them without copying (their
pages belong to the page cache, which the kernel can drop and read back); any
other value is pickled, as by the default IO manager.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
from pyarrow import feather

from pipeline.memory import collections_paused

ARROW_MAGIC = b"ARROW1"


class ArrowFilesIOManager(dg.UPathIOManager):
    """Arrow tables as memory-mapped Arrow files, other values pickled, at ``<base>/<asset key>``."""

    extension: str = ""  # the same paths as Dagster's filesystem IO manager

    def __init__(self, base_dir: str):
        from upath import UPath

        super().__init__(base_path=UPath(base_dir))

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path) -> None:
        target = Path(str(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        # a new file, renamed over the old one: a table of an earlier run still mapped
        # by this process keeps its own (now unlinked) file
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            if isinstance(obj, pa.Table):
                feather.write_feather(obj, tmp, compression="uncompressed")
            else:
                with open(tmp, "wb") as handle, collections_paused():  # (see load_from_path)
                    pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def load_from_path(self, context: dg.InputContext, path) -> Any:
        source = Path(str(path))
        with open(source, "rb") as handle:
            if handle.read(len(ARROW_MAGIC)) != ARROW_MAGIC:
                handle.seek(0)
                # (a record per raw file: collections while they are built cost more than the loading)
                with collections_paused():
                    return pickle.load(handle)
        return feather.read_table(source, memory_map=True)


class TablesIOManager(dg.ConfigurableIOManagerFactory):
    """``ArrowFilesIOManager`` under ``base_dir``, by default the Dagster instance's storage folder."""

    base_dir: str | None = None

    def create_io_manager(self, context: dg.InitResourceContext) -> ArrowFilesIOManager:
        return ArrowFilesIOManager(self.base_dir or context.instance.storage_directory())
