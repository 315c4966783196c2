"""Turning rows into Arrow: decimals are written exactly or refused, never rounded."""

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.schema import TABLES
from pipeline.tables import _rescaled_column, columns_to_arrow

FUNDS = TABLES["funds"]
DECIMAL_TYPES = [pa.decimal128(18, 2), pa.decimal128(12, 4), pa.decimal128(28, 8), pa.decimal128(38, 8)]


def _funds_values(column: str, values: list) -> dict[str, list]:
    return {name: values if name == column else [None] * len(values) for name in FUNDS.column_names}


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    values=st.lists(
        st.decimals(allow_nan=True, allow_infinity=True)
        | st.decimals(min_value=-(10**20), max_value=10**20, places=10)
        | st.none(),
        min_size=1,
        max_size=5,
    ),
    typ=st.sampled_from(DECIMAL_TYPES),
)
def test_arrow_writes_a_decimal_exactly_when_the_exact_rescaling_does(values, typ):
    """Arrow's own conversion stands in for rescaling every value in Python: it must accept
    exactly the values that fit the type without rounding, and keep them equal."""
    try:
        expected = _rescaled_column(values, typ)
    except ValueError:
        expected = None
    try:
        written = pa.array(values, type=typ).to_pylist()
    except pa.ArrowInvalid:
        written = None
    if expected is None:
        assert written is None
    else:
        assert written == expected


def test_a_decimal_that_would_be_rounded_is_refused_with_its_column_and_value():
    column = next(c for c in FUNDS.columns if pa.types.is_decimal(c.type))
    too_fine = Decimal(1).scaleb(-column.type.scale - 1)
    with pytest.raises(ValueError, match=rf"funds\.{column.name}: value {too_fine} has more decimals"):
        columns_to_arrow(FUNDS, _funds_values(column.name, [Decimal(1), too_fine]))


def test_a_decimal_too_large_for_its_precision_is_refused():
    column = next(c for c in FUNDS.columns if pa.types.is_decimal(c.type))
    huge = Decimal(10) ** (column.type.precision - column.type.scale)
    with pytest.raises(ValueError, match=rf"funds\.{column.name}: value {huge} does not fit"):
        columns_to_arrow(FUNDS, _funds_values(column.name, [huge]))


def test_trailing_zeros_beyond_the_scale_are_exact_and_kept():
    column = next(c for c in FUNDS.columns if pa.types.is_decimal(c.type))
    value = Decimal(55070152).scaleb(-column.type.scale).quantize(Decimal(1).scaleb(-column.type.scale - 3))
    table = columns_to_arrow(FUNDS, _funds_values(column.name, [value]))
    assert table[column.name].to_pylist() == [value] and str(value).endswith("000")
