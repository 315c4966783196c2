"""A broken table is never published: each integrity failure blocks, in plain code and in Dagster."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from assets.checks import INTEGRITY_CHECKS
from assets.definitions import ASSETS
from assets.io_manager import TablesIOManager
from assets.resources import PipelinePaths, run_resources
from pipeline.paths import RAW_DIR
from pipeline.validated_publish import IntegrityFailed, validate_and_publish
from pipeline.tables import Tables
from pipeline.warehouse import VERSIONS, publish_after
from seed_warehouse import seed_tables


def _replace(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(index), pa.array(values, type=table.schema.field(index).type))


def _duplicate_first_row(table: pa.Table) -> pa.Table:
    return pa.concat_tables([table, table.slice(0, 1)])


def _orphan_rows(table: pa.Table) -> pa.Table:
    return _replace(table, "project_id", ["no-such-project"] * table.num_rows)


def _negative_amounts(table: pa.Table) -> pa.Table:
    budget = table.column("budget_full_year_yuan").to_pylist()
    return _replace(table, "budget_full_year_yuan", [-abs(v) if v is not None else None for v in budget])


def _unknown_level1(table: pa.Table) -> pa.Table:
    return _replace(table, "level1", ["不存在的指标"] * table.num_rows)


def _unknown_fund_source(table: pa.Table) -> pa.Table:
    return _replace(table, "fund_source", ["somewhere"] * table.num_rows)


def _null_key(table: pa.Table) -> pa.Table:
    ids = table.column("project_id").to_pylist()
    return _replace(table, "project_id", [None, *ids[1:]])


BREAKAGES = {
    "duplicate project key": ("projects", _duplicate_first_row),
    "null project key": ("projects", _null_key),
    "funds without their project": ("funds", _orphan_rows),
    "negative budget": ("funds", _negative_amounts),
    "fund source outside the vocabulary": ("funds", _unknown_fund_source),
    "level-1 outside the vocabulary": ("indicators", _unknown_level1),
    "scores without their project": ("scores", _orphan_rows),
    "duplicate indicator key": ("indicators", _duplicate_first_row),
}


@pytest.fixture(scope="module")
def good_tables() -> dict[str, pa.Table]:
    return seed_tables()


@pytest.fixture
def published(tmp_path: Path, good_tables) -> Path:
    validate_and_publish(good_tables, tmp_path)
    return tmp_path


def _project_count(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from projects").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_each_integrity_failure_blocks_publication(breakage, published: Path, good_tables):
    table_name, breaker = BREAKAGES[breakage]
    before = (published / "current").resolve()
    broken = {**good_tables, table_name: breaker(good_tables[table_name])}
    with pytest.raises(IntegrityFailed) as failed:
        validate_and_publish(broken, published)
    assert table_name in failed.value.failed
    assert (published / "current").resolve() == before
    assert _project_count(published) == 13


def test_a_build_staged_while_its_gate_runs_is_published_only_if_the_gate_passes(published: Path, good_tables,
                                                                               tmp_path_factory):
    """``publish_after`` (a patched build's publishing: written while its rows are validated)."""
    before, versions = (published / "current").resolve(), sorted((published / VERSIONS).iterdir())

    def failing() -> dict:
        raise IntegrityFailed({"projects": None})

    with pytest.raises(IntegrityFailed):
        publish_after(failing, good_tables, published)
    assert (published / "current").resolve() == before
    assert sorted((published / VERSIONS).iterdir()) == versions  # the staging folder is gone
    docs = tmp_path_factory.mktemp("docs")
    (docs / "index.html").write_text("<html/>", encoding="utf-8")
    folder = publish_after(lambda: {"data_docs": docs}, good_tables, published)
    assert (published / "current").resolve() == folder != before
    assert (published / "data_docs" / "index.html").exists() and _project_count(published) == 13


def test_a_failing_check_stops_the_dagster_warehouse_asset(tmp_path: Path, monkeypatch):
    """The blocking check fails, so the `warehouse` asset does not run and nothing is published."""
    import pipeline.build as build_module

    real_stream = build_module.stream_into_tables

    def stream_with_orphan_funds(*args, **kwargs):
        streamed = real_stream(*args, **kwargs)
        streamed.tables["funds"] = _orphan_rows(streamed.tables["funds"])
        return streamed

    monkeypatch.setattr(build_module, "stream_into_tables", stream_with_orphan_funds)
    paths = PipelinePaths(
        raw_dir=str(RAW_DIR), warehouse_dir=str(tmp_path / "warehouse"), cache_dir=str(tmp_path / "cache"), workers=1
    )
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [*ASSETS, *INTEGRITY_CHECKS], resources=run_resources(paths, TablesIOManager()),
            instance=instance, raise_on_error=False,
        )
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["funds_integrity"]
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "funds" in materialized and "warehouse" not in materialized
    assert not (tmp_path / "warehouse" / "warehouse.duckdb").exists()
    assert pc.sum(pc.equal(result.output_for_node("tidy_tables", "funds").column("project_id"), "no-such-project")).as_py() > 0


def test_a_patched_run_whose_changed_rows_fail_a_check_publishes_nothing(tmp_path: Path, monkeypatch):
    """When the graph patches the published build, its checks validate the changed rows:
    a broken one still blocks, and the previous build stays published."""
    import pipeline.build as build_module

    raw = Path(shutil.copytree(RAW_DIR, tmp_path / "raw"))
    paths = PipelinePaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "warehouse"),
                          cache_dir=str(tmp_path / "cache"), workers=1)
    resources = run_resources(paths, TablesIOManager(base_dir=str(tmp_path / "steps")))
    real_build_tables = build_module.build_tables

    def changed_rows_with_orphan_funds(*args, **kwargs):
        tables = dict(real_build_tables(*args, **kwargs).arrow)
        return Tables({**tables, "funds": _orphan_rows(tables["funds"])})

    with dg.instance_for_test() as instance:
        assert dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance).success
        before = (tmp_path / "warehouse" / "current").resolve()
        changed = sorted(raw.glob("*.txt"))[0]
        changed.write_bytes(changed.read_bytes() + b"\n")
        monkeypatch.setattr(build_module, "build_tables", changed_rows_with_orphan_funds)
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], resources=resources, instance=instance,
                                raise_on_error=False)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["funds_integrity"]
    assert "changed rows" in failed[0].metadata["rows_checked"].value
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "changed_rows" in materialized and "warehouse" not in materialized
    assert (tmp_path / "warehouse" / "current").resolve() == before
    assert _project_count(tmp_path / "warehouse") == 13
