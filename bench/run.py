"""The benchmark: ``python -m bench.run --n 100000`` (or ``make bench N=100000``).

1. Generate the synthetic corpus of N reports into ``data/bench/corpus-<n>-<seed>/``
   (reused when the same generator made it before).
2. Cold build on it with an empty parse cache, every stage timed: read, parse
   (``--workers`` processes), build tables, findings, validate, data docs,
   write Parquet, publish; peak memory of the process tree sampled throughout
   (reported per phase: the cold build, the queries, the incremental build).
3. Accuracy: the tables against the generator's ground truth (all files, or an
   evenly spread sample of ``--accuracy-files`` for big corpora).
4. Query latency of ``docs/queries/*.sql`` on the published warehouse.
5. Incremental rebuild: one file changed, the build run again as ``perfwh build`` would,
   in a fresh process (``bench/rebuild.py``; timed from its launch to its exit): only that
   file is parsed and the published tables are patched (``pipeline.incremental``); the
   file is restored afterwards.
6. The Dagster asset graph materialized whole, as ``make run`` and the schedule do
   (``bench/graph.py``; warm parse cache), then again with one file changed, as the
   sensor would (the graph patches its own build), in a fresh process as Dagster
   launches that run.
Before step 2, the baseline: ``pandas.read_csv`` on the same bytes, in a fresh process
(see ``bench/baseline.py``).

Figures are printed and written to ``data/bench/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import baseline, queries
from bench.graph import materialize_graph, timed_graph_run
from bench.measure import MB, PeakMemory, Stopwatch
from bench.rebuild import timed_rebuild
from bench.stages import run_build
from pipeline.compiled import parsers_compiled
from pipeline.synthetic import FilePlan, build_corpus, generate_file, plan, sample
from pipeline.synthetic.truth import compare, summary

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "data" / "bench"
QUERIES_DIR = PROJECT_ROOT / "docs" / "queries"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="reports in the corpus (default 1000)")
    parser.add_argument("--seed", type=int, default=20240, help="generator seed (default 20240)")
    parser.add_argument("--workers", type=int, default=2, help="parse worker processes (default 2)")
    parser.add_argument("--accuracy-files", type=int, default=3000,
                        help="files checked against the truth; 0 = all (default 3000)")
    parser.add_argument("--per-file-baseline", action="store_true", help="also time one read_csv call per file")
    parser.add_argument("--baseline-engines", default="c", help="read_csv engines to time, comma-separated (default c)")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--skip-dagster", action="store_true", help="do not materialize the Dagster graph")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR)
    parser.add_argument("--out", type=Path, default=None, help="figures JSON (default <bench-dir>/latest.json)")
    return parser.parse_args(argv)


def check_accuracy(seed: int, entries: list[FilePlan], raw_dir: Path, tables, limit: int | None) -> dict:
    """Regenerate the truth of (a sample of) the files and tally the tables against it."""
    chosen = sample(entries, limit, seed)
    files = [generate_file(seed, e) for e in chosen]
    stale = [f.source_file for f in files if (raw_dir / f.source_file).read_bytes() != f.data]
    if stale:
        raise RuntimeError(f"corpus on disk differs from the generator for {len(stale)} files, e.g. {stale[0]}")
    digest = summary(compare(files, tables))
    digest["files_checked"] = len(files)
    digest["reports_checked"] = sum(len(f.reports) for f in files)
    return digest


@contextmanager
def one_file_changed(seed: int, entries: list[FilePlan], raw_dir: Path, variant: int = 1) -> Iterator[str]:
    """One file of the corpus holding other reports of the same family (one per ``variant``)
    while the block runs, restored afterwards; yields its name."""
    entry = entries[len(entries) // 2]
    path = raw_dir / entry.source_file
    original = path.read_bytes()
    path.write_bytes(generate_file(seed + 1_000_000 + variant * 3, entry).data)
    try:
        yield entry.source_file
    finally:
        path.write_bytes(original)


def incremental(seed: int, entries: list[FilePlan], raw_dir: Path, cache: Path, warehouse: Path, workers: int,
                work: Path) -> dict:
    """Change one file (another report of the same family), rebuild in a fresh process as
    ``perfwh build`` would (``bench.rebuild``), restore the file."""
    with one_file_changed(seed, entries, raw_dir) as changed:
        figures = timed_rebuild(raw_dir, cache, warehouse, workers, work / "rebuild.json")
    return {"changed_file": changed, **figures}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    out_path = args.out or args.bench_dir / "latest.json"
    print(f"benchmark: N={args.n} seed={args.seed} workers={args.workers} cpus={os.cpu_count()} "
          f"parsers={parser_build()} python={platform.python_version()} ({sys.base_prefix})")
    started = time.perf_counter()
    corpus = build_corpus(args.bench_dir, args.n, args.seed, workers=args.workers)
    print(f"corpus: {corpus.folder} ({corpus.files} files, {corpus.bytes / MB:.1f} MB, "
          f"{'reused' if corpus.reused else f'generated in {time.perf_counter() - started:.1f} s'})")
    entries = plan(args.n, args.seed)
    work = args.bench_dir / f"work-{args.n}-{args.seed}"
    cache, warehouse = work / "cache", work / "warehouse"
    shutil.rmtree(cache, ignore_errors=True)
    print("baseline: pandas.read_csv on the same bytes (a fresh process) ...", flush=True)
    paths = [corpus.raw_dir / e.source_file for e in entries]
    base = baseline.measure_in_fresh_process(paths, per_file=args.per_file_baseline,
                                             engines=tuple(args.baseline_engines.split(",")))
    figures: dict = {}
    with PeakMemory() as memory:
        print("cold build:")
        cold = Stopwatch(memory=memory)
        outcome = run_build(corpus.raw_dir, cache, warehouse, args.workers, cold)
        cold_memory = memory.take()
        tables = outcome.tables
        projects, indicators = tables["projects"].num_rows, tables["indicators"].num_rows
        memory.pause()
        print("accuracy ...", flush=True)
        accuracy = check_accuracy(args.seed, entries, corpus.raw_dir, tables, args.accuracy_files or None)
        del tables, outcome.tables
        memory.resume()
        print("queries ...", flush=True)
        query_times = queries.time_queries(warehouse / "warehouse.duckdb", queries.load_queries(QUERIES_DIR))
        query_memory = memory.take()
        inc = None
        if not args.skip_incremental:
            print("incremental build (one file changed):")
            memory.pause()  # the rebuild's process measures its own memory
            inc = incremental(args.seed, entries, corpus.raw_dir, cache, warehouse, args.workers, work)
            memory.resume()
        graph = None
        if not args.skip_dagster:
            print("dagster: the whole asset graph (warm parse cache) ...", flush=True)
            graph = materialize_graph(corpus.raw_dir, cache, work, args.workers, memory)
            print("dagster: the graph again, one file changed ...", flush=True)
            with one_file_changed(args.seed, entries, corpus.raw_dir, variant=2):
                memory.pause()  # the run's process measures its own memory
                graph["patched"] = timed_graph_run(corpus.raw_dir, cache, work, args.workers, work / "graph-run.json")
                memory.resume()
    seconds_total = sum(cold.seconds.values())
    timed = [q["ms"] for q in query_times.values() if "ms" in q]
    figures = {
        "reports": args.n,
        "files": corpus.files,
        "bytes": corpus.bytes,
        "seed": args.seed,
        "workers": args.workers,
        "projects_rows": projects,
        "indicator_rows": indicators,
        "seconds_total": round(seconds_total, 3),
        "reports_per_second": round(args.n / seconds_total, 1),
        "indicator_rows_per_second": round(indicators / seconds_total, 1),
        "stage_seconds": {k: round(v, 3) for k, v in cold.seconds.items()},
        # CPU seconds of the process tree per stage; the parse stage's include the tables
        # built while the files are parsed (their wall time is split off into build_tables)
        "cpu_seconds_total": round(sum(cold.cpu_seconds.values()), 2),
        "stage_cpu_seconds": {k: round(v, 2) for k, v in cold.cpu_seconds.items()},
        # of those, this process's alone (the rest is the parse worker processes')
        "stage_own_cpu_seconds": {k: round(v, 2) for k, v in cold.own_cpu_seconds.items()},
        # this process's time in Python's cyclic garbage collector (holding the GIL), per stage
        "stage_gc_seconds": {k: round(v, 3) for k, v in cold.gc_seconds.items()},
        "full_collections": sum(cold.full_collections.values()),
        "write_parquet_seconds": round(outcome.write_parquet_seconds, 3),  # part of publish
        **cold_memory.figures(),  # the cold build's: peak_rss_mb, peak_pss_mb, stage_peak_rss_mb
        "queries_peak_rss_mb": query_memory.figures()["peak_rss_mb"],
        "read_csv_seconds": base["seconds"],
        "read_csv_engine": base["engine"],
        "read_csv": base,
        "ratio_vs_read_csv": round(seconds_total / base["seconds"], 2),
        "incremental_seconds": inc["seconds"] if inc else None,
        "incremental": inc,
        "dagster": graph,
        "validation_seconds": round(cold.seconds.get("validate", 0.0), 3),
        "findings_seconds": round(cold.seconds.get("findings", 0.0), 3),
        "integrity_failures": outcome.integrity_failures,
        "max_query_ms": max(timed) if timed else None,
        "queries": query_times,
        "accuracy": accuracy["accuracy"],
        "accuracy_detail": accuracy,
        "corpus": {"folder": str(corpus.folder), "reused": corpus.reused, "generation_seconds": corpus.seconds,
                   "indicators_generated": corpus.indicators},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "python_home": sys.base_prefix,
                    "platform": platform.platform()},
        "parsers": parser_build(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print_figures(figures)
    print(f"figures written to {out_path}")
    return figures


def parser_build() -> str:
    """How the parse modules run: ``compiled`` (Cython, see ``pipeline.compiled``) or ``python``."""
    return "compiled" if parsers_compiled() else "python"


def print_figures(f: dict) -> None:
    print()
    print(f"reports {f['reports']:,}  files {f['files']:,}  indicator rows {f['indicator_rows']:,}  "
          f"({f['bytes'] / MB:.1f} MB)")
    print(f"end to end        {f['seconds_total']:8.2f} s   {f['reports_per_second']:,.0f} reports/s   "
          f"{f['indicator_rows_per_second']:,.0f} indicator rows/s")
    for stage, seconds in f["stage_seconds"].items():
        print(f"  {stage:<15} {seconds:8.2f} s   peak {f['stage_peak_rss_mb'].get(stage, 0):,.0f} MB")
    print(f"    write Parquet {f['write_parquet_seconds']:8.2f} s   (part of publish)")
    cpu, own = f["stage_cpu_seconds"], f["stage_own_cpu_seconds"]
    parse_cpu = cpu.get("parse", 0) + cpu.get("build_tables", 0)
    parse_own = own.get("parse", 0) + own.get("build_tables", 0)
    print(f"cpu time          {f['cpu_seconds_total']:8.2f} s   (process tree; parse + build tables "
          f"{parse_cpu:.1f} s: {parse_cpu - parse_own:.1f} s in the workers, {parse_own:.1f} s in this process; "
          f"findings {cpu.get('findings', 0):.1f} s, validate {cpu.get('validate', 0):.1f} s, "
          f"publish {cpu.get('publish', 0):.1f} s)")
    print(f"garbage collection {sum(f['stage_gc_seconds'].values()):7.2f} s   (this process, cold build; "
          f"{f['full_collections']} full collections)")
    print(f"peak memory       {f['peak_rss_mb']:8,.0f} MB RSS ({f['peak_pss_mb']:,.0f} MB PSS), process tree, cold build")
    print(f"pandas.read_csv   {f['read_csv_seconds']:8.2f} s ({f['read_csv_engine']} engine)   "
          f"ratio {f['ratio_vs_read_csv']:.1f}x")
    if f["incremental"]:
        inc = f["incremental"]
        how = "previous tables patched" if inc.get("patched") else "full rebuild"
        print(f"incremental       {inc['seconds']:8.2f} s   ({inc['reparsed_files']} file re-parsed, {how}; "
              f"a fresh process: start {inc['startup_seconds']:.2f} s, build {inc['build_seconds']:.2f} s, "
              f"exit {inc['exit_seconds']:.2f} s)   peak {inc['peak_rss_mb']:,.0f} MB RSS ({inc['peak_pss_mb']:,.0f} MB PSS)")
        for stage, seconds in inc["stages"].items():
            print(f"  {stage:<15} {seconds:8.2f} s   peak {inc['stage_peak_rss_mb'].get(stage, 0):,.0f} MB")
        print(f"    write Parquet {inc['write_parquet_seconds']:8.2f} s   (part of publish, beside the database patch)")
        print(f"    garbage collection {inc['gc_seconds']:4.2f} s   ({inc['full_collections']} full collections)")
    if f["dagster"]:
        graph = f["dagster"]
        print(f"dagster graph     {graph['seconds']:8.2f} s   ({'succeeded' if graph['success'] else 'FAILED'}, "
              f"{graph['parse_cache']} parse cache)   peak {graph['peak_rss_mb']:,.0f} MB RSS")
        if graph.get("patched"):
            again = graph["patched"]
            print(f"  one file changed {again['seconds']:7.2f} s   ({'succeeded' if again['success'] else 'FAILED'}, "
                  f"tables {again['tables_built']}; a fresh process, as Dagster launches the sensor's run: "
                  f"the materialization {again['in_process_seconds']:.2f} s, then exit {again['exit_seconds']:.2f} s)   "
                  f"peak {again['peak_rss_mb']:,.0f} MB RSS")
            steps = again.get("step_seconds") or {}
            checks = sum(seconds for step, seconds in steps.items() if step.endswith("_integrity"))
            print("    steps: " + ", ".join([*(f"{step} {seconds:.2f} s" for step, seconds in steps.items()
                                              if not step.endswith("_integrity")), f"checks {checks:.2f} s"]))
    print(f"validation        {f['validation_seconds']:8.2f} s   (+ findings {f['findings_seconds']:.2f} s)")
    if f["max_query_ms"] is not None:
        print(f"queries           {f['max_query_ms']:8.1f} ms max over {len(f['queries'])}   "
              f"peak {f['queries_peak_rss_mb']:,.0f} MB RSS")
    for name, q in f["queries"].items():
        print(f"  {name:<40} {q.get('ms', q.get('error'))}")
    a = f["accuracy_detail"]
    print(f"accuracy          {a['accuracy']:.6f}  ({a['facts_correct']:,}/{a['facts']:,} facts, "
          f"{a['reports_checked']:,} reports in {a['files_checked']:,} files)")
    for family, value in a["by_family"].items():
        print(f"  {family:<25} {value:.6f}")
    for quirk, value in a["by_quirk"].items():
        if value is not None and value < 1:
            print(f"  quirk {quirk:<32} {value:.6f}")
    for worst in a["worst_fields"][:8]:
        example = worst["examples"][0] if worst["examples"] else {}
        print(f"  {worst['family']}.{worst['table']}.{worst['field']}: {worst['wrong']} wrong, e.g. {example}")
    if a["rejection_reasons"]:
        print(f"  rejections: {a['rejection_reasons']}")
    if f["integrity_failures"]:
        print(f"integrity failures: {f['integrity_failures']}")


if __name__ == "__main__":
    main(sys.argv[1:])
