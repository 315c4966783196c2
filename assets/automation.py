"""Keeping the warehouse current: a daily schedule and a sensor on data/raw/."""

import hashlib
import json

import dagster as dg

from assets.resources import PipelinePaths
from pipeline.parse_stage import known_stats
from pipeline.sources import discover

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Materialize every asset: raw reports -> tables -> checks -> warehouse.",
)

daily_build = dg.ScheduleDefinition(
    name="daily_build",
    job=build_warehouse_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild the warehouse every day at 02:00 Shanghai time.",
)


def raw_state(paths: PipelinePaths) -> dict[str, str]:
    """Each raw file's content hash (or refusal), by relative path; files the published
    build saw with the same stat are not read again."""
    known = known_stats(paths.raw, paths.warehouse)
    return {f.source_file: f.sha256 or f"refused:{f.refusal}" for f in discover(paths.raw, known=known)}


def changed_files(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """Files added, changed or removed since the last look."""
    return sorted(p for p in before.keys() | now.keys() if before.get(p) != now.get(p))


@dg.sensor(
    job=build_warehouse_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuild when files in data/raw/ are added, changed or removed. Only changed files are "
    "re-parsed: parse results are cached by content hash.",
)
def raw_files_changed(context: dg.SensorEvaluationContext, paths: PipelinePaths):
    before = json.loads(context.cursor) if context.cursor else {}
    now = raw_state(paths)
    changed = changed_files(before, now)
    if not changed:
        return dg.SkipReason("no raw file added, changed or removed")
    context.update_cursor(json.dumps(now, sort_keys=True))
    run_key = hashlib.sha256(json.dumps(now, sort_keys=True).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags={"changed_files": ",".join(changed)[:1000]})
