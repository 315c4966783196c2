"""The fast screens of ``report_check`` and ``report_contract`` never change what
``fit_report`` decides: with them or without them (every field checked and every rule
applied one by one), a report gives the same exception, reason and line, or the same
(possibly rescaled) records."""

from __future__ import annotations

import copy
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pipeline.report_check as report_check  # noqa: E402
import pipeline.report_contract as report_contract  # noqa: E402
from pipeline.ingest import parse_bytes  # noqa: E402
from pipeline.report_check import UnfitReport, fit_report  # noqa: E402
from tests.runs import SEED_PREFIXES, seed_text  # noqa: E402

REPORTS = [
    report
    for prefix in SEED_PREFIXES
    for report in parse_bytes(f"{prefix}.txt", seed_text(prefix).encode()).reports
]
LINE_COUNT = 94


class Text(str):
    """A str subclass: not ``type(value) is str``."""


class Opaque:
    """Some other object (its copies look alike)."""

    def __repr__(self) -> str:
        return "Opaque()"


VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "abc", "项目", "bad \udcff", "\ud800", Text(""), Text("项目")]),
    st.text(max_size=5),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 1, 50, 51, -50, -51, 93, 94, 95, 2**15 - 1, 2**15, -(2**15), 2**31 - 1, 2**31]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**21), max_value=10**21, places=10),
    st.sampled_from([Decimal("0E-10"), Decimal("1E+3"), Decimal("1.5E-7"), Decimal("55070152.0000"),
                     Decimal("1.00000"), Decimal("99999999999999999999.9"), Decimal("-0.00")]),
    # at the edge of a column's digits before the point (decimal(12, 4), (20, 2), (28, 8))
    st.sampled_from([Decimal("99999999"), Decimal("100000000"), Decimal("-100000000.0"),
                     Decimal("999999999999999999.99"), Decimal("1000000000000000000"),
                     Decimal("99999999999999999999"), Decimal("100000000000000000000")]),
    st.sampled_from([1.5, 0.0, b"", b"x", date(2024, 1, 1), datetime(2024, 1, 1), [], Opaque()]),
    # values some row rule is about: in or out of a vocabulary or a range
    st.sampled_from(["achieved", "≥", "≈", "total", "budget_execution", "元", "万元", "产出指标", "数量指标",
                     "满意度指标", "document", "self_evaluation", "performance_target", Text("achieved")]),
    st.sampled_from([-5, 101, 1900, 1990, 2100, 2101, Decimal("-1"), Decimal("100.0001"), Decimal("1E+13"),
                     Decimal("10000000000000.01"), Decimal("1000")]),
)


def records_of(report):
    return [report.project, *report.funds, *report.indicators, *report.scores, *report.notes]


def outcome(report, line_count: int, screened: bool) -> tuple:
    """What ``fit_report`` does to a copy of ``report``: its exception, or the records after it."""
    report = copy.deepcopy(report)
    real, real_contract = report_check._surely_fits, report_contract._surely_keeps
    try:
        if not screened:
            report_check._surely_fits = lambda record, line_count: False
            report_contract._surely_keeps = lambda record, template: False
        fit_report(report, line_count)
    except UnfitReport as exc:
        return ("unfit", exc.reason, exc.line)
    except Exception as exc:  # noqa: BLE001 - must be the same either way too
        return ("error", type(exc).__name__, str(exc))
    finally:
        report_check._surely_fits, report_contract._surely_keeps = real, real_contract
    return ("fits", [(type(r), repr(vars(r))) for r in records_of(report)])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(
    which=st.integers(min_value=0, max_value=len(REPORTS) - 1),
    spoils=st.lists(st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6),
                              VALUES), max_size=3),
    line_count=st.sampled_from([LINE_COUNT, 10, 10**6]),
)
def test_the_screen_never_changes_the_outcome(which, spoils, line_count):
    report = copy.deepcopy(REPORTS[which])
    records = records_of(report)
    for pick_record, pick_field, value in spoils:
        record = records[pick_record % len(records)]
        names = list(vars(record))
        setattr(record, names[pick_field % len(names)], value)
    assert outcome(report, line_count, screened=True) == outcome(report, line_count, screened=False)


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: str(r.project.source_line))
def test_every_record_of_the_seeds_passes_the_screen(report):
    """The screen is what makes ``fit_report`` fast: the seeds' records must all pass it."""
    assert all(report_check._surely_fits(record, 10**6) for record in records_of(report))
    template = report.project.template
    assert all(report_contract._surely_keeps(record, template) for record in records_of(report))


def test_a_record_with_an_extra_attribute_or_a_missing_field_is_checked_field_by_field():
    report = copy.deepcopy(REPORTS[0])
    del report.funds[0].__dict__["score"]
    assert not report_check._surely_fits(report.funds[0], 10**6)
    assert outcome(report, 10**6, screened=True) == outcome(report, 10**6, screened=False)


@pytest.mark.parametrize("low, high", [(0.5, 2.5), (-1.5, None), (None, 3), (1, 1)])
def test_whole_numbers_are_screened_against_fractional_bounds_exactly(low, high, monkeypatch):
    rule = report_contract._RangeRule("seq", low, high, None)
    monkeypatch.setattr(report_contract, "_rules_of", lambda record_type: (rule,))
    report_contract._screen_of.cache_clear()
    try:
        record = copy.deepcopy(REPORTS[0].indicators[0])
        for seq in range(-3, 6):
            record.seq = seq
            assert report_contract._surely_keeps(record, "t") == (rule.problem(record, "t") is None), seq
    finally:
        report_contract._screen_of.cache_clear()
