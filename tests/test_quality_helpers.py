"""The vectorised helpers of the quality rules agree with the plain pandas / difflib forms."""

from __future__ import annotations

import sys
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.quality.cross_report import similarity_if_reachable  # noqa: E402
from pipeline.quality.frames import isin, per_distinct  # noqa: E402
from pipeline.quality.precision import half_unit_yuan, printed_decimals  # noqa: E402

RAW = ["7,888.89", "100.00%", "55070152", None, "1.2.345", "12.5万", " 3.10 ) ", "abc", ".", "９.５"]


def test_printed_decimals_same_for_arrow_and_object_text():
    arrow = printed_decimals(pd.Series(RAW, dtype="str"))
    plain = printed_decimals(pd.Series(RAW, dtype=object))
    pd.testing.assert_series_equal(arrow, plain)
    assert arrow.tolist()[:3] == [2.0, 2.0, 0.0]
    assert arrow.tolist()[4:7] == [3.0, 2.0, 2.0]


def test_half_unit_factors():
    raw = pd.Series(["1.5", "2", "3.25", None], dtype="str")
    value = pd.Series([1.5, 2.0, 3.25, 4.0])
    unit = pd.Series(["万元", "元", None, "亿元"], dtype="str")
    assert half_unit_yuan(raw, value, unit).tolist() == [500.0, 0.5, 0.005, 0.0]


def test_per_distinct_equals_direct():
    names = pd.Series(["满意度", None, "成本率", "满意度", "x"], index=[4, 3, 2, 1, 0], dtype="str", name="name")

    def ends(s):
        return s.fillna("").str.endswith("率")

    pd.testing.assert_series_equal(per_distinct(names, ends), ends(names))
    upper = per_distinct(names, lambda s: s.str.upper())
    pd.testing.assert_series_equal(upper, names.str.upper())


def test_isin_equals_pandas():
    values = pd.Series(["a", "b", None, "c"], dtype="str", index=[9, 8, 7, 6])
    among = pd.Series(["c", "a", "a"], dtype="str")
    pd.testing.assert_series_equal(isin(values, among), values.isin(among.unique()))
    assert isin(values, among.iloc[:0]).tolist() == [False] * 4


def test_similarity_bounds_as_difflib():
    rng = np.random.default_rng(0)
    alphabet = list("12333热线全媒体智能咨询平台项目经费运行维护")
    for _ in range(500):
        a = "".join(rng.choice(alphabet, rng.integers(1, 15)))
        b = "".join(rng.choice(alphabet, rng.integers(1, 15)))
        for needed in (0.0, 0.5, 0.75):
            m = SequenceMatcher(None, a, b)
            reachable = not (needed > 0 and (m.real_quick_ratio() < needed or m.quick_ratio() < needed))
            assert similarity_if_reachable(a, b, needed) == (m.ratio() if reachable else 0.0)
