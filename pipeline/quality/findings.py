"""The ``quality_findings`` table: every source-consistency finding of a run.

These findings are about the *reports* (a rate that does not match its
amounts, a total that is not the sum of its parts); they are recorded, never
blocking. Pipeline-contract failures are the integrity suites' business
(``pipeline.quality.integrity``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import pyarrow as pa

from pipeline.quality import cross_report, fund_rules, indicator_rules, score_rules
from pipeline.quality.data import CheckData
from pipeline.quality.rows import FINDING_COLUMNS, no_findings
from pipeline.schema import QUALITY_FINDINGS

Rule = Callable[[CheckData], pd.DataFrame]

ALL_RULES: tuple[Rule, ...] = (
    *fund_rules.RULES,
    *indicator_rules.RULES,
    *score_rules.RULES,
    *cross_report.RULES,
)

_ORDER = ["source_file", "source_line", "table_name", "row_key", "check_name"]


def findings_frame(data: CheckData, rules: Iterable[Rule] = ALL_RULES) -> pd.DataFrame:
    """All findings as a pandas frame with the QUALITY_FINDINGS columns, in a stable order."""
    parts = [rule(data) for rule in rules]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return no_findings()
    out = pd.concat(parts, ignore_index=True)[FINDING_COLUMNS]
    out = out.drop_duplicates(subset=list(QUALITY_FINDINGS.key))
    return out.sort_values(_ORDER, kind="stable", na_position="last").reset_index(drop=True)


def to_arrow(findings: pd.DataFrame) -> pa.Table:
    """Findings frame -> a Table with exactly the QUALITY_FINDINGS schema."""
    schema = QUALITY_FINDINGS.schema
    arrays = []
    for field in schema:
        column = findings[field.name]
        if pa.types.is_integer(field.type):
            array = pa.array(pd.to_numeric(column, errors="coerce").astype("Int64"), type=pa.int64()).cast(field.type)
        else:
            text = column.astype("object").where(column.notna(), None)
            try:
                array = pa.array(text, type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                array = pa.array(text.map(lambda v: v if v is None else str(v)), type=pa.string())
            if pa.types.is_dictionary(field.type):
                array = array.dictionary_encode().cast(field.type)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def find_all(tables: dict[str, pa.Table | pd.DataFrame]) -> pa.Table:
    """The quality_findings table for a run's tables (projects, funds, indicators, scores)."""
    return to_arrow(findings_frame(CheckData.from_tables(tables)))
