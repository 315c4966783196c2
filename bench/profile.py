"""Where the time goes: cProfile of the parse and build-table stages on a synthetic corpus.

    python -m bench.profile --n 1000 [--files 500] [--top 30]

Parsing runs serially here (one process) so the profile sees every call, and from
the modules' Python source even where they are compiled (``PERFWH_PURE_PYTHON=1``,
unless set otherwise): cProfile does not see into compiled functions. The per-stage
totals of the real, parallel, compiled run are ``python -m bench.run``'s job.
Reports go to ``data/bench/profile-<stage>.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
from pathlib import Path

from pipeline.compiled import PURE_ENV

os.environ.setdefault(PURE_ENV, "1")  # before the parse modules are imported (see the docstring)

from bench.run import BENCH_DIR  # noqa: E402
from pipeline.parse_stage import inventory  # noqa: E402
from pipeline.ingest import parse_raw_file  # noqa: E402
from pipeline.synthetic import build_corpus  # noqa: E402
from pipeline.tables import build_tables  # noqa: E402


def _report(profile: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240)
    parser.add_argument("--files", type=int, default=0, help="profile only the first FILES files (0 = all)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    corpus = build_corpus(BENCH_DIR, args.n, args.seed)
    inv = inventory(corpus.raw_dir)
    files = inv.files[: args.files] if args.files else inv.files
    profiles = {}
    profile = cProfile.Profile()
    profile.enable()
    results = [parse_raw_file(f) for f in files]
    profile.disable()
    profiles["parse"] = profile
    profile = cProfile.Profile()
    profile.enable()
    build_tables(results, inv.manifest)
    profile.disable()
    profiles["build_tables"] = profile
    for stage, prof in profiles.items():
        text = _report(prof, args.top)
        path = Path(BENCH_DIR) / f"profile-{stage}.txt"
        path.write_text(text, encoding="utf-8")
        total = pstats.Stats(prof).total_tt
        print(f"== {stage}: {total:.2f} s over {len(files)} files (full report: {path})")
        print("\n".join(text.splitlines()[:args.top + 12]))


if __name__ == "__main__":
    main(sys.argv[1:])
