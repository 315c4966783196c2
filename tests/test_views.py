"""The SQL helpers of pipeline/views.sql, on their own: ``percent_change`` gives exactly what
Python's decimals give, half-even to 2 decimals, for any two amounts the funds table can hold."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dictionary_docs import catalog

#: Amounts as the funds table holds them: DECIMAL(20, 2), in 元.
AMOUNTS = st.decimals(min_value=Decimal("-999999999999999999.99"), max_value=Decimal("999999999999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def con():
    con = catalog()  # every table empty, views.sql run: its macros defined
    yield con
    con.close()


def expected(new: Decimal, old: Decimal) -> Decimal | None:
    if old == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        return ((new - old) / old * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def percent_change(con: duckdb.DuckDBPyConnection, new: Decimal | None, old: Decimal | None) -> Decimal | None:
    (value,) = con.execute("SELECT percent_change(?::DECIMAL(20, 2), ?::DECIMAL(20, 2))", [new, old]).fetchone()
    return value


@settings(max_examples=300, deadline=None)
@given(new=AMOUNTS, old=AMOUNTS)
def test_percent_change_is_exact_and_half_even(con, new, old):
    assert percent_change(con, new, old) == expected(new, old)


@pytest.mark.parametrize(("new", "old", "change"), [
    ("1000.05", "1000.00", "0.00"),  # 0.005 %: a tie, to the even hundredth
    ("1000.15", "1000.00", "0.02"),  # 0.015 %
    ("-1000.05", "-1000.00", "0.00"),
    ("999.95", "1000.00", "0.00"),  # -0.005 %
    ("70785200.00", "33513600.00", "111.21"),
    ("0.00", "5.00", "-100.00"),
    ("999999999999999999.99", "0.01", "9999999999999999999800.00"),
])
def test_percent_change_at_ties_and_extremes(con, new, old, change):
    assert percent_change(con, Decimal(new), Decimal(old)) == Decimal(change)


@pytest.mark.parametrize(("new", "old"), [("5.00", "0.00"), (None, "5.00"), ("5.00", None), ("0.00", "0.00")])
def test_percent_change_is_null_without_a_base(con, new, old):
    to_decimal = lambda text: None if text is None else Decimal(text)  # noqa: E731
    assert percent_change(con, to_decimal(new), to_decimal(old)) is None
