"""A patched build staged in two parts (``pipeline.warehouse.StagedPatch``, started by
``pipeline.validated_publish.stage_patch``): the tables made first are written while the
run goes on, the findings are added, and the build is published only when its checks pass.
Dropped otherwise, with the build lock released."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

import pipeline.build as build
import pipeline.quality.validation_process as validation_process
from pipeline.patching import findings_of
from pipeline.validated_publish import IntegrityFailed, stage_patch, validate_and_publish
from pipeline.warehouse import VERSIONS
from tests.published import published_state
from tests.runs import copy_seeds
from tests.same_build import assert_same_as_full_build


def _patched_run(tmp_path: Path) -> tuple[Path, Path, build.WarehouseRun]:
    """A published build of the seeds, one of them changed, and the run that patches it,
    up to its findings."""
    raw = copy_seeds(tmp_path / "raw")
    warehouse = tmp_path / "wh"
    build.build_warehouse(raw, warehouse, cache_dir=None)
    changed = sorted(raw.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("场地运行维护经费", "场地运行维护二期经费", 1),
                       encoding="utf-8")
    run = build.WarehouseRun(raw, warehouse, cache_dir=None)
    run.read()
    run.parse()
    run.build_tables()
    assert run.patch is not None
    return raw, warehouse, run


def _with_findings(run: build.WarehouseRun) -> dict:
    """The run's tables and their findings (``WarehouseRun.find`` would stage the build itself)."""
    return {**run.tables, "quality_findings": findings_of(run.tables, run.patch)}


def _lock_is_free(warehouse: Path) -> bool:
    with open(warehouse / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_a_build_staged_before_its_findings_publishes_what_a_full_build_does(tmp_path):
    raw, warehouse, run = _patched_run(tmp_path)
    staged = stage_patch(dict(run.tables), warehouse, run.patch)  # the tidy tables: being written now
    assert not _lock_is_free(warehouse)
    tables = _with_findings(run)
    folder, validations = validate_and_publish(tables, warehouse, state=run.build_state(), patch=run.patch,
                                               staged=staged)
    assert (warehouse / "current").resolve() == folder and all(v.success for v in validations.values())
    assert _lock_is_free(warehouse)
    assert_same_as_full_build(raw, warehouse, tmp_path)
    patched = build.build_warehouse(raw, warehouse, cache_dir=None)  # the next run can patch it
    assert patched.incremental and patched.reparsed_files == 0


def test_a_staged_build_whose_checks_fail_is_dropped(tmp_path, monkeypatch):
    raw, warehouse, run = _patched_run(tmp_path)
    before = published_state(warehouse)
    staged = stage_patch(dict(run.tables), warehouse, run.patch)
    tables = _with_findings(run)
    real_validate = validation_process.validate_tables

    def failing(tables, projects=None):
        validations = real_validate(tables, projects)
        next(iter(validations.values())).success = False
        return validations

    monkeypatch.setattr(validation_process, "validate_tables", failing)
    with pytest.raises(IntegrityFailed):
        validate_and_publish(tables, warehouse, state=run.build_state(),
                             patch=run.patch, staged=staged)
    assert published_state(warehouse) == before  # no staging folder left either
    assert _lock_is_free(warehouse)


def test_a_staged_build_never_finished_is_dropped_when_closed(tmp_path):
    """A run stopped before it publishes (a check failed, the process is stopping)."""
    _, warehouse, run = _patched_run(tmp_path)
    before = published_state(warehouse)
    staged = stage_patch(dict(run.tables), warehouse, run.patch)
    staged.close()
    assert published_state(warehouse) == before
    assert not list((warehouse / VERSIONS).glob(".staging-*"))
    assert _lock_is_free(warehouse)


def test_a_thread_holding_the_build_lock_that_asks_again_is_told_so(tmp_path):
    """(Instead of waiting for itself forever: a run that staged its build must publish it
    through that staging, not through another.)"""
    _, warehouse, run = _patched_run(tmp_path)
    staged = stage_patch(dict(run.tables), warehouse, run.patch)
    try:
        with pytest.raises(RuntimeError, match="holds the build lock"):
            run.find()  # a patched run stages its build itself
    finally:
        run.abandon()
        staged.close()
    assert _lock_is_free(warehouse)
