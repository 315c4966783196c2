"""The Dagster asset graph, materialized whole on the benchmark corpus.

This is what ``make run``, the daily schedule and the sensor run: every asset and
blocking asset check, with the project's IO manager, in one process (the
``Definitions`` executor). It runs after the cold build, so the parse cache is
warm, as it is for a scheduled run; its warehouse is published into a folder of
its own. The benchmark then changes one file and materializes the graph again,
as the sensor would: that run patches the graph's own build. It runs in a fresh
process (``timed_graph_run``), as Dagster launches every run the sensor requests: the
imports of Dagster, the assets and the pipeline are part of what it waits for. An
ephemeral Dagster instance keeps the runs out of ``.dagster_home/``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import PeakMemory

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def materialize_graph(raw_dir: Path, cache_dir: Path, work: Path, workers: int, memory: PeakMemory,
                      fresh: bool = True) -> dict:
    """Seconds, success, how the tables were built and peak memory of one materialization of
    the whole graph: ``fresh``, into an empty warehouse folder (a full build), else into the
    one the previous call published (which the graph patches when it can)."""
    import dagster as dg

    from assets.checks import INTEGRITY_CHECKS
    from assets.definitions import ASSETS
    from assets.io_manager import TablesIOManager
    from assets.resources import PipelinePaths, run_resources

    if fresh:
        shutil.rmtree(work / "dagster-warehouse", ignore_errors=True)
    paths = PipelinePaths(raw_dir=str(raw_dir), warehouse_dir=str(work / "dagster-warehouse"),
                          cache_dir=str(cache_dir), workers=workers)
    resources = run_resources(paths, TablesIOManager(base_dir=str(work / "dagster-steps")))
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance,
                                raise_on_error=False)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "success": result.success, "parse_cache": "warm",
            "tables_built": _how_tables_were_built(result), "step_seconds": _step_seconds(result),
            **memory.take().figures()}


def _step_seconds(result) -> dict[str, float]:
    """How long each step (asset or asset check) took, as Dagster measured it."""
    return {event.step_key: round(event.event_specific_data.duration_ms / 1000, 3)
            for event in result.all_events if event.event_type_value == "STEP_SUCCESS"}


def _how_tables_were_built(result) -> str | None:
    """``tidy_tables``' account of its build: "full: every file" or "patched: N file(s) parsed"."""
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == "file_states":
            return event.materialization.metadata["build"].value
    return None


def timed_graph_run(raw_dir: Path, cache_dir: Path, work: Path, workers: int, out: Path) -> dict:
    """``materialize_graph`` into the graph's published build, in a fresh process: its figures,
    with ``seconds`` from the launch to the end of the run (its process's exit after that is
    ``exit_seconds``; the time of the materialization alone, ``in_process_seconds``)."""
    command = [sys.executable, "-m", "bench.graph", "--raw", str(raw_dir), "--cache", str(cache_dir),
               "--work", str(work), "--workers", str(workers), "--out", str(out)]
    launched = time.monotonic()  # CLOCK_MONOTONIC: the same clock in both processes
    subprocess.run(command, check=True, cwd=PROJECT_ROOT)
    ended = time.monotonic()
    figures = json.loads(out.read_text(encoding="utf-8"))
    run_ended = figures.pop("run_ended")
    figures["in_process_seconds"] = figures.pop("seconds")
    figures["seconds"] = round(run_ended - launched, 3)
    figures["exit_seconds"] = round(ended - run_ended, 3)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.graph", description="One run of the graph (see timed_graph_run).")
    for option in ("--raw", "--cache", "--work", "--out"):
        parser.add_argument(option, type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with PeakMemory() as memory:
        figures = materialize_graph(args.raw, args.cache, args.work, args.workers, memory, fresh=False)
        figures["run_ended"] = time.monotonic()
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
