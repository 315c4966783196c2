"""Build and publish a warehouse in a child process that can be killed on cue.

    python tests/publish_driver.py RAW_DIR WAREHOUSE_DIR quick|full

``quick`` runs read -> parse -> tables -> quality findings -> publish;
``full`` runs ``pipeline.build.build_warehouse`` (integrity checks and Data
Docs included), as ``make run`` does. With ``CRASH_AT=<point>`` in the
environment the process SIGKILLs itself at that point - no cleanup, no
``finally`` - as a power cut or ``kill -9`` would. The points are hooked from
outside (``pipeline.warehouse`` is not changed for tests):

    after_parse, after_tables      before anything is written
    mid_parquet                    after the 3rd Parquet file of the staging folder
    mid_database                   while warehouse.duckdb is being filled
    after_rename                   the staging folder is renamed, ``current`` not yet switched
    after_switch                   ``current`` switched, entry links and pruning not yet done
    before_prune                   all published, old versions not yet pruned
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pipeline.database as database  # noqa: E402
import pipeline.warehouse as warehouse  # noqa: E402

CRASH_AT = os.environ.get("CRASH_AT", "")
_real_replace = os.replace


def die(point: str) -> None:
    if point == CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def hook_warehouse() -> None:
    real_write, real_comments, real_prune = warehouse.write_parquet, database.comment_statements, warehouse._prune
    written = {"parquet": 0, "comments": 0}

    def write_parquet(*args, **kwargs):
        path = real_write(*args, **kwargs)
        written["parquet"] += 1
        if written["parquet"] == 3:
            die("mid_parquet")
        return path

    def comment_statements(*args, **kwargs):
        written["comments"] += 1
        if written["comments"] == 3:
            die("mid_database")
        return real_comments(*args, **kwargs)

    def replace(src, dst):
        result = _real_replace(src, dst)
        dst = Path(dst)
        if dst.parent.name == warehouse.VERSIONS:
            die("after_rename")
        if dst.name == warehouse.CURRENT:
            die("after_switch")
        return result

    def prune(versions_dir, keep):
        if keep:
            die("before_prune")
        return real_prune(versions_dir, keep)

    warehouse.write_parquet = write_parquet
    database.comment_statements = comment_statements
    warehouse._prune = prune
    warehouse.os.replace = replace  # the os module as seen from pipeline.warehouse


def quick(raw: Path, target: Path) -> None:
    from pipeline.ingest import mark_duplicates, parse_all
    from pipeline.quality.findings import find_all
    from pipeline.sources import discover, read_manifest
    from pipeline.tables import build_tables

    manifest, _ = read_manifest(raw)
    results = mark_duplicates(parse_all(discover(raw)))
    die("after_parse")
    tables = dict(build_tables(results, manifest).arrow)
    tables["quality_findings"] = find_all(tables)
    die("after_tables")
    warehouse.publish(tables, target)


def full(raw: Path, target: Path) -> None:
    from pipeline.build import build_warehouse

    build_warehouse(raw, target, cache_dir=None)


def main() -> None:
    raw, target, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    hook_warehouse()
    {"quick": quick, "full": full}[mode](raw, target)


if __name__ == "__main__":
    main()
