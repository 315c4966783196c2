"""Building finding rows: one helper every rule uses, so all findings look alike."""

from __future__ import annotations

from string import Formatter

import pandas as pd

from pipeline.quality.checks import CHECKS
from pipeline.schema import QUALITY_FINDINGS

FINDING_COLUMNS = QUALITY_FINDINGS.column_names


def no_findings() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype="object") for name in FINDING_COLUMNS})


def _series(value, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value.reindex(index)
    return pd.Series([value] * len(index), index=index, dtype="object")


def emit(
    check_name: str,
    rows: pd.DataFrame,
    *,
    row_key: pd.Series | str,
    observed: pd.Series | str,
    expected: pd.Series | str,
    message: pd.Series | str,
    table_name: str | None = None,
) -> pd.DataFrame:
    """Findings of ``check_name``, one per row of ``rows`` (which carries
    project_id, source_file and source_line of the row concerned)."""
    if rows.empty:
        return no_findings()
    check = CHECKS[check_name]
    index = rows.index
    out = pd.DataFrame(
        {
            "check_name": check.name,
            "severity": check.severity,
            "table_name": table_name or check.table,
            "project_id": rows["project_id"],
            "row_key": _series(row_key, index),
            "observed": _series(observed, index),
            "expected": _series(expected, index),
            "message": _series(message, index),
            "source_file": rows["source_file"],
            "source_line": rows["source_line"],
        },
        index=index,
    )
    return out[FINDING_COLUMNS].astype("object")


def key_funds(rows: pd.DataFrame) -> pd.Series:
    year = rows["fiscal_year"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    return "fiscal_year=" + year + ";fund_source=" + rows["fund_source"].astype(str)


def key_indicators(rows: pd.DataFrame) -> pd.Series:
    seq = rows["seq"]
    if pd.api.types.is_integer_dtype(seq.dtype) and not isinstance(seq.dtype, pd.api.extensions.ExtensionDtype):
        return "seq=" + pd.Series(seq.to_numpy().astype(str).astype(object), index=seq.index)
    return "seq=" + seq.map(lambda v: str(int(v)))


def key_scores(rows: pd.DataFrame) -> pd.Series:
    return "component=" + rows["component"].astype(str)


def key_projects(rows: pd.DataFrame) -> pd.Series:
    return "project_id=" + rows["project_id"].astype(str)


def texts(template: str, rows: pd.DataFrame, **columns: pd.Series) -> pd.Series:
    """``template.format(**row)`` for every row, built column-wise (vectorized).

    Fields are plain names (``{name}``), taken from ``columns`` first, then
    from ``rows``; a field may carry a format spec (``{year:.0f}``). Missing
    values show as ``∅``.
    """
    out = pd.Series("", index=rows.index, dtype="object")
    for literal, field, spec, _ in Formatter().parse(template):
        if literal:
            out = out + literal
        if field is None:
            continue
        values = columns[field] if field in columns else rows[field]
        out = out + _as_text(values.reindex(rows.index), spec)
    return out


def _as_text(values: pd.Series, spec: str | None) -> pd.Series:
    if not spec and isinstance(values.dtype, pd.StringDtype):  # str(v) is v: no per-value formatting
        return values.astype("object").where(values.notna(), "∅")
    uniques = pd.unique(values.dropna())
    shown = {v: (format(v, spec) if spec else str(v)) for v in uniques}
    return values.map(shown).astype("object").where(values.notna(), "∅")
