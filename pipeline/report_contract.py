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

from dataclasses import fields
from decimal import Decimal
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
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    if isinstance(record, IndicatorRecord):
        values[_CATEGORY_PATH] = f"{template}|{record.level1 or ''}|{record.level2 or ''}"
    for rule in row_rules(_TABLE_OF[type(record)]):
        problem = _broken(rule, values)
        if problem:
            line = values.get("source_line")
            where = f"{_WHAT[type(record)]} at line {line}" if isinstance(line, int) else _WHAT[type(record)]
            notes = (rule.get("meta") or {}).get("notes")
            raise ContractBroken(f"{where}: {problem}" + (f" (rule: {notes})" if notes else ""), line)


def _broken(rule: dict, values: dict) -> str | None:
    kwargs = rule["kwargs"]
    if rule["type"] == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = values.get(kwargs["column_A"]), values.get(kwargs["column_B"])
        if a is None or b is None or kwargs["column_A"] not in values:
            return None
        ok = a >= b if kwargs.get("or_equal") else a > b
        return None if ok else f"{kwargs['column_A']} {a} is before {kwargs['column_B']} {b}"
    column = kwargs["column"]
    value = values.get(column)
    if value is None or column not in values:
        return None  # nulls are the not-null rules' business, absent columns the tables'
    if rule["type"] == "expect_column_values_to_be_in_set":
        if value in kwargs["value_set"]:
            return None
        if column == _CATEGORY_PATH:
            template, level1, level2 = value.split("|", 2)
            return f"category {level1 or '-'} / {level2 or '-'} is not in the vocabulary of template {template}"
        return f"{column} {value!r} is not one of {kwargs['value_set']}"
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    number = Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(number, Decimal):
        return None
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        return f"{column} {value} is outside {low if low is not None else '-∞'}..{high if high is not None else '∞'}"
    return None
