"""Blocking integrity checks: each fails on a deliberately broken table.

The Great Expectations suites live in expectations/*.json; a failure names the
expectation, the column, how many rows and a few of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.quality import gx_runtime  # noqa: E402
from pipeline.quality.checks import CHECKS, SEVERITIES  # noqa: E402
from pipeline.quality.findings import find_all  # noqa: E402
from pipeline.quality.integrity import (  # noqa: E402
    SCHEMA_CHECK,
    TableValidation,
    suite_columns,
    validate_table,
    validate_tables,
    validation_frame,
)
from pipeline.records import FUND_SOURCES, ParseNote  # noqa: E402
from pipeline.schema import TABLES  # noqa: E402
from pipeline.vocabulary import OPERATORS, TEMPLATE_LEGACY, TREES  # noqa: E402
from tests.quality_fixtures import clean_tables, legacy_report, tables_of  # noqa: E402
from tests.seed_warehouse import seed_tables  # noqa: E402

DERIVED = {"project_exists", "category_path", "duplicate_has_original"}


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    t = clean_tables()
    report = legacy_report(name="另一个项目", executed="2,719,852.00")
    report.notes.append(ParseNote("value_spilled_into_next_cell", "a repaired cell", 5))
    broken_report = tables_of(("z.txt", [report]))
    t = {name: pa.concat_tables([t[name], broken_report[name]]) for name in t}
    t["quality_findings"] = find_all(t)
    assert t["quality_findings"].num_rows == 1
    return t


def with_value(table: pa.Table, column: str, row: int, value) -> pa.Table:
    """The table with one cell changed (same schema)."""
    idx = table.schema.get_field_index(column)
    values = table.column(column).to_pylist()
    values[row] = value
    return table.set_column(idx, table.schema.field(idx), pa.array(values, type=table.schema.field(idx).type))


def with_row_repeated(table: pa.Table, row: int) -> pa.Table:
    return pa.concat_tables([table, table.slice(row, 1)])


def check(tables, name: str, table: pa.Table | None = None) -> TableValidation:
    return validate_table(name, table if table is not None else tables[name], {"projects": tables["projects"]})


def failed(validation: TableValidation) -> set[tuple[str, str | None]]:
    assert not validation.success
    return {(f.expectation, f.column) for f in validation.failures}


# --- the contract holds ----------------------------------------------------------------


def test_clean_tables_pass_every_suite(tables):
    results = validate_tables(tables)
    assert set(results) == set(gx_runtime.suite_names()) == set(TABLES)
    for name, result in results.items():
        assert result.success, (name, result.failures)
        assert result.statistics["evaluated_expectations"] == len(gx_runtime.suite_json(name)["expectations"])


def test_seed_tables_pass_every_suite():
    results = validate_tables(seed_tables())
    assert {name: r.success for name, r in results.items()} == {name: True for name in results}
    assert results["indicators"].row_count == 172 and results["projects"].row_count == 13


def test_pandas_frames_with_project_ids_work_too(tables):
    ids = set(tables["projects"].column("project_id").to_pylist())
    for name in ("funds", "indicators", "scores", "quality_findings"):
        assert validate_table(name, tables[name].to_pandas(), {"project_ids": ids}).success, name
    broken = with_value(tables["indicators"], "level2", 0, "社会效益指标")  # under 产出指标
    assert not validate_table("indicators", broken.to_pandas(), {"project_ids": ids}).success


def test_child_tables_need_the_projects():
    with pytest.raises(ValueError, match="project"):
        validate_table("funds", clean_tables()["funds"])


def test_metadata_is_plain_json(tables):
    broken = with_value(tables["funds"], "executed_yuan", 0, -1)
    meta = check(tables, "funds", broken).to_metadata()
    text = json.dumps(meta, ensure_ascii=False)
    assert '"success": false' in text and "executed_yuan" in text


def test_a_subset_is_validated_against_the_runs_projects(tables):
    """An incremental build validates only the rows of changed files, with all the run's projects as context."""
    subset = tables["indicators"].slice(0, 3)
    assert check(tables, "indicators", subset).success
    v = check(tables, "indicators", with_value(subset, "project_id", 0, "0123456789abcdef"))
    assert ("expect_column_values_to_be_in_set", "project_exists") in failed(v)
    assert v.row_count == 3


def test_the_frame_gx_filters_is_cheap_to_copy(tables):
    """Strings as categoricals and integers as int64 (GX compares smaller integers value by value)."""
    frame = validation_frame("indicators", tables["indicators"], gx_runtime.suite_json("indicators"),
                             {"projects": tables["projects"]})
    kinds = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert kinds["project_id"] == kinds["category_path"] == kinds["name"] == "category"
    assert kinds["seq"] == kinds["source_line"] == "int64" and kinds["project_exists"] == "bool"
    assert "level1" not in kinds  # read only to derive category_path


def test_gx_can_be_warmed_up_in_the_background():
    gx_runtime.warm_up().join()
    assert gx_runtime.validator() is gx_runtime.validator()


# --- keys --------------------------------------------------------------------------


def test_duplicate_project_id(tables):
    v = check(tables, "projects", with_row_repeated(tables["projects"], 0))
    assert failed(v) == {("expect_column_values_to_be_unique", "project_id")}
    assert v.failures[0].unexpected_count == 2


def test_null_and_malformed_keys(tables):
    v = check(tables, "projects", with_value(tables["projects"], "project_name", 1, None))
    assert failed(v) == {("expect_column_values_to_not_be_null", "project_name")}
    v = check(tables, "projects", with_value(tables["projects"], "project_id", 1, "not-a-hash"))
    assert ("expect_column_values_to_match_regex", "project_id") in failed(v)


def test_duplicate_compound_keys(tables):
    assert failed(check(tables, "funds", with_row_repeated(tables["funds"], 0))) == {
        ("expect_compound_columns_to_be_unique", "project_id,fiscal_year,fund_source")}
    assert failed(check(tables, "indicators", with_row_repeated(tables["indicators"], 0))) == {
        ("expect_compound_columns_to_be_unique", "project_id,seq")}
    assert failed(check(tables, "scores", with_row_repeated(tables["scores"], 0))) == {
        ("expect_compound_columns_to_be_unique", "project_id,component")}


# --- every row has its project -------------------------------------------------------


@pytest.mark.parametrize("name", ["funds", "indicators", "scores", "parse_notes", "quality_findings"])
def test_rows_without_their_project(tables, name):
    table = tables[name]
    assert table.num_rows > 0
    v = check(tables, name, with_value(table, "project_id", 0, "0123456789abcdef"))
    assert ("expect_column_values_to_be_in_set", "project_exists") in failed(v)
    failure = next(f for f in v.failures if f.column == "project_exists")
    assert failure.unexpected_count == 1
    assert failure.sample[0]["project_id"] == "0123456789abcdef"


# --- closed vocabularies -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, column, value",
    [
        ("projects", "report_type", "annual_report"),
        ("projects", "template", "self_evaluation_2030"),
        ("funds", "fund_source", "misc"),
        ("funds", "amount_unit", "美元"),
        ("indicators", "target_operator", "≈"),
        ("indicators", "actual_operator", "~"),
        ("indicators", "achievement", "mostly"),
        ("scores", "component", "奇怪的组"),
        ("source_files", "status", "lost"),
        ("quality_findings", "severity", "fatal"),
        ("quality_findings", "check_name", "made_up_check"),
    ],
)
def test_values_outside_their_vocabulary(tables, name, column, value):
    v = check(tables, name, with_value(tables[name], column, 0, value))
    assert failed(v) == {("expect_column_values_to_be_in_set", column)}
    assert v.failures[0].unexpected_count == 1


@pytest.mark.parametrize(
    "row_of_template, level1, level2",
    [
        ("self_evaluation_2021", "产出指标", "社会效益指标"),  # a level-2 of another level-1
        ("self_evaluation_2021", "投入与管理", "投入管理"),  # the older vocabulary in the current template
        ("self_evaluation_legacy", "投入与管理", "投入管理"),  # the older self-evaluation has no level 2
        ("performance_target", None, "数量"),  # a level 2 without its level 1
        ("self_evaluation_2021", None, None),
    ],
)
def test_categories_are_checked_per_template(tables, row_of_template, level1, level2):
    projects = tables["projects"].to_pandas().set_index("project_id")["template"]
    ind = tables["indicators"]
    row = next(i for i, p in enumerate(ind.column("project_id").to_pylist()) if projects[p] == row_of_template)
    broken = with_value(with_value(ind, "level1", row, level1), "level2", row, level2)
    v = check(tables, "indicators", broken)
    assert failed(v) == {("expect_column_values_to_be_in_set", "category_path")}
    assert v.failures[0].sample[0]["seq"] == ind.column("seq")[row].as_py()


# --- types and ranges ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, column, value",
    [
        ("funds", "budget_full_year_yuan", -1),
        ("funds", "executed_yuan", 10**14),  # a 万元 amount multiplied twice
        ("funds", "execution_rate_pct", 995000),  # 万元 over 元
        ("funds", "weight", -10),
        ("indicators", "weight", -5),
        ("indicators", "score", 150),
        ("indicators", "seq", 0),
        ("scores", "max_points", 360),
        ("projects", "total_score", 120),
        ("projects", "fiscal_year", 1900),
        ("source_files", "bytes", -1),
    ],
)
def test_values_outside_their_range(tables, name, column, value):
    v = check(tables, name, with_value(tables[name], column, 0, value))
    assert failed(v) == {("expect_column_values_to_be_between", column)}


def test_indicator_ending_before_it_starts(tables):
    broken = with_value(tables["indicators"], "source_line_end", 0, 1)
    assert failed(check(tables, "indicators", broken)) == {
        ("expect_column_pair_values_a_to_be_greater_than_b", "source_line_end,source_line")}


def test_duplicate_file_must_name_its_original(tables):
    broken = with_value(tables["source_files"], "status", 0, "duplicate")
    assert failed(check(tables, "source_files", broken)) == {("expect_column_values_to_be_in_set", "duplicate_has_original")}


def test_rejection_needs_a_reason():
    t = clean_tables()
    rejections = pa.Table.from_pylist([{"source_file": "x.txt", "source_line": 3, "report_family": None,
                                        "reason": None, "reason_line": None}], schema=TABLES["rejections"].schema)
    v = validate_table("rejections", rejections, {"projects": t["projects"]})
    assert failed(v) == {("expect_column_values_to_not_be_null", "reason")}


def test_arrow_types_follow_the_data_dictionary(tables):
    funds = tables["funds"]
    idx = funds.schema.get_field_index("fiscal_year")
    retyped = funds.set_column(idx, pa.field("fiscal_year", pa.int64()), funds.column(idx).cast(pa.int64()))
    v = check(tables, "funds", retyped)
    assert failed(v) == {(SCHEMA_CHECK, "fiscal_year")}


def test_missing_column(tables):
    frame = tables["projects"].to_pandas().drop(columns=["grade"])
    v = validate_table("projects", frame)
    assert failed(v) == {(SCHEMA_CHECK, "grade")}


# --- the suites stay in step with the code -------------------------------------------


def test_suites_read_only_known_columns():
    for name in gx_runtime.suite_names():
        unknown = set(suite_columns(gx_runtime.suite_json(name))) - set(TABLES[name].column_names) - DERIVED
        assert not unknown, (name, unknown)


def _value_set(suite: str, column: str) -> set:
    doc = gx_runtime.suite_json(suite)
    [exp] = [e for e in doc["expectations"]
             if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column]
    return set(exp["kwargs"]["value_set"])


def test_suite_vocabularies_match_the_code():
    assert _value_set("funds", "fund_source") == set(FUND_SOURCES)
    assert _value_set("indicators", "target_operator") == set(OPERATORS)
    assert _value_set("quality_findings", "check_name") == set(CHECKS)
    assert _value_set("quality_findings", "severity") == set(SEVERITIES)
    paths = set()
    for template, tree in TREES.items():
        for level1, children in tree.items():
            # level 2 may be empty where a report prints none (noted level2_missing)
            for level2 in ("",) if template == TEMPLATE_LEGACY else (*children, ""):
                paths.add(f"{template}|{level1}|{level2}")
    assert _value_set("indicators", "category_path") == paths


def test_suites_are_valid_gx_suites():
    gx = gx_runtime.gx()
    for name in gx_runtime.suite_names():
        suite = gx.ExpectationSuite(**gx_runtime.suite_json(name))
        assert suite.name == name and suite.expectations
