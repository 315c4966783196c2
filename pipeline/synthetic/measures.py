"""Indicator targets, actuals and scores of the self-evaluation templates.

A score follows the rules of DOMAIN-RULES §1: full weight when the target is
met (now and then a few points deducted), ``weight x actual / target`` when a
positive target is missed, status phrases scored inside their bands. Scores
are truncated to 2 decimals, as the Shanghai system prints them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from pipeline.synthetic import pools
from pipeline.synthetic.values import Measure, numeric_measure, percent_unit, status_measure, truncate2

ZERO = Decimal(0)


@dataclass(frozen=True)
class Scored:
    target: Measure
    actual: Measure | None
    score: Decimal


def _status(rng: random.Random) -> str:
    roll = rng.random()
    return "achieved" if roll < 0.8 else "partially_achieved" if roll < 0.97 else "not_achieved"


def _band_score(rng: random.Random, weight: Decimal, status: str) -> Decimal:
    if status == "achieved":
        if rng.random() < 0.85:
            return weight
        return max(weight - rng.randint(1, max(1, int(weight * Decimal("0.2")))), weight * Decimal("0.8")).quantize(
            Decimal("0.01")
        )
    low, high = (0.6, 0.79) if status == "partially_achieved" else (0.1, 0.59)
    return truncate2(weight * Decimal(str(round(rng.uniform(low, high), 4))))


def _numeric_target(rng: random.Random, kind: str) -> tuple[str | None, Decimal, str | None, int, str]:
    """(operator, value, unit, decimals, style) of a numeric target of ``kind``."""
    style = "bracket" if rng.random() < 0.8 else "plain"
    if kind == "quantity":
        unit = rng.choice(pools.QUANTITY_UNITS) if rng.random() < 0.85 else None
        decimals = rng.choice((0, 2))
        value = Decimal(rng.choice((1, 2, 4, 6, 12, 24, 32, 120, 365, 500, 1600, 7000, 11000, 28000)))
        op = rng.choice(("≥", "≥", "=", ">")) if unit or rng.random() < 0.5 else None
        return op, value, unit, decimals, style
    if kind == "cost":
        return "≤", Decimal(rng.randint(100, 50000)) / 100, "万元", 2, "bracket"
    if kind == "time":
        unit = rng.choice(("小时", "天", "分钟"))
        op = rng.choice(("=", "≤")) if unit == "小时" else "≤"
        return op, Decimal(rng.choice((3, 5, 10, 24, 30, 90))), unit, rng.choice((0, 2)), style
    if kind == "rate_low":
        return rng.choice(("≤", "<")), Decimal(rng.choice(("2.00", "0.50", "5", "1"))), percent_unit(rng), 2, style
    unit = percent_unit(rng) if rng.random() < 0.85 else None
    op = rng.choice(("≥", "≥", "=", ">")) if unit or rng.random() < 0.3 else None
    value = Decimal(rng.choice((80, 85, 90, 92, 95, 97, 98, 100)))
    if value == 100 and op == ">":
        op = "≥"
    return op, value, unit, rng.choice((0, 2)), style


def _actual_value(rng: random.Random, op: str | None, target: Decimal, met: bool, percent: bool) -> Decimal:
    if op in ("≤", "<"):
        if met:
            return (target * Decimal(str(round(rng.uniform(0.0, 0.99), 2)))).quantize(Decimal("0.01"))
        return (target * Decimal(str(round(rng.uniform(1.01, 1.6), 2)))).quantize(Decimal("0.01"))
    if not met:
        return (target * Decimal(str(round(rng.uniform(0.7, 0.99), 2)))).quantize(Decimal("0.01"))
    if op in (">", "≥") and rng.random() < 0.5:
        bump = Decimal(str(round(rng.uniform(1.0, 1.25), 3)))
        value = (target * bump).quantize(Decimal("0.01"))
        if percent and value > 100:
            value = max(target, Decimal(100))
        return value + (Decimal("0.01") if op == ">" and value == target else ZERO)
    return target + (Decimal("0.01") if op == ">" else ZERO)


def _numeric_score(weight: Decimal, op: str | None, target: Decimal, actual: Decimal, met: bool) -> Decimal:
    if met or target == 0:
        return weight
    if op in ("≤", "<"):
        return truncate2(max(ZERO, weight * (1 - (actual - target) / target)))
    return truncate2(weight * actual / target)


def scored_measure(rng: random.Random, kind: str, weight: Decimal) -> Scored:
    """A target of ``kind`` (quantity, quality, time, cost, rate_low, benefit, satisfaction) with its result."""
    qualitative = kind in ("time", "benefit") and rng.random() < 0.5
    if qualitative:
        target = Measure(rng.choice(("及时", "及时性")) if kind == "time" else rng.choice(
            ("有效保障", "提高", "提升", "可持续", "健全", "整洁有序")))
        status = _status(rng)
        return Scored(target, status_measure(rng, status), _band_score(rng, weight, status))
    op, value, unit, decimals, style = _numeric_target(rng, "percent" if kind in ("quality", "benefit", "satisfaction") else kind)
    target = numeric_measure(rng, op, value, unit, decimals, style)
    if rng.random() < 0.3:
        status = _status(rng)
        return Scored(target, status_measure(rng, status), _band_score(rng, weight, status))
    met = rng.random() < 0.85
    actual_value = _actual_value(rng, op, value, met, kind in ("quality", "benefit", "satisfaction", "rate_low"))
    met = _is_met(op, value, actual_value)
    actual = numeric_measure(rng, None, actual_value, unit, 2, style)
    score = _numeric_score(weight, op, value, actual_value, met)
    if met and score == weight and rng.random() < 0.08:
        score = weight - 1 if weight > 1 else weight
    return Scored(target, actual, score)


def _is_met(op: str | None, target: Decimal, actual: Decimal) -> bool:
    if op in ("≤",):
        return actual <= target
    if op == "<":
        return actual < target
    if op == ">":
        return actual > target
    return actual >= target


def target_only(rng: random.Random, kind: str) -> Measure:
    """A target-table value: ``>98%``, ``=1``, ``=100%``, ``<0.01%``, ``及时``, ``建立``."""
    if kind == "qualitative":
        return Measure(rng.choice(pools.QUALITATIVE_TARGETS))
    if kind == "composite":
        minutes = rng.choice((30, 60, 90, 120, 180))
        return Measure(f"响应时间：≤10分钟内，故障处理时间≤{minutes}分钟")
    if kind == "count":
        return numeric_measure(rng, "=", Decimal(rng.choice((1, 2, 4, 12))), None, 0, "plain")
    if kind == "low":
        value = Decimal(rng.choice(("0.01", "0.50", "20", "5")))
        return numeric_measure(rng, "<", value, "%", max(0, -value.as_tuple().exponent), "plain")
    return numeric_measure(rng, rng.choice((">", "=", "≥")), Decimal(rng.choice((80, 86, 95, 97, 98, 100))), "%", 0, "plain")
