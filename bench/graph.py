"""The Dagster asset graph, materialized whole on the benchmark corpus.

This is what ``make run``, the daily schedule and the sensor run: every asset and
blocking asset check, with the project's IO manager, in one process (the
``Definitions`` executor). It runs after the cold build, so the parse cache is
warm, as it is for a scheduled run; its warehouse is published into a folder of
its own. An ephemeral Dagster instance keeps the run out of ``.dagster_home/``.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.measure import PeakMemory


def materialize_graph(raw_dir: Path, cache_dir: Path, work: Path, workers: int, memory: PeakMemory) -> dict:
    """Seconds, success and peak memory of one materialization of the whole graph."""
    import dagster as dg

    from assets.checks import INTEGRITY_CHECKS
    from assets.definitions import ASSETS
    from assets.io_manager import TablesIOManager
    from assets.resources import PipelinePaths

    paths = PipelinePaths(raw_dir=str(raw_dir), warehouse_dir=str(work / "dagster-warehouse"),
                          cache_dir=str(cache_dir), workers=workers)
    resources = {"paths": paths, "io_manager": TablesIOManager(base_dir=str(work / "dagster-steps"))}
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance,
                                raise_on_error=False)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "success": result.success, "parse_cache": "warm",
            **memory.take().figures()}
