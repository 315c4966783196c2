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

Optionally (``per_file=True``) the one-call-per-file variant is timed too, as
an extra figure.
"""

from __future__ import annotations

import csv
import io
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
