"""The read_csv baseline of the benchmark (bench/baseline.py)."""

from __future__ import annotations

from pathlib import Path

from bench import baseline

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_the_baseline_in_a_fresh_process_reads_what_it_reads_here():
    paths = sorted(RAW.glob("0*.txt"))
    here = baseline.measure(paths)
    fresh = baseline.measure_in_fresh_process(paths)
    assert fresh["engine"] == here["engine"] == "c"
    assert fresh["rows"] == here["rows"] > 100
    assert fresh["seconds"] > 0
