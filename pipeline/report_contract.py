"""The warehouse's row-level integrity contract, applied to one parsed report.

The blocking integrity suites (``expectations/<table>.json``, run by
``pipeline.quality.integrity``) refuse to publish a warehouse in which any row
breaks the contract: a value out of its range, a label outside its closed
vocabulary, an indicator ending before it starts. One odd report must not
stop the whole build, so every report is held to the same row-level rules
here, at parse time, and a report that breaks one is rejected with the rule's
own words. The rules are read from the suites themselves, so the two never
drift apart. (Table-wide rules - keys, every row has its project - are the
tables' business.)
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache

from pipeline.quality.gx_runtime import suite_json
from pipeline.records import FundRecord, IndicatorRecord, ParseNote, ProjectRecord, ProjectReport, ScoreRecord

_TABLE_OF = {
    ProjectRecord: "projects",
    FundRecord: "funds",
    IndicatorRecord: "indicators",
    ScoreRecord: "scores",
    ParseNote: "parse_notes",
}
_WHAT = {
    ProjectRecord: "project",
    FundRecord: "fund row",
    IndicatorRecord: "indicator",
    ScoreRecord: "score row",
    ParseNote: "parse note",
}
_CATEGORY_PATH = "category_path"


class ContractBroken(Exception):
    """A record breaks a row-level integrity rule; ``line`` is the record's line."""

    def __init__(self, reason: str, line: int | None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@lru_cache(maxsize=None)
def row_rules(table: str) -> tuple[dict, ...]:
    """The suite's expectations that can be judged one row at a time."""
    try:
        expectations = suite_json(table)["expectations"]
    except (OSError, ValueError, KeyError):
        return ()
    kinds = ("expect_column_values_to_be_between", "expect_column_values_to_be_in_set",
             "expect_column_pair_values_a_to_be_greater_than_b")
    return tuple(e for e in expectations if e["type"] in kinds)


def check_report(report: ProjectReport) -> None:
    """Raise ContractBroken for the first record of the report that breaks a row rule."""
    template = report.project.template
    for record in [report.project, *report.funds, *report.indicators, *report.scores, *report.notes]:
        _check_record(record, template)


def _check_record(record: object, template: str) -> None:
    if _surely_keeps(record, template):
        return
    for rule in _rules_of(type(record)):
        problem = rule.problem(record, template)
        if problem:
            line = getattr(record, "source_line", None)
            what = _WHAT[type(record)]
            where = f"{what} at line {line}" if isinstance(line, int) else what
            raise ContractBroken(f"{where}: {problem}" + (f" (rule: {rule.notes})" if rule.notes else ""), line)


@lru_cache(maxsize=None)
def _rules_of(record_type: type) -> tuple["_Rule", ...]:
    """The table's row rules, compiled once per record type, in the suite's order.

    A rule about a column the record does not carry (``project_exists``, the
    funds' ``fiscal_year``) is the tables' business and is left out here.
    """
    names = {f.name for f in fields(record_type)}
    if record_type is IndicatorRecord:
        names.add(_CATEGORY_PATH)
    compiled = (_compile(rule) for rule in row_rules(_TABLE_OF[record_type]))
    return tuple(rule for rule in compiled if rule.columns <= names)


def _compile(rule: dict) -> "_Rule":
    kwargs = rule["kwargs"]
    notes = (rule.get("meta") or {}).get("notes")
    if rule["type"] == "expect_column_pair_values_a_to_be_greater_than_b":
        return _PairRule(kwargs["column_A"], kwargs["column_B"], bool(kwargs.get("or_equal")), notes)
    if rule["type"] == "expect_column_values_to_be_in_set":
        return _SetRule(kwargs["column"], kwargs["value_set"], notes)
    return _RangeRule(kwargs["column"], kwargs.get("min_value"), kwargs.get("max_value"), notes)


def _value(record: object, column: str, template: str) -> object:
    """A record's value for a column; an indicator's category path is made of three."""
    if column == _CATEGORY_PATH:
        return f"{template}|{record.level1 or ''}|{record.level2 or ''}"
    return getattr(record, column)


class _Rule:
    """One row rule; ``problem`` says how a record breaks it (None if it does not)."""

    columns: frozenset[str]
    notes: str | None

    def problem(self, record: object, template: str) -> str | None:
        raise NotImplementedError


class _PairRule(_Rule):
    """``column_a`` must be greater than (or equal to) ``column_b`` when both are set."""

    def __init__(self, column_a: str, column_b: str, or_equal: bool, notes: str | None):
        self.column_a, self.column_b, self.or_equal, self.notes = column_a, column_b, or_equal, notes
        self.columns = frozenset((column_a, column_b))

    def problem(self, record: object, template: str) -> str | None:
        a, b = _value(record, self.column_a, template), _value(record, self.column_b, template)
        if a is None or b is None:
            return None
        ok = a >= b if self.or_equal else a > b
        return None if ok else f"{self.column_a} {a} is before {self.column_b} {b}"


class _SetRule(_Rule):
    """A closed vocabulary; text is looked up in a set, anything else in the suite's list."""

    def __init__(self, column: str, value_set: list, notes: str | None):
        self.column, self.value_set, self.notes = column, value_set, notes
        self.columns = frozenset((column,))
        self.texts = frozenset(v for v in value_set if type(v) is str)
        self.is_path = column == _CATEGORY_PATH

    def problem(self, record: object, template: str) -> str | None:
        value = _value(record, self.column, template) if self.is_path else getattr(record, self.column)
        if value is None:
            return None  # nulls are the not-null rules' business
        if value in self.texts if type(value) is str else value in self.value_set:
            return None
        if self.column == _CATEGORY_PATH:
            template, level1, level2 = value.split("|", 2)
            return f"category {level1 or '-'} / {level2 or '-'} is not in the vocabulary of template {template}"
        return f"{self.column} {value!r} is not one of {self.value_set}"


class _RangeRule(_Rule):
    """Numbers (exact decimals and whole numbers) between bounds; other values pass."""

    def __init__(self, column: str, low: object, high: object, notes: str | None):
        self.column, self.low, self.high, self.notes = column, low, high, notes
        self.columns = frozenset((column,))
        self.low_decimal = Decimal(str(low)) if low is not None else None
        self.high_decimal = Decimal(str(high)) if high is not None else None

    def problem(self, record: object, template: str) -> str | None:
        value = getattr(record, self.column)
        if value is None:
            return None
        if type(value) is int or type(value) is Decimal:
            number = value  # an int compares with a Decimal bound exactly, as Decimal(value) would
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, Decimal):
            number = value
        else:
            return None
        if (self.low_decimal is not None and number < self.low_decimal) or (
            self.high_decimal is not None and number > self.high_decimal
        ):
            low = self.low if self.low is not None else "-∞"
            high = self.high if self.high is not None else "∞"
            return f"{self.column} {value} is outside {low}..{high}"
        return None


# --- the fast screen: most records keep every rule --------------------------------------


@dataclass(frozen=True)
class _Screen:
    """A record type's rules as plain data, for ``_surely_keeps``: the numeric ranges
    (column, low, high, and the bounds for whole numbers: low rounded up, high down), the closed text vocabularies (column, texts), the category path
    vocabularies and the column pairs (a, b, or_equal)."""

    ranges: tuple[tuple[str, Decimal | None, Decimal | None, int | None, int | None], ...]
    sets: tuple[tuple[str, frozenset[str]], ...]
    paths: tuple[frozenset[str], ...]
    pairs: tuple[tuple[str, str, bool], ...]


def _surely_keeps(record: object, template: str) -> bool:
    """True only if no rule of the record's type finds a problem in it; False whenever
    it cannot tell at a glance (the rules themselves then decide, in the suite's order).

    It reads the record's ``__dict__`` and makes no call per rule. Only the plain
    cases pass: ints and finite Decimals within bounds, texts in their vocabulary.
    """
    if type(record) not in _TABLE_OF:
        return False
    screen = _screen_of(type(record))
    state = record.__dict__
    try:
        for column, low, high, whole_low, whole_high in screen.ranges:
            value = state[column]
            if value is None:
                continue
            kind = type(value)
            if kind is int:
                low, high = whole_low, whole_high  # the same answer, without converting value to a Decimal
            elif kind is not Decimal or not value.is_finite():
                return False
            if (low is not None and value < low) or (high is not None and value > high):
                return False
        for column, texts in screen.sets:
            value = state[column]
            if value is not None and (type(value) is not str or value not in texts):
                return False
        if screen.paths:
            path = f"{template}|{state['level1'] or ''}|{state['level2'] or ''}"
            for texts in screen.paths:
                if path not in texts:
                    return False
        for column_a, column_b, or_equal in screen.pairs:
            a, b = state[column_a], state[column_b]
            if a is None or b is None:
                continue
            if type(a) is not int or type(b) is not int or not (a >= b if or_equal else a > b):
                return False
    except KeyError:
        return False
    return True


@lru_cache(maxsize=None)
def _screen_of(record_type: type) -> _Screen:
    ranges, sets, paths, pairs = [], [], [], []
    for rule in _rules_of(record_type):
        if isinstance(rule, _RangeRule):
            low, high = rule.low_decimal, rule.high_decimal
            ranges.append((rule.column, low, high, _whole(low, ROUND_CEILING), _whole(high, ROUND_FLOOR)))
        elif isinstance(rule, _SetRule) and rule.is_path:
            paths.append(rule.texts)
        elif isinstance(rule, _SetRule):
            sets.append((rule.column, rule.texts))
        else:
            pairs.append((rule.column_a, rule.column_b, rule.or_equal))
    return _Screen(tuple(ranges), tuple(sets), tuple(paths), tuple(pairs))


def _whole(bound: Decimal | None, rounding: str) -> int | None:
    """A bound rounded to a whole number: an int is within it exactly when within ``bound``."""
    return None if bound is None else int(bound.to_integral_value(rounding))
