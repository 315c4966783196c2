"""Numbers and measures as the reports print them, with their exact meaning.

Every helper returns the printed text together with the value a correct
parser must read from it, so text and ground truth can never drift apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pipeline.synthetic import pools

CENT = Decimal("0.01")
ACHIEVED_PHRASES = {
    "achieved": ("达成指标", "达成指标", "达成指标", "达成年度指标"),
    "partially_achieved": ("部分达成指标并具有一定效果", "部分达成年度指标并具有一定效果"),
    "not_achieved": ("未达成指标且效果较差", "未达成年度指标且效果较差"),
}


def truncate2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_amount(value: Decimal, separators: bool) -> str:
    """``7888.89`` -> ``7,888.89`` (or without separators), always 2 decimals."""
    return f"{value:,.2f}" if separators else f"{value:.2f}"


def fmt_integer_amount(value: Decimal, separators: bool) -> str:
    """Whole 元 without decimals, as the target tables print them (``6,836,000``)."""
    return f"{int(value):,d}" if separators else f"{int(value):d}"


def fmt_points(value: Decimal, style: str) -> str:
    """Weights and scores: ``10.00`` (fixed) or ``98.64`` / ``92`` (trimmed)."""
    if style == "fixed":
        return f"{value:.2f}"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount with 2 decimals between ``low`` and ``high``."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


@dataclass(frozen=True)
class Measure:
    """A printed target or actual value and what it means."""

    raw: str
    operator: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    achievement: str | None = None


def _num_text(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _with_unit(num: str, unit: str | None, style: str) -> str:
    if unit is None:
        return num
    if style == "bracket":
        return f"{num}({unit})"
    return f"{num}{unit}"


def numeric_measure(rng: random.Random, op: str | None, value: Decimal, unit: str | None,
                    decimals: int, style: str) -> Measure:
    """``≥9.00(人)``, ``>98%``, ``<=90分钟``, ``100``: printed with an operator spelling."""
    printed_op = ""
    if op is not None:
        printed_op = {"≥": rng.choice(("≥", "≥", "≥", ">=")), "≤": rng.choice(("≤", "≤", "≤", "<="))}.get(op, op)
    raw = printed_op + _with_unit(_num_text(value, decimals), unit, style)
    return Measure(raw, op, value.quantize(Decimal(1).scaleb(-decimals)), unit)


def status_measure(rng: random.Random, achievement: str) -> Measure:
    return Measure(rng.choice(ACHIEVED_PHRASES[achievement]), achievement=achievement)


def qualitative_measure(rng: random.Random) -> Measure:
    return Measure(rng.choice(pools.QUALITATIVE_TARGETS))


def percent_unit(rng: random.Random) -> str:
    return rng.choice(("%", "%", "%", "百分比"))
