"""The baseline: ``pandas.read_csv`` on the same bytes, in the same run.

What is measured, and why it is fair (rather than flattering):

* the same files are read from disk, in the same order, as the pipeline's
  read stage does - file I/O is inside the timing on both sides;
* their bytes are concatenated and handed to **one** ``read_csv`` call, so the
  baseline pays tokenizing only, not one Python call per file (one call per
  file costs several times more and would make our ratio look better);
* ``sep='\\t', header=None, dtype=str`` with a fixed set of 16 column names:
  every line becomes a row of string cells, which is the same cell splitting
  the pipeline's document model starts from; ``on_bad_lines='skip'`` drops
  the rare line with more than 16 cells instead of failing;
* the ``c`` engine: the ``pyarrow`` engine cannot read these bytes - it
  requires every row to have the same number of cells, so it would reject
  almost every line of a report (ragged rows are the norm) and time nothing
  comparable. ``--baseline-engines c,pyarrow`` still tries it and reports
  the error.

* in a fresh process of its own (``measure_in_fresh_process``), just before the
  cold build: measured last in the benchmark's own process, after the Dagster
  graph had peaked at 4 GB, the same call took 12-14 s instead of 8 s, a ratio
  that flattered the pipeline by a third.

Optionally (``per_file=True``) the one-call-per-file variant is timed too, as
an extra figure.

``python -m bench.baseline LIST [--per-file] [--engines c,...]``: the figures of the files
listed in LIST (one path per line) as JSON on stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

COLUMNS = list(range(16))


def _read_all(paths: list[Path]) -> bytes:
    return b"\n".join(p.read_bytes() for p in paths)


def _read_csv(data: bytes, engine: str) -> pd.DataFrame:
    options = dict(sep="\t", header=None, names=COLUMNS, dtype=str, on_bad_lines="skip", skip_blank_lines=True,
                   encoding="utf-8")
    if engine == "c":
        options.update(quoting=csv.QUOTE_NONE, low_memory=False, encoding_errors="replace")
    return pd.read_csv(io.BytesIO(data), engine=engine, **options)


def time_engine(paths: list[Path], engine: str) -> tuple[float, int]:
    """Seconds to read every file and parse all bytes in one call; rows produced."""
    started = time.perf_counter()
    frame = _read_csv(_read_all(paths), engine)
    return time.perf_counter() - started, len(frame)


def time_per_file(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        try:
            _read_csv(path.read_bytes(), "c")
        except (pd.errors.EmptyDataError, pd.errors.ParserError):
            continue
    return time.perf_counter() - started


def measure(paths: list[Path], per_file: bool = False, engines: tuple[str, ...] = ("c",)) -> dict:
    """The baseline figures: each engine's seconds, the chosen (fastest) one, rows parsed."""
    out: dict = {"engines": {}}
    for engine in engines:
        try:
            seconds, rows = time_engine(paths, engine)
        except Exception as exc:  # noqa: BLE001 - an engine that cannot read the bytes is reported, not fatal
            out["engines"][engine] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            continue
        out["engines"][engine] = {"seconds": round(seconds, 3), "rows": rows}
    timed = {k: v["seconds"] for k, v in out["engines"].items() if "seconds" in v}
    engine = min(timed, key=timed.get)
    out.update(engine=engine, seconds=timed[engine], rows=out["engines"][engine]["rows"])
    if per_file:
        out["per_file_seconds"] = round(time_per_file(paths), 3)
    return out


def measure_in_fresh_process(paths: list[Path], per_file: bool = False, engines: tuple[str, ...] = ("c",)) -> dict:
    """``measure`` in a new Python process (its startup not timed): the baseline then never
    pays for the memory the benchmark's own process has used."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as listing:
        listing.write("".join(f"{path}\n" for path in paths))
    try:
        command = [sys.executable, "-m", "bench.baseline", listing.name, "--engines", ",".join(engines)]
        done = subprocess.run(command + (["--per-file"] if per_file else []), capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parent.parent)
    finally:
        Path(listing.name).unlink(missing_ok=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pandas.read_csv on the bytes of the files listed")
    parser.add_argument("listing", type=Path, help="a text file naming one file per line")
    parser.add_argument("--per-file", action="store_true")
    parser.add_argument("--engines", default="c")
    args = parser.parse_args(argv)
    paths = [Path(line) for line in args.listing.read_text(encoding="utf-8").splitlines() if line]
    print(json.dumps(measure(paths, args.per_file, tuple(args.engines.split(",")))))


if __name__ == "__main__":
    main()
