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
from pipeline.quality.validation_process import ValidationProcess, ValidationProcessFailed, separate_process_pays
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
