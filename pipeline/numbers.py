"""Exact parsing of the numbers printed in the reports.

Everything is ``decimal.Decimal``: money, percentages, weights, scores and
indicator values are never floats. A value that cannot be read returns ``None``
and the caller keeps the raw text beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from pipeline.text import clean_text, nfkc

#: Cells that mean "not applicable" rather than a number.
NOT_APPLICABLE = {"", "-", "--", "—", "——", "/", "－", "无", "n/a", "N/A"}

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
_OPERATORS = {
    "≥": "≥", ">=": "≥", "≧": "≥", "＞＝": "≥",
    "≤": "≤", "<=": "≤", "≦": "≤", "＜＝": "≤",
    "=": "=", "＝": "=", "==": "=",
    ">": ">", "＞": ">",
    "<": "<", "＜": "<",
}
_MEASURE = re.compile(
    r"^(?P<op>≥|≤|>=|<=|≧|≦|==|=|>|<)?\s*"
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*"
    r"(?P<unit>.*)$"
)
_UNIT_IN_BRACKETS = re.compile(r"^\((?P<u>[^()]*)\)$")

#: Units that mean "percent".
PERCENT_UNITS = {"%", "百分比", "％"}
#: Cells repeat across rows and reports (weights, scores, units): every reader below is
#: pure and returns immutable values, so results are cached per distinct text.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def _fold(text: str) -> str:
    return nfkc(clean_text(text)).replace(" ", "")


@lru_cache(maxsize=_CACHE_SIZE)
def is_number(text: str | None) -> bool:
    """True when the cell is a bare number (thousands separators allowed)."""
    return bool(text) and bool(_NUMBER.match(_fold(text)))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_decimal(text: str | None) -> Decimal | None:
    """A bare number, possibly with thousands separators or a trailing ``%``."""
    if text is None:
        return None
    folded = _fold(text).rstrip("%")
    if folded in NOT_APPLICABLE or not _NUMBER.match(folded):
        return None
    try:
        return Decimal(folded.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - guarded by the regex
        return None


@lru_cache(maxsize=_CACHE_SIZE)
def is_not_applicable(text: str | None) -> bool:
    """True for the placeholders that mean "no value" (``-``, ``—``, ``/``, empty)."""
    return text is None or _fold(text) in NOT_APPLICABLE


UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def money_unit(label: str) -> str | None:
    """The money unit named in a header label such as ``项目资金（万元）``."""
    folded = _fold(label)
    for unit in ("亿元", "万元", "元"):
        if f"({unit})" in folded or folded.endswith(unit):
            return unit
    return None


def to_yuan(text: str | None, unit: str) -> Decimal | None:
    """An amount printed in ``unit`` converted exactly to 元."""
    value = parse_decimal(text)
    if value is None:
        return None
    return value * UNIT_FACTORS[unit]


@dataclass(frozen=True)
class Measure:
    """A target or actual value: operator, number and unit, as printed."""

    raw: str
    operator: str | None
    value: Decimal | None
    unit: str | None

    @property
    def is_percent(self) -> bool:
        return self.unit in PERCENT_UNITS


@lru_cache(maxsize=_CACHE_SIZE)
def parse_measure(text: str | None) -> Measure:
    """Read ``≥9.00(人)``, ``=100(%)``, ``>98%``, ``<=90分钟``, ``12.00`` or a phrase.

    Qualitative values (``及时``, ``达成指标``) give a Measure with no value.
    """
    raw = clean_text(text)
    folded = _fold(raw)
    match = _MEASURE.match(folded)
    if not match:
        return Measure(raw=raw, operator=None, value=None, unit=None)
    unit = match.group("unit").strip() or None
    if unit:
        bracketed = _UNIT_IN_BRACKETS.match(unit)
        if bracketed:
            unit = bracketed.group("u").strip() or None
        elif not _plausible_unit(unit):
            return Measure(raw=raw, operator=None, value=None, unit=None)
    if unit == "％":
        unit = "%"
    op = match.group("op")
    return Measure(
        raw=raw,
        operator=_OPERATORS[op] if op else None,
        value=Decimal(match.group("num").replace(",", "")),
        unit=unit,
    )


def _plausible_unit(unit: str) -> bool:
    """A trailing unit is short and carries no further digits or clauses."""
    return len(unit) <= 4 and not any(ch.isdigit() for ch in unit) and not any(
        ch in unit for ch in ",，;；、。:："
    )
