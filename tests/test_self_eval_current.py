"""Tests of the current (2021 on) self-evaluation parser: goldens, forms, rules, fuzz."""

from __future__ import annotations

import dataclasses
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.document import Document, split_cells  # noqa: E402
from pipeline.families import family_of, parse_document, split_segments  # noqa: E402
from pipeline.families import self_eval_current  # noqa: E402
from pipeline.records import (  # noqa: E402
    FundRecord,
    IndicatorRecord,
    ProjectRecord,
    ReportRejected,
    ScoreRecord,
)
from pipeline.vocabulary import TEMPLATE_CURRENT  # noqa: E402
from tests import forms  # noqa: E402
from tests.golden import seed_000, seed_003  # noqa: E402

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SEEDS = {"000": seed_000, "003": seed_003}

# --- golden tuple layouts -------------------------------------------------------

FUND_COLUMNS = (
    "fund_source", "source_line", "label_raw",
    "budget_initial_raw", "budget_initial_yuan",
    "budget_full_year_raw", "budget_full_year_yuan",
    "executed_raw", "executed_yuan",
    "weight_raw", "execution_rate_raw", "score_raw",
)
#: derived from the raw column of the same row: Decimal(raw), None for "-"
FUND_FROM_RAW = {"weight": "weight_raw", "execution_rate_reported_pct": "execution_rate_raw", "score": "score_raw"}
FUND_CONSTANTS = {"amount_unit": "万元", "fiscal_year_offset": 0}
FUND_DECIMALS = {"budget_initial_yuan", "budget_full_year_yuan", "executed_yuan"}

INDICATOR_COLUMNS = (
    "source_line", "level1", "level2", "level1_raw", "level2_raw", "name",
    "target_raw", "target_operator", "target_value", "target_unit",
    "actual_raw", "actual_operator", "actual_value", "actual_unit",
    "achievement", "weight_raw", "score_raw", "deviation_reason",
)
INDICATOR_FROM_RAW = {"weight": "weight_raw", "score": "score_raw"}
INDICATOR_NONE = {"description", "remark", "source_line_end"}
INDICATOR_DECIMALS = {"target_value", "actual_value"}

SCORE_COLUMNS = ("component", "source_line", "max_points", "weight_sum", "score_sum", "reported_score", "reported_score_raw")
SCORE_DECIMALS = {"max_points", "weight_sum", "score_sum", "reported_score"}
PROJECT_DECIMALS = {"total_score", "total_max_points"}


def _dec(value):
    return None if value is None else Decimal(value)


def _raw_dec(raw):
    return None if raw in (None, "-") else Decimal(raw)


def _field_names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_golden_layouts_cover_every_field():
    assert set(FUND_COLUMNS) | set(FUND_FROM_RAW) | set(FUND_CONSTANTS) == _field_names(FundRecord)
    assert set(INDICATOR_COLUMNS) | set(INDICATOR_FROM_RAW) | INDICATOR_NONE | {"seq"} == _field_names(IndicatorRecord)
    assert set(SCORE_COLUMNS) == _field_names(ScoreRecord)


def expected_project(golden: dict) -> dict:
    """Every ProjectRecord field: the golden value, None for fields the template never fills."""
    out = {}
    for name in _field_names(ProjectRecord):
        value = golden.get(name)
        out[name] = _dec(value) if name in PROJECT_DECIMALS else value
    return out


def expected_fund(row: tuple) -> dict:
    out = dict(zip(FUND_COLUMNS, row))
    for name in FUND_DECIMALS:
        out[name] = _dec(out[name])
    for name, raw in FUND_FROM_RAW.items():
        out[name] = _raw_dec(out[raw])
    out.update(FUND_CONSTANTS)
    return out


def expected_indicator(seq: int, row: tuple) -> dict:
    out = dict(zip(INDICATOR_COLUMNS, row))
    out["seq"] = seq
    for name in INDICATOR_DECIMALS:
        out[name] = _dec(out[name])
    for name, raw in INDICATOR_FROM_RAW.items():
        out[name] = _raw_dec(out[raw])
    out.update(dict.fromkeys(INDICATOR_NONE))
    return out


def expected_score(row: tuple) -> dict:
    out = dict(zip(SCORE_COLUMNS, row))
    for name in SCORE_DECIMALS:
        out[name] = _dec(out[name])
    return out


def assert_record(actual, expected: dict, what: str) -> None:
    got = dataclasses.asdict(actual)
    assert set(got) == set(expected), what
    diffs = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    assert not diffs, f"{what}: (parsed, expected) {diffs}"
    # Decimal equality ignores exponent; also make sure the types are exact
    for key, value in expected.items():
        if isinstance(value, Decimal):
            assert isinstance(got[key], Decimal), f"{what}.{key} is not a Decimal"


# --- parsing helpers ---------------------------------------------------------------


def parse_text(name: str, text: str):
    return parse_document(Document.from_text(name, text))


def parse_seed(seed: str):
    module = SEEDS[seed]
    return parse_text(module.SOURCE, (RAW / module.SOURCE).read_text(encoding="utf-8"))


def seed_text(seed: str) -> str:
    return (RAW / SEEDS[seed].SOURCE).read_text(encoding="utf-8")


# --- goldens ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_parses_into_expected_reports(seed):
    result = parse_seed(seed)
    golden = SEEDS[seed]
    assert result.rejections == []
    assert result.families == [TEMPLATE_CURRENT]
    assert len(result.reports) == len(golden.PROJECTS) == 4
    for index, (report, expected) in enumerate(zip(result.reports, golden.PROJECTS)):
        label = f"{seed}{'ABCD'[index]}"
        assert_record(report.project, expected_project(expected["project"]), f"{label} project")
        assert len(report.funds) == len(expected["funds"])
        for fund, row in zip(report.funds, expected["funds"]):
            assert_record(fund, expected_fund(row), f"{label} fund {row[0]}")
        assert len(report.indicators) == len(expected["indicators"]), label
        for seq, (indicator, row) in enumerate(zip(report.indicators, expected["indicators"]), start=1):
            assert_record(indicator, expected_indicator(seq, row), f"{label} indicator line {row[0]}")
        assert len(report.scores) == len(expected["scores"]), label
        for score, row in zip(report.scores, expected["scores"]):
            assert_record(score, expected_score(row), f"{label} score {row[0]}")
        assert [(n.code, n.source_line) for n in report.notes] == expected["notes"], label
        assert all(n.message for n in report.notes)


def test_indicator_counts_by_hand():
    assert seed_000.INDICATOR_COUNTS == (12, 8, 10, 6)
    assert seed_003.INDICATOR_COUNTS == (13, 20, 17, 6)
    for seed, module in SEEDS.items():
        counts = tuple(len(r.indicators) for r in parse_seed(seed).reports)
        assert counts == module.INDICATOR_COUNTS == tuple(len(p["indicators"]) for p in module.PROJECTS)
    assert sum(seed_000.INDICATOR_COUNTS) + sum(seed_003.INDICATOR_COUNTS) == 92


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_totals_add_up_c7_c8(seed):
    """DOMAIN-RULES §5 C7/C8: fund 10 + indicator 90 = 100; fund score + indicator scores = printed total."""
    for report in parse_seed(seed).reports:
        total = next(s for s in report.scores if s.component == "total")
        assert total.weight_sum == total.max_points == Decimal(100)
        assert abs(total.score_sum - total.reported_score) < Decimal("0.01")
        assert sum(i.weight for i in report.indicators) == Decimal(90)
        levels = [s for s in report.scores if s.component not in ("total", "budget_execution")]
        assert sum(s.score_sum for s in levels) + report.funds[0].score == total.score_sum


def test_c8_examples_from_domain_rules():
    reports = {**{f"000{'ABCD'[i]}": r for i, r in enumerate(parse_seed("000").reports)},
               **{f"003{'ABCD'[i]}": r for i, r in enumerate(parse_seed("003").reports)}}
    d = next(s for s in reports["000D"].scores if s.component == "total")
    assert (reports["000D"].funds[0].score, d.score_sum - reports["000D"].funds[0].score) == (Decimal("9.78"), Decimal("88.86"))
    c = next(s for s in reports["003C"].scores if s.component == "total")
    assert (reports["003C"].funds[0].score, c.score_sum - reports["003C"].funds[0].score) == (Decimal("7.91"), Decimal("83"))


# --- titles --------------------------------------------------------------------------------


def _row(line: str):
    return Document.from_text("t", line).rows[0]


@pytest.mark.parametrize("line", [
    "财政项目支出绩效自评表",
    "# 财政项目支出绩效自评表",
    "## 财政项目支出绩效自我评价",
    "财政项目支出绩效自我评价\t\t\t",
    "财政项目支出绩效自评表（2023年度）",
    "财政项目支出绩效自评表 (2023年度)",
    "| 财政项目支出绩效自评表 |",
])
def test_is_title_claims_current_titles(line):
    assert self_eval_current.is_title(_row(line))


@pytest.mark.parametrize("line", [
    "项目绩效自我评价",
    "# 项目绩效自我评价",
    "财政项目支出绩效目标表",
    "(2023年度)",
    "项目名称\t财政项目支出绩效自评表",
    "财政项目支出绩效自评表填报说明：本表由项目单位填写",
])
def test_is_title_rejects_other_rows(line):
    assert not self_eval_current.is_title(_row(line))


# --- form independence ------------------------------------------------------------------

_IGNORED_NOTES = {"goal_split_guessed"}  # only a PDF text line loses the goal cells' boundary


def facts(result) -> list:
    """Everything parsed, minus line numbers (which legitimately move)."""
    out = []
    for report in result.reports:
        out.append({
            "project": _without_lines(dataclasses.asdict(report.project)),
            "funds": [_without_lines(dataclasses.asdict(f)) for f in report.funds],
            "indicators": [_without_lines(dataclasses.asdict(i)) for i in report.indicators],
            "scores": [_without_lines(dataclasses.asdict(s)) for s in report.scores],
            "notes": [(n.code, n.message) for n in report.notes if n.code not in _IGNORED_NOTES],
        })
    return out


def _without_lines(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("source_line", "source_line_end")}


def _mixed(text: str, rng: random.Random, blank_every: int | None) -> str:
    """Each line rendered in a form chosen at random; optional blank lines between rows."""
    lines = []
    for line in text.splitlines():
        render = forms.FORMS[rng.choice(sorted(forms.FORMS))]
        lines.append(render(line).rstrip("\n") if split_cells(line)[1] else line)
    out = "\n".join(lines) + "\n"
    return forms.with_blank_lines(out, blank_every) if blank_every else out


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("form", sorted(forms.FORMS))
def test_every_form_yields_the_same_facts(seed, form):
    expected = facts(parse_seed(seed))
    rendered = parse_text("x", forms.FORMS[form](seed_text(seed)))
    assert rendered.rejections == []
    assert facts(rendered) == expected


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_text_form_records_the_guessed_goal_split(seed):
    notes = [n for r in parse_text("x", forms.to_text(seed_text(seed))).reports for n in r.notes]
    guessed = [n for n in notes if n.code == "goal_split_guessed"]
    assert len(guessed) == (1 if seed == "003" else 0)  # 003C's goal has four <p> paragraphs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SEEDS)), rng=st.randoms(use_true_random=False),
       blank_every=st.one_of(st.none(), st.integers(min_value=1, max_value=7)))
def test_mixed_forms_and_page_breaks_yield_the_same_facts(seed, rng, blank_every):
    expected = facts(parse_seed(seed))
    result = parse_text("x", _mixed(seed_text(seed), rng, blank_every))
    assert result.rejections == []
    assert facts(result) == expected


def test_source_lines_follow_inserted_blank_lines():
    result = parse_text("x", forms.with_blank_lines(seed_text("003"), 1))
    original = parse_seed("003")
    for moved, report in zip(result.reports, original.reports):
        assert [i.source_line for i in moved.indicators] == [2 * i.source_line - 1 for i in report.indicators]


# --- robustness ------------------------------------------------------------------------------


def _mutate(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.randrange(6)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])
        elif kind == 2:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif kind == 3:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 4:
            cells = lines[i].split("\t")
            cells[rng.randrange(len(cells))] = rng.choice(["", "-", "abc", "1e5", "100", "合计", "数量指标", "(万元)"])
            lines[i] = "\t".join(cells)
        else:
            lines[i] = "\t".join(reversed(lines[i].split("\t")))
    return lines


@settings(max_examples=150, deadline=None)
@given(seed=st.sampled_from(sorted(SEEDS)), rng=st.randoms(use_true_random=False))
def test_mutated_reports_only_ever_raise_report_rejected(seed, rng):
    lines = _mutate(seed_text(seed).splitlines(), rng)
    document = Document.from_text("x", "\n".join(lines))
    for segment in split_segments(document):
        if segment.family != TEMPLATE_CURRENT:
            continue
        try:
            report = self_eval_current.parse(segment)
        except ReportRejected as rejected:
            assert rejected.reason
            continue
        assert report.project.project_name
        assert report.indicators


def test_dispatcher_routes_titles_to_this_family():
    assert family_of(_row("# 财政项目支出绩效自评表")) == TEMPLATE_CURRENT
    assert family_of(_row("财政项目支出绩效自我评价\t\t")) == TEMPLATE_CURRENT
