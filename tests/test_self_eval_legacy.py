"""Tests of the older self-evaluation template parser (项目绩效自我评价).

Golden data in tests/golden/seed_001.py and seed_004.py is written by hand
from the raw text; here it is compared field by field with the parser output.
Rules on small synthetic reports are in test_self_eval_legacy_rules.py.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import FORMS, with_blank_lines
from golden import seed_001, seed_004
from legacy_parse import FAMILY, parse_text
from pipeline.document import Document
from pipeline.families import parse_document, self_eval_legacy, split_segments
from pipeline.records import FundRecord, IndicatorRecord, ProjectRecord, ReportRejected, ScoreRecord

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
GOLDENS = [seed_001, seed_004]


def seed_reports(golden):
    return parse_text((RAW / golden.SOURCE_FILE).read_text(encoding="utf-8"), golden.SOURCE_FILE)


# --- golden comparison --------------------------------------------------------------


def assert_record(actual, expected: dict, what: str) -> None:
    names = {f.name for f in dataclasses.fields(actual)}
    assert set(expected) == names, f"{what}: golden must pin every field ({names ^ set(expected)})"
    for name, want in expected.items():
        got = getattr(actual, name)
        where = f"{what}.{name}"
        if isinstance(got, Decimal):
            assert isinstance(want, str), f"{where}: golden Decimal must be a string"
            assert got == Decimal(want), f"{where}: {got} != {want}"
        elif isinstance(got, datetime.date):
            assert got.isoformat() == want, where
        else:
            assert got == want, f"{where}: {got!r} != {want!r}"
            if want is not None:
                assert not isinstance(want, str) or isinstance(got, str), where


def golden_cases():
    for golden in GOLDENS:
        for index in range(len(golden.PROJECTS)):
            yield pytest.param(golden, index, id=f"{golden.SOURCE_FILE[:3]}-{index}")


def test_seed_project_counts():
    assert len(seed_reports(seed_001)) == 1
    assert len(seed_reports(seed_004)) == 2


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_golden_project(golden, index):
    report = seed_reports(golden)[index]
    expected = golden.PROJECTS[index]
    assert_record(report.project, expected["project"], "project")


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_golden_funds(golden, index):
    report = seed_reports(golden)[index]
    expected = golden.PROJECTS[index]["funds"]
    assert len(report.funds) == len(expected)
    for position, (fund, want) in enumerate(zip(report.funds, expected)):
        assert isinstance(fund, FundRecord)
        assert_record(fund, want, f"funds[{position}]")


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_golden_indicators(golden, index):
    report = seed_reports(golden)[index]
    expected = golden.PROJECTS[index]
    assert len(report.indicators) == expected["indicator_count"] == len(expected["indicators"])
    for indicator, want in zip(report.indicators, expected["indicators"]):
        assert isinstance(indicator, IndicatorRecord)
        assert_record(indicator, want, f"indicator {want['seq']}")


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_golden_scores(golden, index):
    report = seed_reports(golden)[index]
    expected = golden.PROJECTS[index]["scores"]
    assert len(report.scores) == len(expected)
    for score, want in zip(report.scores, expected):
        assert isinstance(score, ScoreRecord)
        assert_record(score, want, f"score {want['component']}")


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_golden_notes(golden, index):
    report = seed_reports(golden)[index]
    assert [(n.code, n.source_line) for n in report.notes] == golden.PROJECTS[index]["notes"]
    assert all(n.message for n in report.notes)


# --- domain checks the goldens must satisfy (DOMAIN-RULES §5 C7, C8, C14) -------------

FIXED_INPUT_WEIGHTS = {
    "资金使用的合规性": 6, "绩效目标合理性": 8, "项目设立的规范性": 5, "预算执行率": 8,
    "财务（资产）管理制度的健全性和执行的有效性": 5, "项目管理制度的健全性和执行的有效性": 4,
}
DECLARED = {"投入与管理": 36, "产出目标": 34, "效果目标": 15, "影响力目标": 15}


@pytest.mark.parametrize(("golden", "index"), list(golden_cases()))
def test_group_sums_and_total(golden, index):
    report = seed_reports(golden)[index]
    for group, points in DECLARED.items():
        members = [i for i in report.indicators if i.level1 == group]
        assert sum(i.weight for i in members) == points, group
    inputs = {i.name: i.weight for i in report.indicators if i.level1 == "投入与管理"}
    assert inputs == {name: Decimal(w) for name, w in FIXED_INPUT_WEIGHTS.items()}
    assert sum(i.weight for i in report.indicators) == report.project.total_max_points == 100
    assert sum(i.score for i in report.indicators) == report.project.total_score
    assert all(i.level2 is None for i in report.indicators)
    assert all(s.component != "budget_execution" for s in report.scores)


def test_hand_checked_totals():
    expected = [
        ["35", "26.22", "15", "15", "91.22"],
        ["33", "32", "13", "14", "92"],
        ["30", "32", "15", "12", "89"],
    ]
    reports = seed_reports(seed_001) + seed_reports(seed_004)
    got = [[str(s.score_sum) for s in r.scores] for r in reports]
    assert [[Decimal(v) for v in row] for row in got] == [[Decimal(v) for v in row] for row in expected]


def test_dispatcher_parses_seeds_without_rejections():
    for golden in GOLDENS:
        text = (RAW / golden.SOURCE_FILE).read_text(encoding="utf-8")
        result = parse_document(Document.from_text(golden.SOURCE_FILE, text))
        assert result.families == [FAMILY]
        assert result.rejections == []
        assert len(result.reports) == len(golden.PROJECTS)


# --- form independence (tab / pipe / text, blank lines) -----------------------------

_LINE_FIELDS = {"source_line", "source_line_end"}


def facts(reports) -> list:
    """Everything a report says, without line numbers (they differ between renderings)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _LINE_FIELDS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    out = []
    for report in reports:
        data = dataclasses.asdict(report)
        data["notes"] = [note["code"] for note in data["notes"]]
        out.append(strip(data))
    return out


SEED_TEXTS = {g.SOURCE_FILE: (RAW / g.SOURCE_FILE).read_text(encoding="utf-8") for g in GOLDENS}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(sorted(SEED_TEXTS)),
    form=st.sampled_from(["original", *sorted(FORMS)]),
    every=st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
)
def test_same_facts_in_every_form(source, form, every):
    original = SEED_TEXTS[source]
    rendered = original if form == "original" else FORMS[form](original)
    if every is not None:
        rendered = with_blank_lines(rendered, every)
    assert facts(parse_text(rendered)) == facts(parse_text(original))


# --- robustness: mutated input never raises anything but ReportRejected ---------------

_ALPHABET = st.sampled_from(list("项目名称：预算单位合计权重自评分投入与管理产出目标(36分)（）|\t 0123456789.,-%说明优秀<br>"))


@st.composite
def mutated(draw):
    text = SEED_TEXTS[draw(st.sampled_from(sorted(SEED_TEXTS)))]
    form = draw(st.sampled_from(["original", *sorted(FORMS)]))
    lines = (text if form == "original" else FORMS[form](text)).splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not lines:
            break
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "truncate", "replace", "swap", "insert"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(min_value=0, max_value=max(0, len(lines[index]))))]
        elif action == "replace":
            lines[index] = draw(st.text(_ALPHABET, max_size=40))
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines.insert(index, draw(st.text(_ALPHABET, max_size=40)))
    return "\n".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_mutated_input_only_rejects(text):
    document = Document.from_text("fuzz.txt", text)
    for segment in split_segments(document):
        if segment.family != FAMILY:
            continue
        try:
            report = self_eval_legacy.parse(segment)
        except ReportRejected as rejected:
            assert rejected.reason
            continue
        assert isinstance(report.project, ProjectRecord)
        assert report.project.project_name
        assert report.indicators
        assert all(i.name for i in report.indicators)
