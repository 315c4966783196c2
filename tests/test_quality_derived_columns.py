"""The run-dependent columns the integrity suites check (pipeline/quality/derived_columns.py)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.quality.derived_columns import (
    NEEDS_PROJECTS,
    category_paths,
    duplicate_has_original,
    project_exists,
    with_derived_columns,
)
from pipeline.vocabulary import TEMPLATE_LEGACY, TREES


def test_category_paths_spell_each_path_once():
    table = pa.table({
        "project_id": ["a", "a", "a", "c", None],
        "level1": pa.array(["产出指标", None, "", "产出指标", "效益指标"]).dictionary_encode(),
        "level2": ["数量指标", "", None, "数量指标", None],
    })
    templates = (pa.array(["a", "b"]), pa.array(["t1", "t2"]))
    paths = category_paths(table, templates)
    assert paths.to_pylist() == ["t1|产出指标|数量指标", "t1||", "t1||", "?|产出指标|数量指标", "?|效益指标|"]
    assert len(paths.dictionary) == len(set(paths.dictionary.to_pylist())) == 4  # (None, "") and ("", None) too
    legacy_level1 = next(iter(TREES[TEMPLATE_LEGACY]))
    without_templates = table.slice(4).set_column(1, "level1", pa.array([legacy_level1]))
    assert category_paths(without_templates, None).to_pylist() == [f"{TEMPLATE_LEGACY}|{legacy_level1}|"]


def test_a_project_exists_only_among_the_runs_projects_and_a_null_id_is_left_to_not_null():
    ids = pa.array(["a", "b"])
    assert project_exists(pa.array(["a", "c", None, "b"]), ids).to_pylist() == [True, False, None, True]


def test_a_duplicate_must_name_its_original_and_other_files_need_not():
    table = pa.table({
        "status": ["parsed", "duplicate", "duplicate", "quarantined", None],
        "duplicate_of": [None, "x.txt", None, None, None],
    })
    assert duplicate_has_original(table).to_pylist() == [True, True, False, True, True]


def test_the_derived_columns_each_table_gets():
    funds = pa.table({"project_id": ["a", "z"]})
    derived = with_derived_columns("funds", funds, {"project_ids": ["a"]})
    assert derived.column_names == ["project_id", "project_exists"]
    assert derived["project_exists"].to_pylist() == [True, False]
    indicators = pa.table({"project_id": ["a"], "level1": ["产出指标"], "level2": ["数量指标"]})
    context = {"projects": pa.table({"project_id": ["a"], "template": ["t1"]})}
    derived = with_derived_columns("indicators", indicators, context)
    assert derived["category_path"].to_pylist() == ["t1|产出指标|数量指标"]
    assert with_derived_columns("rejections", pa.table({"reason": ["r"]}), None).column_names == ["reason"]


@pytest.mark.parametrize("table_name", NEEDS_PROJECTS)
def test_tables_of_project_rows_need_the_runs_projects(table_name):
    with pytest.raises(ValueError, match="needs context"):
        with_derived_columns(table_name, pa.table({"project_id": ["a"]}), None)
