"""Blocking integrity checks: the pipeline's contract, as Great Expectations suites.

Each table has one suite in ``expectations/<table>.json`` (keys unique and
non-null, closed vocabularies, sane ranges, every row has its project). A
failed suite means *our pipeline* broke its contract, and the warehouse must
not be published. Findings about the reports themselves are elsewhere
(``pipeline.quality.findings``).

Run-dependent facts enter as derived columns computed before validation
(``pipeline.quality.derived_columns``), so the suites stay static JSON and the
Data Docs stay readable:

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
import pyarrow.compute as pc

from pipeline.memory import release_unused_memory
from pipeline.quality import gx_runtime
from pipeline.quality.derived_columns import arrow_table, with_derived_columns
from pipeline.schema import TABLES

SAMPLE_ROWS = 5
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
#
# Computed with Arrow compute functions: on two million indicators a pandas
# ``isin`` over a Python list of ids, or a ``map`` over a dict, takes seconds.


def gx_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas frame GX validates, cheap to filter.

    GX's pandas engine filters the *whole* frame (every column) a few times
    per expectation, so the frame is kept narrow and cheap to copy: strings
    become categoricals (integer codes; Arrow-backed strings copy their bytes
    on every filter), decimals float64 (see ``frames``), and integers int64
    (GX compares only int64 / float64 columns vectorized; int16 / int32 ones
    go through a Python function per value).
    """
    columns = [_gx_column(column) for column in table.columns]
    return pa.Table.from_arrays(columns, names=table.column_names).to_pandas()


def _gx_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    typ = column.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return pc.dictionary_encode(column)
    if pa.types.is_decimal(typ):
        return pc.cast(column, pa.float64())
    if pa.types.is_integer(typ) and typ.bit_width < 64:
        return pc.cast(column, pa.int64())
    return column


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
    sampled = [*TABLES[table_name].key, "source_file", "source_line"]
    inputs = ["project_id", "level1", "level2", "status", "duplicate_of"]  # of the derived columns
    keep = [c for c in dict.fromkeys([*suite_columns(suite_doc), *sampled, *inputs]) if c in present]
    narrow = df.select(keep) if isinstance(df, pa.Table) else df[keep]
    data = with_derived_columns(table_name, arrow_table(narrow, table_name), context)
    wanted = [c for c in dict.fromkeys([*suite_columns(suite_doc), *sampled]) if c in data.column_names]
    return gx_frame(data.select(wanted))


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
        # the "query" listing every unexpected row index costs one more filter of the
        # whole frame per expectation, and SUMMARY results do not include it anyway
        "return_unexpected_index_query": False,
    }
    result = gx_runtime.validate(data, gx_runtime.gx().ExpectationSuite(**suite_doc), result_format)
    row_count = len(data)
    failures += [_failure(r) for r in result.results if not r.success]
    stats = _plain(dict(result.statistics))
    del data
    release_unused_memory()  # the validation frame: one table's at a time, not their high-water mark
    return TableValidation(
        table=table_name,
        success=bool(result.success) and not failures,
        failures=failures,
        statistics=stats,
        row_count=row_count,
        seconds=time.perf_counter() - started,
        result=result,
    )


def validate_tables(tables: dict[str, pa.Table | pd.DataFrame], projects: pa.Table | None = None
                    ) -> dict[str, TableValidation]:
    """Every table that has a suite, with the run's projects as context (``projects``, else
    the projects among ``tables``: give them when ``tables`` hold only some rows)."""
    projects = projects if projects is not None else tables.get("projects")
    context = {"projects": projects} if projects is not None else None
    validations = {}
    for name in (n for n in gx_runtime.suite_names() if n in tables):
        validations[name] = validate_table(name, tables[name], context)
    return validations
