"""Blocking integrity checks: the pipeline's contract, as Great Expectations suites.

Each table has one suite in ``expectations/<table>.json`` (keys unique and
non-null, closed vocabularies, sane ranges, every row has its project). A
failed suite means *our pipeline* broke its contract, and the warehouse must
not be published. Findings about the reports themselves are elsewhere
(``pipeline.quality.findings``).

Run-dependent facts enter as derived columns computed here before validation,
so the suites stay static JSON and the Data Docs stay readable:

* ``project_exists`` (funds, indicators, scores, parse_notes, quality_findings): the row's
  project_id is among the run's projects (``context["projects"]`` or
  ``context["project_ids"]``).
* ``category_path`` (indicators): ``template|level1|level2`` with the
  project's template, checked against the closed vocabulary of each template.
* ``duplicate_has_original`` (source_files): a duplicate names its original.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.quality import gx_runtime
from pipeline.quality.frames import frame
from pipeline.schema import TABLES
from pipeline.vocabulary import TEMPLATE_LEGACY, TREES

SAMPLE_ROWS = 5
NEEDS_PROJECTS = ("funds", "indicators", "scores", "parse_notes", "quality_findings")
SCHEMA_CHECK = "arrow_schema_matches_data_dictionary"


@dataclass
class ExpectationFailure:
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_in_set
    column: str | None  # column(s) concerned, comma-joined for compound keys
    unexpected_count: int
    sample: list  # a few offending rows: key columns, the value, source_file / source_line
    notes: str = ""  # why the expectation exists (from the suite JSON)
    observed: Any = None  # for table-level expectations: what was observed


@dataclass
class TableValidation:
    table: str
    success: bool
    failures: list[ExpectationFailure]
    statistics: dict
    row_count: int = 0
    seconds: float = 0.0
    result: Any = field(default=None, repr=False, compare=False)  # the GX ExpectationSuiteValidationResult

    def to_metadata(self) -> dict:
        """Plain JSON-able summary (for Dagster check metadata)."""
        return {
            "table": self.table,
            "success": self.success,
            "row_count": self.row_count,
            "seconds": round(self.seconds, 3),
            "statistics": self.statistics,
            "failures": [_plain(f.__dict__) for f in self.failures],
        }


def _plain(value: Any) -> Any:
    """numpy / pandas scalars -> Python, recursively (metadata must be JSON-able)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# --- derived columns ------------------------------------------------------------


def _project_frame(context: dict | None) -> pd.DataFrame | None:
    projects = (context or {}).get("projects")
    if projects is None:
        return None
    if isinstance(projects, pa.Table):
        projects = projects.select(["project_id", "template"])
    return frame(projects)[["project_id", "template"]]


def _project_ids(context: dict | None) -> set | None:
    projects = _project_frame(context)
    if projects is not None:
        return set(projects["project_id"].dropna())
    ids = (context or {}).get("project_ids")
    return set(ids) if ids is not None else None


def _templates(context: dict | None) -> dict | None:
    projects = _project_frame(context)
    if projects is not None:
        return dict(zip(projects["project_id"], projects["template"]))
    return (context or {}).get("project_templates")


def with_derived_columns(table_name: str, df: pd.DataFrame, context: dict | None) -> pd.DataFrame:
    """The frame plus the run-dependent columns its suite checks."""
    df = df.copy()
    if table_name in NEEDS_PROJECTS:
        ids = _project_ids(context)
        if ids is None:
            raise ValueError(f"validate_table({table_name!r}) needs context['projects'] or context['project_ids']")
        exists = df["project_id"].isin(list(ids)).astype(object)
        df["project_exists"] = exists.where(df["project_id"].notna(), None)  # GX skips nulls
    if table_name == "indicators":
        df["category_path"] = category_paths(df, _templates(context))
    if table_name == "source_files":
        df["duplicate_has_original"] = ((df["status"] != "duplicate") | df["duplicate_of"].notna()).astype(bool)
    return df


def _admitting_template() -> dict[str, str]:
    """``level1|level2`` -> a template whose vocabulary admits it (for runs without templates)."""
    admits: dict[str, str] = {}
    for template, tree in TREES.items():
        for level1, children in tree.items():
            for level2 in ("",) if template == TEMPLATE_LEGACY else children:
                admits.setdefault(f"{level1}|{level2}", template)
    return admits


def category_paths(df: pd.DataFrame, templates: dict | None) -> pd.Series:
    """``template|level1|level2`` per indicator.

    With the projects' templates known (``context["projects"]``) the pair is
    checked against its own template's vocabulary. Without them, the pair is
    checked against the union of the templates' vocabularies (a weaker check).
    """
    pair = df["level1"].fillna("").astype(str) + "|" + df["level2"].fillna("").astype(str)
    if templates is not None:
        template = df["project_id"].map(templates)
    else:
        template = pair.map(_admitting_template())
    return template.fillna("?").astype(str) + "|" + pair


# --- validation -----------------------------------------------------------------


def _sample_columns(table_name: str, df: pd.DataFrame) -> list[str]:
    wanted = [*TABLES[table_name].key, "source_file", "source_line"]
    return [c for c in dict.fromkeys(wanted) if c in df.columns]


def _column_of(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    for key in ("column_list", "column_set"):
        if key in kwargs and kwargs[key] is not None:
            return ",".join(kwargs[key]) if key == "column_list" else None
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return None


def _failure(result: Any) -> ExpectationFailure:
    config = result.expectation_config
    res = result.result or {}
    sample = res.get("partial_unexpected_index_list") or [{"value": v} for v in res.get("partial_unexpected_list", [])]
    observed = res.get("observed_value")
    if config.type == "expect_table_columns_to_match_set" and res.get("details"):
        observed = res["details"].get("mismatched")
    count = res.get("unexpected_count")
    if count is None:
        count = len(observed.get("missing", [])) if isinstance(observed, dict) else 1
    if result.exception_info and result.exception_info.get("raised_exception"):
        observed = result.exception_info.get("exception_message")
    return ExpectationFailure(
        expectation=config.type,
        column=_column_of(config.kwargs),
        unexpected_count=int(count),
        sample=_plain(sample[:SAMPLE_ROWS]),
        notes=(config.meta or {}).get("notes", ""),
        observed=_plain(observed),
    )


def schema_failures(table_name: str, data: pd.DataFrame | pa.Table) -> list[ExpectationFailure]:
    """Columns missing from the data, or (Arrow input) whose type differs from the data dictionary."""
    expected = TABLES[table_name].schema
    bad = []
    for field_ in expected:
        if isinstance(data, pa.Table):
            idx = data.schema.get_field_index(field_.name)
            actual = data.schema.field(idx).type if idx >= 0 else None
            if actual != field_.type:
                bad.append({"column": field_.name, "expected": str(field_.type), "actual": str(actual)})
        elif field_.name not in data.columns:
            bad.append({"column": field_.name, "expected": str(field_.type), "actual": None})
    if not bad:
        return []
    return [ExpectationFailure(SCHEMA_CHECK, ",".join(b["column"] for b in bad), len(bad), bad,
                               "columns and Arrow types are those of the data dictionary (pipeline/schema.py)")]


def suite_columns(suite_doc: dict) -> list[str]:
    """Every column the suite's expectations read."""
    names: list[str] = []
    for exp in suite_doc["expectations"]:
        kwargs = exp["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                names.append(kwargs[key])
        names.extend(kwargs.get("column_list") or [])
    return list(dict.fromkeys(names))


def validation_frame(
    table_name: str, df: pd.DataFrame | pa.Table, suite_doc: dict, context: dict | None
) -> pd.DataFrame:
    """Only the columns the suite reads (plus the sample columns), with derived columns added.

    GX filters the whole frame for each expectation, so a narrow frame is
    what makes a million-row table validate in seconds.
    """
    present = set(df.column_names if isinstance(df, pa.Table) else df.columns)
    wanted = [*suite_columns(suite_doc), *TABLES[table_name].key, "source_file", "source_line", "project_id",
              "level1", "level2", "status", "duplicate_of"]
    keep = [c for c in dict.fromkeys(wanted) if c in present]
    narrow = df.select(keep) if isinstance(df, pa.Table) else df[keep]
    data = with_derived_columns(table_name, frame(narrow, table_name), context)
    derived = [c for c in suite_columns(suite_doc) if c in data.columns]
    return data[list(dict.fromkeys([*derived, *[c for c in keep if c in data.columns]]))]


def validate_table(table_name: str, df: pd.DataFrame | pa.Table, context: dict | None = None) -> TableValidation:
    """Run the table's suite on its data; blocking when ``success`` is False.

    ``df`` is the table as a pyarrow Table (preferred: its schema is checked
    against the data dictionary too, and the conversion is vectorized) or a
    pandas DataFrame. ``context`` gives the run's projects for referential
    integrity: ``{"projects": <projects table>}`` (or ``project_ids`` and
    ``project_templates``).
    """
    started = time.perf_counter()
    failures = schema_failures(table_name, df)
    suite_doc = gx_runtime.suite_json(table_name)
    data = validation_frame(table_name, df, suite_doc, context)
    result_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_ROWS,
        "unexpected_index_column_names": _sample_columns(table_name, data),
    }
    result = gx_runtime.validate(data, gx_runtime.gx().ExpectationSuite(**suite_doc), result_format)
    failures += [_failure(r) for r in result.results if not r.success]
    stats = _plain(dict(result.statistics))
    return TableValidation(
        table=table_name,
        success=bool(result.success) and not failures,
        failures=failures,
        statistics=stats,
        row_count=len(data),
        seconds=time.perf_counter() - started,
        result=result,
    )


def validate_tables(tables: dict[str, pa.Table | pd.DataFrame]) -> dict[str, TableValidation]:
    """Every table that has a suite, with the run's projects as context."""
    context = {"projects": tables["projects"]} if "projects" in tables else None
    return {
        name: validate_table(name, tables[name], context)
        for name in gx_runtime.suite_names()
        if name in tables
    }
