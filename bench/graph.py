"""The Dagster asset graph, materialized whole on the benchmark corpus.

This is what ``make run``, the daily schedule and the sensor run: every asset and
blocking asset check, with the project's IO manager, in one process (the
``Definitions`` executor). It runs after the cold build, so the parse cache is
warm, as it is for a scheduled run; its warehouse is published into a folder of
its own. The benchmark then changes one file and materializes the graph again,
as the sensor would: that run patches the graph's own build. An ephemeral Dagster
instance keeps the runs out of ``.dagster_home/``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bench.measure import PeakMemory


def materialize_graph(raw_dir: Path, cache_dir: Path, work: Path, workers: int, memory: PeakMemory,
                      fresh: bool = True) -> dict:
    """Seconds, success, how the tables were built and peak memory of one materialization of
    the whole graph: ``fresh``, into an empty warehouse folder (a full build), else into the
    one the previous call published (which the graph patches when it can)."""
    import dagster as dg

    from assets.checks import INTEGRITY_CHECKS
    from assets.definitions import ASSETS
    from assets.io_manager import TablesIOManager
    from assets.resources import PipelinePaths

    if fresh:
        shutil.rmtree(work / "dagster-warehouse", ignore_errors=True)
    paths = PipelinePaths(raw_dir=str(raw_dir), warehouse_dir=str(work / "dagster-warehouse"),
                          cache_dir=str(cache_dir), workers=workers)
    resources = {"paths": paths, "io_manager": TablesIOManager(base_dir=str(work / "dagster-steps"))}
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance,
                                raise_on_error=False)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "success": result.success, "parse_cache": "warm",
            "tables_built": _how_tables_were_built(result), **memory.take().figures()}


def _how_tables_were_built(result) -> str | None:
    """``tidy_tables``' account of its build: "full: every file" or "patched: N file(s) parsed"."""
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == "file_states":
            return event.materialization.metadata["build"].value
    return None
