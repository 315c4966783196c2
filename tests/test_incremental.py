"""Incremental builds (``pipeline.incremental`` through ``pipeline.build.build_warehouse``).

After a published build, a run that finds a few files added, changed or removed
parses only those and patches the previous tables. What it publishes (every
Parquet file and every table and view of warehouse.duckdb) must equal what a
full build of the same raw folder publishes. When patching could differ (a
touched file shares content or a project key with an untouched one, the code
changed) the run falls back to a full build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.build as build
import pipeline.database as database
import pipeline.incremental as incremental
import pipeline.warehouse as warehouse
from pipeline.build_state import read_state
from pipeline.synthetic import generate_file, plan
from pipeline.validated_publish import IntegrityFailed
from tests.published import fail_validation, published_state
from tests.runs import copy_seeds, synthetic_corpus_fixtures
from tests.same_build import assert_same_as_full_build

SEED, N = 5, 60


corpus, raw = synthetic_corpus_fixtures(N, SEED)


def _build(raw: Path, warehouse: Path, **kwargs) -> build.BuildReport:
    return build.build_warehouse(raw, warehouse, cache_dir=None, **kwargs)


def _replace(raw: Path, index: int, seed: int) -> str:
    """Another generated report in place of the index-th file (same family and form)."""
    entry = plan(N, SEED)[index]
    (raw / entry.source_file).write_bytes(generate_file(seed, entry).data)
    return entry.source_file


def test_a_changed_file_is_the_only_one_parsed_and_the_result_equals_a_full_build(raw, tmp_path):
    first = _build(raw, tmp_path / "wh")
    assert not first.incremental
    _replace(raw, 7, SEED + 1000)
    second = _build(raw, tmp_path / "wh")
    assert second.incremental and second.reparsed_files == 1
    assert_same_as_full_build(raw, second.folder, tmp_path)


def test_a_patched_database_links_again_only_the_reports_a_touched_one_reaches(raw, tmp_path, monkeypatch):
    """The stored lineage is computed again for the reports sharing an agency or a unit with
    the changed file's (and so on), not for all: and it equals a full build's."""
    _build(raw, tmp_path / "wh")
    reached, real_reach = [], database._reach

    def counted(con):
        name = real_reach(con)
        reached.append(con.execute(f"SELECT (SELECT count(*) FROM {name}), count(*) FROM warehouse.main.projects"
                                   ).fetchone())
        return name

    monkeypatch.setattr(database, "_reach", counted)
    _replace(raw, 7, SEED + 1000)
    report = _build(raw, tmp_path / "wh")
    assert report.incremental
    [(count, total)] = reached
    assert 0 < count < total
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_added_and_removed_files_are_patched(raw, tmp_path):
    _build(raw, tmp_path / "wh")
    entries = plan(N, SEED)
    (raw / entries[3].source_file).unlink()
    (raw / "zz_new.txt").write_bytes(generate_file(SEED + 7, entries[5]).data)
    report = _build(raw, tmp_path / "wh")
    assert report.incremental and report.reparsed_files == 1
    states = read_state(report.folder).files
    assert entries[3].source_file not in states and states["zz_new.txt"].status == "parsed"
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_an_unchanged_folder_is_republished_without_parsing(raw, tmp_path, monkeypatch):
    _build(raw, tmp_path / "wh")
    reads, read_bytes = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or read_bytes(self))
    report = _build(raw, tmp_path / "wh")
    assert report.incremental and report.reparsed_files == 0
    assert [p.name for p in reads if p.is_relative_to(raw)] == ["manifest.csv"], "same stat: not read again"


def test_a_new_copy_of_an_existing_report_falls_back_to_a_full_build(raw, tmp_path):
    _build(raw, tmp_path / "wh")
    original = plan(N, SEED)[4].source_file
    shutil.copyfile(raw / original, raw / "zz_copy.txt")
    report = _build(raw, tmp_path / "wh")
    assert not report.incremental
    rows = {r["source_file"]: r for r in pq.read_table(report.folder / "source_files.parquet").to_pylist()}
    assert rows["zz_copy.txt"]["status"] == "duplicate" and rows["zz_copy.txt"]["duplicate_of"] == original
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_other_code_or_a_changed_manifest_means_a_full_build(raw, tmp_path, monkeypatch):
    _build(raw, tmp_path / "wh")
    monkeypatch.setattr(incremental, "code_fingerprint", lambda: "other code")
    assert not _build(raw, tmp_path / "wh").incremental
    monkeypatch.undo()
    assert _build(raw, tmp_path / "wh").incremental
    manifest = raw / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[2], "另一个机构")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _build(raw, tmp_path / "wh")
    assert not report.incremental
    assert "另一个机构" in pq.read_table(report.folder / "projects.parquet").column("agency").to_pylist()


def test_many_changed_files_mean_a_full_build(raw, tmp_path):
    _build(raw, tmp_path / "wh")
    files = len(plan(N, SEED))
    for index in range(int(files * incremental.MAX_TOUCHED_SHARE) + 1):
        _replace(raw, index, SEED + 2000)
    report = _build(raw, tmp_path / "wh")
    assert not report.incremental
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_a_build_with_full_flag_ignores_the_previous_build(raw, tmp_path):
    _build(raw, tmp_path / "wh")
    _replace(raw, 2, SEED + 3000)
    assert not _build(raw, tmp_path / "wh", incremental=False).incremental


def test_splice_puts_new_rows_where_a_sorted_build_would():
    old = pa.table({"source_file": ["a", "a", "b", "c", "c", "e"], "v": [1, 2, 3, 4, 5, 6]})
    new = pa.table({"source_file": ["b", "d", "d"], "v": [30, 40, 41]})
    out = incremental.splice(old, new, ["b", "c", "d"])
    assert out.to_pydict() == {"source_file": ["a", "a", "b", "d", "d", "e"], "v": [1, 2, 30, 40, 41, 6]}
    assert incremental.splice(old, new.slice(0, 0), ["a", "b", "c", "e"]).num_rows == 0


def test_a_changed_report_updates_the_cross_report_findings_of_untouched_reports(tmp_path):
    """The 2020 target table (untouched) prints last year's budget of the 2019 report; when
    only the 2019 report's file changes, the 2020 report's cross-report finding appears."""
    raw = copy_seeds(tmp_path / "raw")
    _build(raw, tmp_path / "wh")
    changed = raw / "001_63f17e4ebc71a82a.txt"
    text = changed.read_text(encoding="utf-8")
    assert "70,785,200.00" in text
    changed.write_text(text.replace("70,785,200.00", "71,785,200.00").replace("70,784,807.00", "71,784,807.00"),
                       encoding="utf-8")
    report = _build(raw, tmp_path / "wh")
    assert report.incremental and report.reparsed_files == 1
    findings = pq.read_table(report.folder / "quality_findings.parquet").to_pylist()
    cross = [f for f in findings if f["check_name"] == "prior_year_matches_previous_report"]
    assert [f["source_file"] for f in cross] == ["002_7afd7b1555bf85c6.txt"]
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_a_new_report_with_an_existing_project_key_falls_back_to_a_full_build(tmp_path):
    """Two reports with the same project key get ids in file-name order: patching cannot
    decide that without the other file, so the run builds everything."""
    raw = copy_seeds(tmp_path / "raw")
    _build(raw, tmp_path / "wh")
    text = (raw / "001_63f17e4ebc71a82a.txt").read_text(encoding="utf-8")
    (raw / "000_copy_with_other_figures.txt").write_text(text.replace("70,784,807.00", "70,784,806.00"),
                                                         encoding="utf-8")
    report = _build(raw, tmp_path / "wh")
    assert not report.incremental
    projects = pq.read_table(report.folder / "projects.parquet").to_pylist()
    twins = [p for p in projects if p["project_name"] == "12333热线全媒体智能咨询平台项目经费"]
    assert len(twins) == 2 and len({p["project_id"] for p in twins}) == 2
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_a_patched_build_that_fails_validation_is_staged_then_discarded(raw, tmp_path, monkeypatch):
    """The patched build is written while its rows are validated; a failed check drops it
    (no staging folder left, the lock released) and the previous build stays published."""
    _build(raw, tmp_path / "wh")
    before = published_state(tmp_path / "wh")
    _replace(raw, 7, SEED + 1000)
    fail_validation(monkeypatch)
    with pytest.raises(IntegrityFailed):
        _build(raw, tmp_path / "wh")
    assert published_state(tmp_path / "wh") == before, "nothing published, nothing left behind"
    monkeypatch.undo()
    report = _build(raw, tmp_path / "wh")  # the lock was released: the next run publishes
    assert report.incremental
    assert_same_as_full_build(raw, report.folder, tmp_path)


def test_a_patched_build_whose_database_write_crashes_publishes_nothing(raw, tmp_path, monkeypatch):
    _build(raw, tmp_path / "wh")
    before = published_state(tmp_path / "wh")
    _replace(raw, 9, SEED + 2000)

    def crash(patch, db_path):
        raise OSError("disk full")

    monkeypatch.setattr(warehouse, "patch_database", crash)
    with pytest.raises(OSError, match="disk full"):
        _build(raw, tmp_path / "wh")
    assert published_state(tmp_path / "wh") == before, "nothing published, nothing left behind"
    monkeypatch.undo()
    assert _build(raw, tmp_path / "wh").incremental
