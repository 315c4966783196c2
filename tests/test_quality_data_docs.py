"""Data Docs: every suite's latest validation, rendered as a static site."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.quality import gx_runtime  # noqa: E402
from pipeline.quality.data_docs import build_data_docs  # noqa: E402
from pipeline.quality.findings import find_all  # noqa: E402
from pipeline.quality.integrity import validate_table, validate_tables  # noqa: E402
from tests.quality_fixtures import clean_tables  # noqa: E402


@pytest.fixture(scope="module")
def validations():
    tables = clean_tables()
    tables["quality_findings"] = find_all(tables)
    results = validate_tables(tables)
    broken = tables["funds"].set_column(
        tables["funds"].schema.get_field_index("fund_source"),
        tables["funds"].schema.field("fund_source"),
        pa.array(["misc"] + tables["funds"].column("fund_source").to_pylist()[1:],
                 type=tables["funds"].schema.field("fund_source").type),
    )
    results["funds"] = validate_table("funds", broken, {"projects": tables["projects"]})
    return results


def test_index_lists_every_suite_and_its_latest_result(validations, tmp_path):
    index = build_data_docs(validations, tmp_path / "docs")
    assert index == (tmp_path / "docs" / "index.html").resolve() and index.exists()
    html = index.read_text(encoding="utf-8")
    for name in gx_runtime.suite_names():
        assert f"expectations/{name}.html" in html
        pages = list((tmp_path / "docs" / "validations" / name).rglob("*.html"))
        assert len(pages) == 1, name
    funds_page = next((tmp_path / "docs" / "validations" / "funds").rglob("*.html")).read_text(encoding="utf-8")
    assert "misc" in funds_page  # the unexpected value is shown


def test_summary_page_reads_offline(validations, tmp_path):
    build_data_docs(validations, tmp_path)
    summary = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "https://" not in summary
    for name in gx_runtime.suite_names():
        assert f"id='{name}'" in summary
    assert "funds: FAILED" in summary and "projects: passed" in summary


def test_a_rebuild_keeps_only_the_latest_validation(validations, tmp_path):
    build_data_docs(validations, tmp_path, run_name="first")
    build_data_docs(validations, tmp_path, run_name="second")
    runs = {p.name for p in (tmp_path / "validations" / "projects").iterdir()}
    assert runs == {"second"}


def test_validation_prints_no_progress_bars(capfd):
    tables = clean_tables()
    validate_table("indicators", tables["indicators"], {"projects": tables["projects"]})
    err = capfd.readouterr().err
    assert "Calculating Metrics" not in err and "%|" not in err
