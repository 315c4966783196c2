"""The Dagster layer: definitions load, the whole graph materializes on the seeds,
the schedule and the sensor say what they would run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from assets.automation import changed_files, daily_build, raw_files_changed
from assets.checks import FINDINGS, INTEGRITY_CHECKS, TIDY_SUITES
from assets.definitions import ASSETS, defs
from assets.io_manager import PARTS_MAGIC, TablesIOManager
from assets.resources import PipelinePaths, run_resources
from pipeline.quality.gx_runtime import suite_names
from pipeline.warehouse import StagedPatch, current_build
from pipeline.build import RAW_DIR, build_warehouse
from tests.same_build import assert_same_as_full_build

TABLES = ("projects", "funds", "indicators", "scores", "source_files", "rejections", "parse_notes", "quality_findings")


@pytest.fixture
def paths(tmp_path: Path) -> PipelinePaths:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    return PipelinePaths(
        raw_dir=str(raw), warehouse_dir=str(tmp_path / "warehouse"), cache_dir=str(tmp_path / "cache"), workers=1
    )


def test_definitions_load_every_asset_check_schedule_and_sensor():
    repo = defs.get_repository_def()
    keys = {key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()}
    assert {"raw_files", "quality_findings", "warehouse", *TABLES} <= keys
    check_names = {key.name for key in repo.asset_graph.asset_check_keys}
    assert {f"{t}_integrity" for t in ("projects", "funds", "indicators", "scores", "source_files")} <= check_names
    assert defs.get_schedule_def("daily_build").cron_schedule == "0 2 * * *"
    assert defs.get_sensor_def("raw_files_changed") is not None


def test_materialize_whole_graph_on_the_seeds(paths: PipelinePaths, tmp_path: Path):
    with dg.instance_for_test() as instance:
        resources = run_resources(paths, TablesIOManager(base_dir=str(tmp_path / "steps")))
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations)
    con = duckdb.connect(str(Path(paths.warehouse_dir) / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from projects").fetchone()[0] == 13
    assert con.execute("select count(*) from indicators").fetchone()[0] == 172
    statuses = con.execute("select status, count(*) from source_files group by status").fetchall()
    assert statuses == [("parsed", 5)]
    steps = tmp_path / "steps"  # the tables the steps handed each other are Arrow files
    assert all((steps / name).read_bytes().startswith(PARTS_MAGIC) for name in TABLES)


def test_the_next_perfwh_build_patches_what_the_graph_published(paths: PipelinePaths, tmp_path: Path):
    """The graph records each file's state and the tables' snapshot: a changed file is then
    the only one `perfwh build` parses, and the patched build equals a full one."""
    with dg.instance_for_test() as instance:
        resources = run_resources(paths, TablesIOManager(base_dir=str(tmp_path / "steps")))
        assert dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance).success
    changed = sorted(paths.raw.glob("*.txt"))[0]
    changed.write_bytes(changed.read_bytes() + "\n".encode())  # new bytes, the same report
    report = build_warehouse(paths.raw, paths.warehouse, cache_dir=paths.cache, incremental=True)
    assert report.incremental and report.reparsed_files == 1
    full = build_warehouse(paths.raw, tmp_path / "full", cache_dir=None, incremental=False)
    for name in TABLES:
        assert report.tables[name].to_pylist() == full.tables[name].to_pylist(), name


def test_the_graph_patches_its_own_build_when_a_file_changes(paths: PipelinePaths, tmp_path: Path, monkeypatch):
    """The second materialization parses only the changed file, patches the published findings
    and database instead of recomputing them, and publishes what a full build does; the tables
    its steps hand each other share the published snapshot's untouched files."""
    monkeypatch.setattr("pipeline.snapshot.SHARD_FILES", 1)  # a shard per file: 4 of 5 untouched
    monkeypatch.setattr("pipeline.arrow_parts.LINK_MIN_BYTES", 0)  # (the seeds' shards are small)
    resources = run_resources(paths, TablesIOManager(base_dir=str(tmp_path / "steps")))
    with dg.instance_for_test() as instance:
        first = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance)
        changed = sorted(paths.raw.glob("*.txt"))[0]
        renamed = changed.read_text(encoding="utf-8").replace("场地运行维护经费", "场地运行维护二期经费", 1)
        changed.write_text(renamed, encoding="utf-8")

        def recomputed(*args, **kwargs):
            raise AssertionError("a patched run must not recompute everything")

        finished, real_finish = [], StagedPatch.finish

        def finish(self, *args, **kwargs):
            finished.append(self.table_names)
            return real_finish(self, *args, **kwargs)

        with monkeypatch.context() as patched_only:
            patched_only.setattr("pipeline.patching.find_all", recomputed)
            patched_only.setattr("pipeline.warehouse.build_database", recomputed)
            patched_only.setattr(StagedPatch, "finish", finish)
            second = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance)
    assert first.success and second.success
    # the tidy tables were staged by their step; the warehouse step added the findings
    assert finished == [["projects", "funds", "indicators", "scores", "source_files", "rejections", "parse_notes"]]

    def metadata(result, asset: str) -> dict:
        [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
        return {key: value.value for key, value in event.materialization.metadata.items()}

    assert metadata(first, "file_states")["build"] == "full: every file"
    assert metadata(second, "file_states")["build"] == "patched: 1 file(s) parsed"
    assert metadata(first, "changed_rows")["touched_files"] == 0
    assert metadata(second, "changed_rows")["touched_files"] == 1
    assert (metadata(first, "warehouse")["patched"], metadata(second, "warehouse")["patched"]) == (False, True)

    def rows_checked(result) -> set[str]:
        return {e.metadata["rows_checked"].value.split(" (")[0] for e in result.get_asset_check_evaluations()}

    assert rows_checked(first) == {"every row"}
    assert all(e.passed for e in second.get_asset_check_evaluations())
    assert all(scope.startswith("the ") and scope.endswith(" changed rows") for scope in rows_checked(second))
    published = Path(paths.warehouse_dir)
    assert_same_as_full_build(paths.raw, published, tmp_path)
    names = pq.read_table(published / "projects.parquet").column("project_name").to_pylist()
    assert "12333咨询平台场地运行维护二期经费" in names
    [steps_parts] = (tmp_path / "steps").glob(".projects.parts-*")
    snapshot_files = {os.stat(p).st_ino for p in (current_build(published) / "snapshot" / "projects").iterdir()}
    assert len({os.stat(p).st_ino for p in steps_parts.iterdir()} & snapshot_files) == 4  # linked, not copied


def test_schedule_targets_the_whole_graph():
    context = dg.build_schedule_context()
    request = daily_build.evaluate_tick(context)
    assert len(request.run_requests) == 1
    assert daily_build.job_name == "build_warehouse"


def test_sensor_requests_a_run_for_new_or_changed_files_only(paths: PipelinePaths):
    with dg.instance_for_test() as instance:
        first = raw_files_changed.evaluate_tick(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
        assert len(first.run_requests) == 1
        cursor = first.cursor
        again = raw_files_changed.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": paths})
        )
        assert not again.run_requests and again.skip_message
        new_file = Path(paths.raw_dir) / "2024" / "new_report.txt"
        new_file.parent.mkdir()
        new_file.write_text((Path(paths.raw_dir) / "000_a594e32171d85801.txt").read_text().replace("优", "良"))
        changed = raw_files_changed.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": paths})
        )
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].tags["changed_files"] == "2024/new_report.txt"


def test_changed_files_reports_added_changed_and_removed():
    assert changed_files({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
    assert changed_files({"a": "1"}, {}) == ["a"]


def test_dg_check_defs_loads_the_project():
    import subprocess
    import sys

    dg_cli = Path(sys.executable).with_name("dg")
    result = subprocess.run([str(dg_cli), "check", "defs"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_every_suite_has_its_check():
    """A suite added under expectations/ must get a check (``assets.checks``) too."""
    assert sorted([*TIDY_SUITES, FINDINGS]) == suite_names()
