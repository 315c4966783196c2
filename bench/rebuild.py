"""A rebuild as a user runs it: in a fresh process, the way ``perfwh build`` does.

``python -m bench.rebuild --raw R --cache C --warehouse W --out F`` imports what the
command line imports, runs the build stage by stage (``bench.stages.run_build``,
incremental) and writes its figures to ``F`` as JSON. ``timed_rebuild`` starts it
and times it from launch to exit: the interpreter's start, the imports and its
exit belong to what a user waits for, and a rebuild timed inside the benchmark's
own process (modules loaded, Great Expectations imported by the cold build) left
them out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def timed_rebuild(raw_dir: Path, cache_dir: Path, warehouse_dir: Path, workers: int, out: Path) -> dict:
    """Run ``bench.rebuild`` in a fresh process; its figures, with ``seconds`` from launch to
    exit and the share of it before the build (``startup_seconds``) and after (``exit_seconds``)."""
    command = [sys.executable, "-m", "bench.rebuild", "--raw", str(raw_dir), "--cache", str(cache_dir),
               "--warehouse", str(warehouse_dir), "--workers", str(workers), "--out", str(out)]
    launched = time.monotonic()  # CLOCK_MONOTONIC: the same clock in both processes (Linux, macOS)
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, env={**os.environ, "TQDM_DISABLE": "1"})
    ended = time.monotonic()
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["seconds"] = round(ended - launched, 3)
    figures["startup_seconds"] = round(figures.pop("build_started") - launched, 3)
    figures["exit_seconds"] = round(ended - figures.pop("build_ended"), 3)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild", description=__doc__.split("\n\n")[0])
    for option in ("--raw", "--cache", "--warehouse", "--out"):
        parser.add_argument(option, type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    import pipeline.cli  # noqa: F401  (what `perfwh build` imports before it builds)
    from bench.measure import PeakMemory, Stopwatch
    from bench.stages import run_build

    with PeakMemory() as memory:
        started = time.monotonic()
        watch = Stopwatch(memory=memory, echo=False)
        outcome = run_build(args.raw, args.cache, args.warehouse, args.workers, watch, incremental=True)
        ended = time.monotonic()
        peaks = memory.take()
    figures = {
        "build_started": started, "build_ended": ended,
        "build_seconds": round(sum(watch.seconds.values()), 3),
        "cpu_seconds": round(sum(watch.cpu_seconds.values()), 2),
        "reparsed_files": outcome.reparsed_files, "patched": outcome.incremental,
        "integrity_failures": outcome.integrity_failures,
        "stages": {k: round(v, 3) for k, v in watch.seconds.items()},
        "gc_seconds": round(sum(watch.gc_seconds.values()), 3),
        "full_collections": sum(watch.full_collections.values()),
        "write_parquet_seconds": round(outcome.write_parquet_seconds, 3),
        **peaks.figures(),
    }
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
    from pipeline.cli import end_process

    end_process(0)  # as `perfwh` ends
