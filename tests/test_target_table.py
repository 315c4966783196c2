"""Tests of the performance target table parser (财政项目支出绩效目标表), seed 002.

Rules on small synthetic reports are in test_target_rules.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import FORMS, with_blank_lines
from golden import seed_002 as golden
from pipeline.document import Document
from pipeline.families import split_segments, target_table
from pipeline.records import FundRecord, IndicatorRecord, ProjectRecord, ProjectReport, ReportRejected
from pipeline.vocabulary import LEGACY_TREE
from target_parse import parse_text, synthetic

RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / golden.SOURCE_FILE
SEED_TEXT = RAW.read_text(encoding="utf-8")

_DECIMAL_FIELDS = {
    f.name
    for cls in (ProjectRecord, FundRecord, IndicatorRecord)
    for f in dataclasses.fields(cls)
    if "Decimal" in str(f.type)
}
_DATE_FIELDS = {"planned_start_date", "planned_end_date", "evaluation_date"}


@pytest.fixture(scope="module")
def reports() -> list[ProjectReport]:
    return parse_text(SEED_TEXT)


def typed(record_cls, expected: dict) -> dict:
    """A golden dict (Decimals and dates as strings) as a full record dict."""
    names = {f.name for f in dataclasses.fields(record_cls)}
    unknown = set(expected) - names
    assert not unknown, f"golden names unknown fields {unknown}"
    full = dict.fromkeys(names)
    for key, value in expected.items():
        if value is not None and key in _DECIMAL_FIELDS:
            value = Decimal(value)
        elif value is not None and key in _DATE_FIELDS:
            value = date.fromisoformat(value)
        full[key] = value
    return full


def project_dict(expected: dict) -> dict:
    names = {f.name for f in dataclasses.fields(ProjectRecord)}
    assert set(expected) == names, "the golden project must pin every field"
    return typed(ProjectRecord, expected)


def fund_dicts(expected: list[dict]) -> list[dict]:
    defaults = {f.name: f.default for f in dataclasses.fields(FundRecord) if f.default is not dataclasses.MISSING}
    return [typed(FundRecord, {**{k: None for k in defaults}, **defaults, **row}) for row in expected]


def indicator_dicts(rows: list[tuple]) -> list[dict]:
    out = []
    for seq, line, line_end, level1, level2, name, target, op, value, unit in rows:
        out.append(
            typed(
                IndicatorRecord,
                {
                    "seq": seq,
                    "name": name,
                    "source_line": line,
                    "source_line_end": line_end,
                    "level1": level1,
                    "level2": level2,
                    "level1_raw": level1,
                    "level2_raw": level2,
                    "target_raw": target,
                    "target_operator": op,
                    "target_value": value,
                    "target_unit": unit,
                },
            )
        )
    return out


# --- golden: every field of every record ---------------------------------------


def test_seed_holds_two_target_tables(reports):
    assert len(reports) == len(golden.EXPECTED) == 2
    assert [r.project.project_name for r in reports] == ["12333热线咨询平台项目经费", "12345服务热线专项经费"]


@pytest.mark.parametrize("index", [0, 1])
def test_project_record(reports, index):
    assert dataclasses.asdict(reports[index].project) == project_dict(golden.EXPECTED[index]["project"])


@pytest.mark.parametrize("index", [0, 1])
def test_fund_records(reports, index):
    got = [dataclasses.asdict(f) for f in reports[index].funds]
    assert got == fund_dicts(golden.EXPECTED[index]["funds"])


@pytest.mark.parametrize("index", [0, 1])
def test_indicator_records(reports, index):
    got = [dataclasses.asdict(i) for i in reports[index].indicators]
    assert got == indicator_dicts(golden.EXPECTED[index]["indicators"])


@pytest.mark.parametrize("index", [0, 1])
def test_parse_notes(reports, index):
    assert [(n.code, n.source_line) for n in reports[index].notes] == golden.EXPECTED[index]["notes"]


def test_indicator_counts_hand_counted(reports):
    assert tuple(len(r.indicators) for r in reports) == golden.INDICATOR_COUNTS == (17, 18)
    assert sum(len(r.indicators) for r in reports) == 35


def test_levels_come_from_the_legacy_tree(reports):
    for report in reports:
        for ind in report.indicators:
            assert ind.level2 in LEGACY_TREE[ind.level1]
        assert [i.seq for i in report.indicators] == list(range(1, len(report.indicators) + 1))


def test_no_scores_grade_or_actuals(reports):
    for report in reports:
        assert report.scores == []
        assert report.project.grade is None and report.project.total_score is None
        for ind in report.indicators:
            assert (ind.actual_raw, ind.weight, ind.score) == (None, None, None)


def test_total_budget_equals_current_budget(reports):
    """C18: a one-year project's total budget is this year's budget."""
    for report in reports:
        current = [f for f in report.funds if f.fiscal_year_offset == 0]
        assert current[0].budget_full_year_yuan == report.project.project_total_budget_yuan


def test_misspelling_is_kept_as_printed(reports):
    ind = reports[0].indicators[3]
    assert ind.target_raw == "建全"
    note = next(n for n in reports[0].notes if n.code == "misspelling_normalized")
    assert "健全" in note.message and note.source_line == ind.source_line


# --- form independence ----------------------------------------------------------------


def facts(reports: list[ProjectReport]) -> list[dict]:
    """Everything a report says, without the line numbers that legitimately move."""

    def strip(record) -> dict:
        data = dataclasses.asdict(record)
        data.pop("source_line", None)
        data.pop("source_line_end", None)
        return data

    return [
        {
            "project": strip(r.project),
            "funds": [strip(f) for f in r.funds],
            "indicators": [strip(i) for i in r.indicators],
            "scores": [strip(s) for s in r.scores],
            "notes": [(n.code, n.message) for n in r.notes],
        }
        for r in reports
    ]


SEED_FACTS = facts(parse_text(SEED_TEXT))


@settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from(sorted(FORMS)), every=st.integers(min_value=1, max_value=5), blank=st.booleans())
def test_same_facts_in_every_form(form, every, blank):
    text = FORMS[form](SEED_TEXT)
    if blank:
        text = with_blank_lines(text, every)
    assert facts(parse_text(text)) == SEED_FACTS


# --- robustness: mutated input never raises anything but ReportRejected -----------------

_SEED_LINES = SEED_TEXT.splitlines()
_NOISE = st.text(
    alphabet=st.sampled_from(list("一级目标三级指标值项目名称：（元）>=<≤%0123456789,. \t|建立健全数量质量投入与管理")),
    max_size=30,
)
_MUTATION = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "replace"]),
    st.integers(min_value=0, max_value=len(_SEED_LINES) - 1),
    st.integers(min_value=0, max_value=len(_SEED_LINES) - 1),
    _NOISE,
)


def mutate(lines: list[str], mutations) -> list[str]:
    lines = list(lines)
    for kind, i, j, noise in mutations:
        if not lines:
            break
        i, j = i % len(lines), j % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            lines.insert(i, noise)
        elif kind == "truncate":
            lines[i] = lines[i][: len(noise)]
        else:
            lines[i] = noise
    return lines


@settings(derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=12))
def test_mutated_lines_only_raise_report_rejected(mutations):
    document = Document.from_text("mutated.txt", "\n".join(mutate(_SEED_LINES, mutations)))
    for segment in split_segments(document):
        if segment.family != target_table.FAMILY:
            continue
        try:
            report = target_table.parse(segment)
        except ReportRejected as rejected:
            assert rejected.reason
        else:
            assert report.project.project_name
            assert report.indicators


# --- fuzz: random grids never raise anything but ReportRejected -----------------------

_GRID_TOKENS = st.sampled_from(
    ["产出目标", "效果目标", "数量", "满意度", "人力资源", "综合接通率", "需", "求", "建立", "建全", ">98%", "=1",
     "0分钟", "%", "≤", "响应时间：≤10分钟内，故障处理时间≤9", "12345热线", "", "一级目标"]
)


@settings(derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(_GRID_TOKENS, max_size=4), max_size=15))
def test_random_grids_only_raise_report_rejected(grid):
    text = synthetic("项目名称： 测试", "\n".join(" ".join(row) for row in grid))
    for segment in split_segments(Document.from_text("random.txt", text)):
        try:
            report = target_table.parse(segment)
        except ReportRejected:
            continue
        assert all(i.name for i in report.indicators)
        assert [i.seq for i in report.indicators] == list(range(1, len(report.indicators) + 1))
