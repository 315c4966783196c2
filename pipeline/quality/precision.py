"""Printed precision: how much a printed number can hide, and when two agree.

A report prints rounded or truncated numbers (DOMAIN-RULES §2.3: the 2023
Shanghai system truncates, the 2019 form rounds). A printed value ``p`` with
``d`` decimals (unit ``u = 10^-d``) is consistent with an exact value ``v``
when ``round(v, d) == p`` or ``trunc(v, d) == p``, i.e. when
``p - u/2 <= v < p + u``. When ``v`` is itself computed from printed amounts,
it is only known to lie in an interval, and the two agree when the intervals
meet. Everything here is vectorized over pandas Series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Slack for float64 noise on comparisons of values with few decimals.
EPS = 1e-9

AMOUNT_FACTORS = {"元": 1.0, "万元": 10000.0, "亿元": 100000000.0}


def printed_decimals(raw: pd.Series, value: pd.Series | None = None) -> pd.Series:
    """Decimals printed in each raw number (``7,888.89`` -> 2, ``100.00%`` -> 2,
    ``55070152`` -> 0); NaN when the text holds no digit.

    Where the raw text is missing but a value is, the value's own decimals
    are used (float repr), so hand-built rows without raw text still work.
    """
    text = raw.astype("str").where(raw.notna(), "").str.strip().str.rstrip("%％) ").str.replace(",", "")
    has_digit = text.str.contains(r"\d", regex=True) & raw.notna()
    decimals = _chars_after_last_dot(text).astype("float64").where(has_digit)
    if value is not None:
        gaps = decimals.isna() & value.notna()
        if gaps.any():
            decimals = decimals.where(~gaps, value[gaps].map(_repr_decimals))
    return decimals.astype("float64")


def _chars_after_last_dot(text: pd.Series) -> pd.Series:
    """How many characters follow the last ``.`` of each text (0 without one), computed
    in Arrow when the texts are Arrow strings (``str.rfind`` runs in Python)."""
    if isinstance(text.array, pd.arrays.ArrowStringArray) and not text.isna().any():
        texts = pa.array(text.array)
        after = pc.utf8_length(pc.replace_substring_regex(texts, r"(?s)^.*\.", ""))
        has_dot = pc.match_substring(texts, ".")
        counts = pc.if_else(has_dot, after, 0).to_numpy(zero_copy_only=False)
        return pd.Series(counts, index=text.index)
    dot = text.str.rfind(".")
    return (text.str.len() - dot - 1).where(dot >= 0, 0)


def _repr_decimals(v: float) -> float:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    text = repr(float(v))
    if "e" in text or "." not in text:
        return 0.0
    frac = text.split(".")[1].rstrip("0")
    return float(len(frac))


def unit_of(decimals: pd.Series) -> pd.Series:
    """The last printed digit's unit, 10^-decimals (NaN stays NaN)."""
    return np.power(10.0, -decimals)


def half_unit_yuan(raw: pd.Series, value: pd.Series, amount_unit: pd.Series) -> pd.Series:
    """Half a unit of the last printed digit of an amount, in 元 (0 when unknown)."""
    factor = pd.Series(1.0, index=amount_unit.index)
    for unit, unit_factor in AMOUNT_FACTORS.items():
        factor = factor.mask(amount_unit == unit, unit_factor)
    half = unit_of(printed_decimals(raw, None)) / 2 * factor
    return half.where(raw.notna() & value.notna(), 0.0).fillna(0.0)


def agrees(printed: pd.Series, decimals: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """True where some v in [low, high] rounds or truncates to ``printed``."""
    unit = unit_of(decimals.fillna(0))
    lower = printed - unit / 2 - EPS
    upper = printed + unit + EPS
    return (high >= lower) & (low < upper)


def agrees_with_value(printed: pd.Series, decimals: pd.Series, value: pd.Series) -> pd.Series:
    """True where the exact ``value`` rounds or truncates to ``printed``."""
    return agrees(printed, decimals, value, value)


def fmt(value: float | None, places: int = 4) -> str:
    """A number for a message: up to ``places`` decimals, trailing zeros dropped."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "∅"
    text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def fmt_series(values: pd.Series, places: int = 4) -> pd.Series:
    """``fmt`` over a Series, formatting each distinct value once."""
    uniques = pd.unique(values.dropna())
    shown = {v: fmt(float(v), places) for v in uniques}
    return values.map(shown).astype("object").where(values.notna(), "∅")
