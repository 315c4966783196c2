"""Warehouse tables as pandas frames the checks can compute on, fast.

Exact decimals stay exact in the warehouse; the checks compare them with
tolerances of a hundredth or of half a printed unit, far above float64's
resolution at these magnitudes, so here decimals become float64 (a vectorized
Arrow cast, instead of millions of ``Decimal`` objects in pandas) and
dictionary-encoded categories become plain strings.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.schema import TABLES


def _plain_type(typ: pa.DataType) -> pa.DataType | None:
    if pa.types.is_decimal(typ):
        return pa.float64()
    if pa.types.is_dictionary(typ):
        return typ.value_type
    return None


def arrow_for_checks(table: pa.Table) -> pa.Table:
    """Decimals as float64, dictionaries decoded; other columns unchanged."""
    columns = []
    fields = []
    for field, column in zip(table.schema, table.columns):
        target = _plain_type(field.type)
        if target is not None:
            column = pc.cast(column, target)
            field = pa.field(field.name, target, nullable=field.nullable)
        columns.append(column)
        fields.append(field)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def frame(data: pa.Table | pd.DataFrame, table_name: str | None = None) -> pd.DataFrame:
    """A pandas frame with float64 numbers and string categories.

    Accepts a warehouse ``pa.Table`` (preferred: the conversion is vectorized)
    or a DataFrame (e.g. ``table.to_pandas()``: Decimal objects and
    categoricals are converted; with ``table_name`` the data dictionary says
    which columns are decimals even when they hold no value).
    """
    if isinstance(data, pa.Table):
        # one chunk per column: filtering many-chunk Arrow-backed strings in pandas is slow
        return arrow_for_checks(data.combine_chunks()).to_pandas()
    out = data.copy()
    decimal_columns = set()
    if table_name in TABLES:
        decimal_columns = {f.name for f in TABLES[table_name].schema if pa.types.is_decimal(f.type)}
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            out[name] = col.astype(object).where(col.notna(), None)
        elif col.dtype == object and (name in decimal_columns or _holds_decimals(col)):
            out[name] = pd.to_numeric(col.map(lambda v: None if v is None else float(v)), errors="coerce").astype(
                "float64"
            )
    return out


def _holds_decimals(col: pd.Series) -> bool:
    sample = col.dropna().head(20)
    return len(sample) > 0 and all(isinstance(v, Decimal) for v in sample)


def _select(data: pa.Table | pd.DataFrame, columns: list[str] | None) -> pa.Table | pd.DataFrame:
    if columns is None:
        return data
    present = [c for c in columns if c in (data.column_names if isinstance(data, pa.Table) else data.columns)]
    return data.select(present) if isinstance(data, pa.Table) else data[present]


def frames(
    tables: dict[str, pa.Table | pd.DataFrame], columns: dict[str, list[str]] | None = None
) -> dict[str, pd.DataFrame]:
    """Every tidy table as a check frame (only ``columns[name]`` when given); missing tables come back empty."""
    out = {}
    for name in ("projects", "funds", "indicators", "scores", "parse_notes"):
        data = tables.get(name)
        if data is None:
            data = TABLES[name].schema.empty_table()
        out[name] = frame(_select(data, (columns or {}).get(name)), name)
    return out


def per_distinct(values: pd.Series, compute: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``compute(values)`` for an element-wise ``compute``, evaluated once per distinct value.

    Indicator names and targets repeat across reports (1.9 million indicators, a few
    thousand names), so text tests on the distinct values are far cheaper.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    distinct = compute(pd.Series(uniques))
    return pd.Series(distinct.array.take(codes), index=values.index, name=values.name)


def isin(values: pd.Series, among: pd.Series) -> pd.Series:
    """``values.isin(among)``, in Arrow when both hold Arrow strings (pandas builds a Python
    list of the whole value set first)."""
    if isinstance(values.array, pd.arrays.ArrowStringArray) and isinstance(among.array, pd.arrays.ArrowStringArray):
        found = pc.is_in(pa.array(values.array), value_set=pc.unique(pa.array(among.array)))
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, name=values.name, dtype=bool)
    return values.isin(among)
