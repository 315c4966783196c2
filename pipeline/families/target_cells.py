"""Cells of the target grid: which text is a target value (a measure, an
operator, a qualitative word, composite text), a unit printed alone, and
whether a one-cell row is the wrapped rest of the target above it.
"""

from __future__ import annotations

import re

from pipeline.numbers import parse_measure
from pipeline.text import label_key
from pipeline.vocabulary import KNOWN_UNITS, MISSPELLINGS

#: Qualitative target words (DOMAIN-RULES §3) that let a one-cell row be read as a target.
QUALITATIVE_TARGETS = {
    "合理", "健全", "有效", "规范", "合规", "完备", "可控", "及时", "及时性", "建立", "制定并执行",
    "有效保障", "可持续", "提高", "提升", "整洁有序", "达标", "完成", "按时完成", "准确", "良好",
}
_OPERATOR_CHARS = set("≥≤=<>＜＞＝≦≧")
_UNITS = {label_key(u) for u in KNOWN_UNITS} | {"%", "％"}
#: Punctuation that ends or joins clauses: a cell never starts with it.
CLAUSE_PUNCTUATION = set("，,、；;。：:）)")
_CLAUSE_SPLIT = re.compile(r"[，,、；;。：:]")


def is_operator(text: str) -> bool:
    return bool(text) and all(ch in _OPERATOR_CHARS for ch in text)


def looks_like_target(text: str) -> bool:
    """A measure (``>98%``, ``=1``), a composite with an operator, or a qualitative word."""
    if parse_measure(text).value is not None:
        return True
    if any(ch in _OPERATOR_CHARS for ch in text):
        return True
    key = label_key(text)
    return key in QUALITATIVE_TARGETS or key in MISSPELLINGS


def continues_target(target: str, fragment: str) -> bool:
    """Is ``fragment`` the wrapped rest of ``target``?

    Either a number or unit cut off a measure (``≤9`` + ``0分钟``), or the rest
    of a composite text target (``响应时间：≤30分钟`` + ``内，处置时间≤2小时``).
    """
    if not target or not fragment:
        return False
    if _continues_text_target(target, fragment):
        return True
    if not (target[-1].isdigit() or target[-1] in _OPERATOR_CHARS or target[-1] == "."):
        return False
    if label_key(fragment) in _UNITS:
        return target[-1].isdigit()
    measure = parse_measure(fragment)
    return (
        fragment[0].isdigit()
        and measure.value is not None
        and measure.operator is None
        and (measure.unit is None or label_key(measure.unit) in _UNITS)
    )


def is_unit_like(text: str) -> bool:
    """A unit printed alone: a known unit (``次``, ``%``), bracketed (``(人)``), or a
    known unit per period (``次/季度``, ``人次/年``)."""
    key = label_key(text)
    if not key or any(ch.isdigit() for ch in key):
        return False
    if key.startswith("(") and key.endswith(")"):
        key = key[1:-1]
    head, slash, tail = key.partition("/")
    return head in _UNITS and (not slash or (0 < len(tail) <= 2 and not any(ch in _OPERATOR_CHARS for ch in tail)))


def glue_split_measure(tokens: list[str]) -> list[str]:
    """``[..., "1", "次/季度"]`` -> ``[..., "1次/季度"]``: a bare number (with or
    without its operator) followed by a unit in a cell of its own is one target."""
    if len(tokens) < 2 or not is_unit_like(tokens[-1]):
        return tokens
    number = parse_measure(tokens[-2])
    if number.value is None or number.unit is not None or not tokens[-2][-1].isdigit():
        return tokens
    return [*tokens[:-2], tokens[-2] + tokens[-1]]


def is_composite_text(text: str) -> bool:
    """A target written as text around its measures (``响应时间：≤30分钟``): neither
    a plain measure nor a qualitative word, but holding an operator."""
    if parse_measure(text).value is not None:
        return False
    key = label_key(text)
    if key in QUALITATIVE_TARGETS or key in MISSPELLINGS:
        return False
    return any(ch in _OPERATOR_CHARS for ch in text)


def _continues_text_target(target: str, fragment: str) -> bool:
    """The wrapped rest of a composite text target.

    The fragment continues it when it cannot open a cell (it starts with
    clause punctuation), when it is itself composite text that does not start
    with an operator (``间≤4小时``: the middle of a clause), or when it is a
    measure completing the target's last clause, which names a measure but
    holds no number yet (``…处置时间`` + ``≤2小时``).
    """
    if not is_composite_text(target):
        return False
    if fragment[0] in CLAUSE_PUNCTUATION:
        return True
    if is_composite_text(fragment) and fragment[0] not in _OPERATOR_CHARS:
        return True
    last_clause = _CLAUSE_SPLIT.split(target)[-1]
    return (
        parse_measure(fragment).value is not None
        and fragment[0] in _OPERATOR_CHARS
        and bool(last_clause)
        and not any(ch.isdigit() or ch in _OPERATOR_CHARS for ch in last_clause)
    )
