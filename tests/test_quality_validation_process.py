"""Great Expectations in a process of its own (``pipeline.quality.validation_process``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.quality.integrity import validate_tables
from pipeline.quality import gx_runtime
from pipeline.quality.validation_process import (
    ValidationProcess,
    ValidationProcessFailed,
    Validator,
    content_digest,
    separate_process_pays,
)
from tests.quality_fixtures import clean_tables
from tests.runs import copy_seeds

ROOT = Path(__file__).resolve().parent.parent


def _plain(validations: dict) -> dict:
    """What a validation says, without its timing and its GX result object."""
    return {name: (v.success, v.failures, v.statistics, v.row_count) for name, v in validations.items()}


@pytest.fixture
def process():
    started = ValidationProcess()
    yield started
    started.close()


def test_it_validates_as_the_build_process_would_and_renders_the_docs(process, tmp_path):
    tables = clean_tables()
    broken = tables["indicators"].set_column(
        tables["indicators"].schema.get_field_index("seq"), "seq", pa.array([None] * tables["indicators"].num_rows,
                                                                           tables["indicators"].schema.field("seq").type))
    tables = {**tables, "indicators": broken}
    apart = process.validate(tables, tables["projects"], tmp_path / "docs")
    here = validate_tables(tables, projects=tables["projects"])
    assert _plain(apart) == _plain(here)
    assert not apart["indicators"].success and apart["projects"].success
    assert all(v.result is None for v in apart.values())  # no GX object crossed over
    process.wait_for_docs()
    assert (tmp_path / "docs" / "index.html").exists() and (tmp_path / "docs" / "summary.html").exists()


def test_an_error_in_the_process_is_raised_with_its_traceback(process, tmp_path):
    with pytest.raises(ValidationProcessFailed, match="Traceback"):
        process.validate({"projects": "not a table"}, None, tmp_path / "docs")


def test_a_process_closed_before_it_served_is_stopped(tmp_path):
    started = ValidationProcess()  # still importing GX
    started.close()
    assert not started._process.is_alive()
    with pytest.raises(ValidationProcessFailed, match="ended"):
        started.validate(clean_tables(), None, tmp_path / "docs")


_PATCHED_BUILD = """
import os, sys
from pathlib import Path
os.cpu_count = lambda: 2  # as on the benchmark machine, whatever this one has
from pipeline.build import build_warehouse
report = build_warehouse(Path(sys.argv[1]), Path(sys.argv[2]), cache_dir=None)
import multiprocessing
print(report.incremental, sorted(report.validations) == sorted(report.tables),
      all(v.success for v in report.validations.values()), "great_expectations" in sys.modules,
      (Path(sys.argv[2]) / "data_docs" / "index.html").exists(), multiprocessing.active_children() == [])
"""


def test_a_patched_build_never_imports_great_expectations_in_its_own_process(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    run = [sys.executable, "-c", _PATCHED_BUILD, str(raw), str(tmp_path / "wh")]
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    first = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert first.stdout.split() == ["False", "True", "True", "True", "True", "True"]  # a full build validates here
    next(raw.glob("*.txt")).unlink()  # a patch: the removed file's rows go
    second = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert second.stdout.split() == ["True", "True", "True", "False", "True", "True"], second.stderr
    # the same code's build again, but a changed manifest means a full build: the validation
    # process, started when the run read that build's state, is stopped; the build validates here
    manifest = raw / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(",2019,", ",2020,", 1), encoding="utf-8")
    third = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert third.stdout.split() == ["False", "True", "True", "True", "True", "True"], third.stderr
    assert "leaked" not in first.stderr + second.stderr + third.stderr


def test_a_process_that_has_imported_great_expectations_validates_itself():
    """A second process would import it again, to save only the validation itself."""
    gx_runtime.gx()
    assert not separate_process_pays()


def test_the_same_rows_with_the_same_projects_are_validated_once(process, tmp_path):
    """The Dagster graph validates a patched build's rows in its checks and again before it
    publishes: the second time, the process hands back what it found the first time."""
    tables = clean_tables()
    first = process.validate(tables, tables["projects"])
    again = process.validate({name: pa.concat_tables([t.slice(0, 1), t.slice(1)]) for name, t in tables.items()},
                             tables["projects"], tmp_path / "docs")  # other chunks, the same rows
    process.wait_for_docs()
    assert _plain(again) == _plain(first)
    assert {name: v.seconds for name, v in again.items()} == {name: v.seconds for name, v in first.items()}
    assert (tmp_path / "docs" / "index.html").exists()
    # other projects: only the tables whose suites read them (project_exists) are validated again
    fewer = tables["projects"].slice(1)
    other = process.validate(tables, fewer)
    assert other["funds"].seconds != first["funds"].seconds and not other["funds"].success
    assert other["source_files"].seconds == first["source_files"].seconds
    assert _plain(other) == _plain(validate_tables(tables, projects=fewer))


def test_a_validator_whose_process_ended_validates_in_its_own_process(tmp_path):
    validator = Validator(apart=True)
    try:
        validator._process._process.kill()
        tables = clean_tables()
        with pytest.warns(RuntimeWarning, match="ended"):
            validations = validator.validate(tables, tables["projects"], tmp_path / "docs", patched=True)
        assert not validator.apart
        validator.docs_written()
        assert _plain(validations) == _plain(validate_tables(tables, projects=tables["projects"]))
        assert (tmp_path / "docs" / "index.html").exists()
    finally:
        validator.close()


def test_a_validator_sends_only_a_patched_builds_rows_to_its_process(tmp_path):
    validator = Validator(apart=True)
    try:
        validator._process._process.kill()  # the process would fail: every row is validated here
        tables = clean_tables()
        validations = validator.validate(tables, tables["projects"], patched=False)
        assert validator.apart and all(v.result is not None for v in validations.values())
    finally:
        validator.close()


_GRAPH_RUN = """
import os, sys
from pathlib import Path
os.cpu_count = lambda: 2  # as on the benchmark machine, whatever this one has
import dagster as dg
from assets.checks import INTEGRITY_CHECKS
from assets.definitions import ASSETS
from assets.io_manager import TablesIOManager
from assets.resources import PipelinePaths, run_resources

if __name__ == "__main__":
    raw, work = Path(sys.argv[1]), Path(sys.argv[2])
    paths = PipelinePaths(raw_dir=str(raw), warehouse_dir=str(work / "wh"), cache_dir=str(work / "cache"), workers=1)
    with dg.instance_for_test() as instance:
        result = dg.materialize([*ASSETS, *INTEGRITY_CHECKS], instance=instance,
                                resources=run_resources(paths, TablesIOManager(base_dir=str(work / "steps"))))
    checks = result.get_asset_check_evaluations()
    build = [e.materialization.metadata["build"].value for e in result.get_asset_materialization_events()
             if e.asset_key.to_user_string() == "file_states"][0]
    import multiprocessing
    print(result.success, build.split(":")[0], len(checks), all(c.passed for c in checks),
          "great_expectations" in sys.modules, (work / "wh" / "data_docs" / "index.html").exists(),
          multiprocessing.active_children() == [])
"""


def test_a_patched_graph_run_validates_in_one_process_of_its_own(tmp_path):
    """The graph's checks and its ``warehouse`` step send a patched build's rows to the run's
    validation process: the run itself never imports Great Expectations."""
    raw = copy_seeds(tmp_path / "raw")
    run = [sys.executable, "-c", _GRAPH_RUN, str(raw), str(tmp_path)]
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    first = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert first.stdout.split() == ["True", "full", "8", "True", "True", "True", "True"], first.stderr
    next(raw.glob("*.txt")).unlink()
    second = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert second.stdout.split() == ["True", "patched", "8", "True", "False", "True", "True"], second.stderr
    # this code's build again, but another manifest: a full build, validated in the run's process
    manifest = raw / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(",2019,", ",2020,", 1), encoding="utf-8")
    third = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert third.stdout.split() == ["True", "full", "8", "True", "True", "True", "True"], third.stderr
    assert "leaked" not in first.stderr + second.stderr + third.stderr


def test_prepared_rows_are_validated_while_the_caller_goes_on(process, tmp_path):
    tables = clean_tables()
    process.prepare(tables, tables["projects"])  # returns at once
    process.prepare({"projects": "not a table"}, None)  # an error waits for the job that asks
    assert _plain(process.validate(tables, tables["projects"])) == _plain(validate_tables(tables, projects=tables["projects"]))
    with pytest.raises(ValidationProcessFailed, match="Traceback"):
        process.validate({"projects": "not a table"}, None)
    assert process.validate(tables, tables["projects"])["projects"].success  # still serving


def test_a_tables_digest_is_blind_to_chunks_and_dictionaries(tmp_path):
    from pyarrow import feather

    table = pa.table({"name": pa.array(["a", "b", "a", None] * 50).dictionary_encode(), "n": list(range(200))})
    feather.write_feather(table, tmp_path / "t.arrow", chunksize=7)  # batches of 7 rows, each with its dictionary
    read_back = feather.read_table(tmp_path / "t.arrow")
    assert read_back.column("name").num_chunks > 1
    assert content_digest(read_back) == content_digest(table)
    assert content_digest(table.slice(1)) != content_digest(table)
