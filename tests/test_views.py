"""The SQL helpers of pipeline/views.sql, on their own: ``percent_change`` and ``percent_of``
give exactly what Python's decimals give, half-even to 2 decimals, for any two amounts the funds
table can hold and any two counts."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_warehouse import seed_warehouse  # noqa: F401 - fixture

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
    new, old = (None if text is None else Decimal(text) for text in (new, old))
    assert percent_change(con, new, old) is None


def percent_of(con: duckdb.DuckDBPyConnection, part: int | None, whole: int | None) -> Decimal | None:
    (value,) = con.execute("SELECT percent_of(?::BIGINT, ?::BIGINT)", [part, whole]).fetchone()
    return value


@settings(max_examples=300, deadline=None)
@given(part=st.integers(min_value=0, max_value=10**12), whole=st.integers(min_value=0, max_value=10**12))
def test_percent_of_is_exact_and_half_even(con, part, whole):
    want = None if whole == 0 else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    assert percent_of(con, part, whole) == want


@pytest.mark.parametrize(("part", "whole", "share"), [
    (1, 32, "3.12"),  # 3.125: a tie, to the even hundredth (floating-point round() gives 3.13)
    (31, 32, "96.88"),  # 96.875
    (1, 3, "33.33"),
    (2, 3, "66.67"),
    (7, 7, "100.00"),
    (0, 5, "0.00"),
])
def test_percent_of_at_ties(con, part, whole, share):
    assert percent_of(con, part, whole) == Decimal(share)


def test_percent_of_is_null_without_a_whole(con):
    assert percent_of(con, 3, 0) is None
    assert percent_of(con, None, 3) is None


def test_the_published_database_holds_the_macros(seed_warehouse):  # noqa: F811
    published = duckdb.connect(str(seed_warehouse / "warehouse.duckdb"), read_only=True)
    try:
        assert published.execute("SELECT percent_of(1, 32), percent_change(2.00, 1.00)").fetchone() == (
            Decimal("3.12"), Decimal("100.00"))
    finally:
        published.close()
