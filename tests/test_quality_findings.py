"""Each source-consistency check fires on a deliberately inconsistent report, and only there.

The fixtures (tests/quality_fixtures.py) are consistent reports of each
template that give no finding at all; every test breaks one thing. The fund
checks are in test_quality_fund_rules.py, the check across reports in
test_quality_cross_report.py.
"""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.quality.checks import CHECKS, WARNING  # noqa: E402
from pipeline.quality.findings import find_all  # noqa: E402
from pipeline.quality.grades import LEGACY, NATIONAL, grade_of, parse_bands  # noqa: E402
from pipeline.schema import QUALITY_FINDINGS  # noqa: E402
from pipeline.vocabulary import ACHIEVED, PARTIALLY_ACHIEVED  # noqa: E402
from tests.quality_fixtures import (  # noqa: E402
    clean_tables,
    current_report,
    findings_of,
    fired,
    indicator,
    legacy_report,
    only,
    set_total,
    set_total_funds,
    tables_of,
    target_report,
)


# --- the clean fixtures -----------------------------------------------------------


def test_consistent_reports_give_no_finding():
    assert find_all(clean_tables()).num_rows == 0


def test_findings_table_has_the_data_dictionary_schema():
    table = find_all(tables_of(("a.txt", [legacy_report(executed="2,719,852.00")])))
    assert table.schema.equals(QUALITY_FINDINGS.schema, check_metadata=True)
    assert table.num_rows == 1
    empty = find_all(clean_tables())
    assert empty.schema.equals(QUALITY_FINDINGS.schema) and empty.num_rows == 0


def test_every_finding_names_a_registered_check_with_its_severity():
    r = current_report()
    r.indicators[1].score = D("18")
    set_total(r, "98")
    df = findings_of(r)
    assert not df.empty
    for name, severity in zip(df["check_name"], df["severity"]):
        assert CHECKS[name].severity == severity


# --- indicators --------------------------------------------------------------------


def test_indicator_score_above_weight():
    r = current_report()
    r.indicators[0].score = D("25")
    assert ("indicator_score_within_weight", "seq=1") in fired(findings_of(r))


def test_negative_indicator_score():
    r = current_report()
    r.indicators[0].score = D("-1")
    assert ("indicator_score_within_weight", "seq=1") in fired(findings_of(r))


def test_unmet_target_cannot_earn_more_than_its_share():
    r = current_report()
    ind = r.indicators[0]  # ≥9 persons
    ind.actual_raw, ind.actual_value = "8.00(人)", D("8")
    df = findings_of(r)  # 20 x 8/9 = 17.78 < 20
    only(df, ("indicator_score_exceeds_achievement", "seq=1"))
    ind.score = D("17.78")
    set_total(r, "97.78")
    assert findings_of(r).empty


def test_target_met_but_points_deducted():
    r = current_report()
    r.indicators[1].score = D("18")
    set_total(r, "98")
    df = findings_of(r)
    only(df, ("target_met_but_points_deducted", "seq=2"))
    assert set(df["severity"]) == {WARNING}


def test_status_phrase_score_outside_its_band():
    r = current_report()
    ind = r.indicators[3]  # 15 points
    ind.actual_raw, ind.achievement, ind.score = "部分达成指标并具有一定效果", PARTIALLY_ACHIEVED, D("12")
    set_total(r, "97")
    only(findings_of(r), ("status_score_outside_band", "seq=4"))  # 0.8 is the excluded top of [0.6, 0.8)
    ind.score = D("11")
    set_total(r, "96")
    assert findings_of(r).empty
    ind.achievement, ind.score = ACHIEVED, D("11")  # 达成 needs >= 0.8
    assert ("status_score_outside_band", "seq=4") in fired(findings_of(r))


def test_over_achievement_needs_a_reason():
    r = current_report()
    ind = r.indicators[0]
    ind.actual_raw, ind.actual_value = "12.00(人)", D("12")  # 133% of ≥9
    only(findings_of(r), ("over_achievement_without_reason", "seq=1"))
    ind.deviation_reason = "新增服务点"
    assert findings_of(r).empty


def test_level2_label_contradicting_the_name():
    r = current_report()
    r.indicators[2].level2 = "时效指标"  # 服务经费成本控制情况 under 时效
    only(findings_of(r), ("level2_contradicts_indicator_name", "seq=3"))


def test_satisfaction_measure_outside_satisfaction_group():
    r = current_report()
    r.indicators[1].name = "市民满意率"  # under 质量指标
    only(findings_of(r), ("level2_contradicts_indicator_name", "seq=2"))


def test_name_mentioning_satisfaction_but_measuring_a_count_is_fine():
    r = current_report()
    r.indicators[0].name = "满意度测评完成次数"  # a count of surveys, rightly under 数量指标
    assert findings_of(r).empty


def test_placeholder_indicator():
    r = current_report()
    ind = r.indicators[4]
    ind.name, ind.target_raw = "可持续影响指标", "可持续影响指标"
    only(findings_of(r), ("placeholder_indicator", "seq=5"))


def test_numeric_target_answered_with_status_only():
    r = current_report()
    r.indicators[0] = indicator(1, 17, "产出指标", "数量指标", "派遣人员数量", "9", None, "9", None, "达成指标", None,
                                None, "20", "20", ACHIEVED)
    only(findings_of(r), ("status_only_actual", "seq=1"))


def test_ambiguous_ratio_scale():
    r = current_report()
    r.indicators[0] = indicator(1, 17, "产出指标", "数量指标", "问题整改率", "1", None, "1", None, "1", "1", None,
                                "20", "20")
    only(findings_of(r), ("ambiguous_ratio_scale", "seq=1"))  # 派遣人员合格率 ≥90(%) is on the 0-100 scale


def test_composite_target_is_not_machine_readable():
    r = current_report()
    ind = r.indicators[0]
    ind.target_raw, ind.target_operator, ind.target_value, ind.target_unit = "一级故障<=90分钟，二级故障<=180分钟", None, None, None
    only(findings_of(r), ("target_not_machine_readable", "seq=1"))


def test_unknown_unit_and_unit_mismatch():
    r = current_report()
    r.indicators[0].target_unit = "光年"
    r.indicators[0].actual_unit = "光年"
    only(findings_of(r), ("unit_outside_vocabulary", "seq=1"))
    r = current_report()
    r.indicators[0].actual_unit = "次"
    only(findings_of(r), ("target_actual_unit_mismatch", "seq=1"))


def test_percent_and_百分比_are_the_same_unit():
    r = current_report()
    r.indicators[1].actual_unit = "百分比"
    assert findings_of(r).empty


def test_misspelling_in_report():
    r = current_report()
    r.indicators[4].target_raw = "建全"
    df = findings_of(r)
    only(df, ("misspelling_in_report", "seq=5"))
    assert (df.iloc[0]["observed"], df.iloc[0]["expected"]) == ("建全", "健全")


# --- whole-report arithmetic ----------------------------------------------------------


def test_weights_must_sum_to_100():
    r = current_report()
    r.indicators[0].weight = D("25")  # 105 in all (and 20 of 25 scored: met but deducted)
    assert ("weights_sum_to_100", "project") in fired(findings_of(r))


def test_weights_sum_counts_budget_execution_points():
    r = current_report()
    r.funds[0].weight, r.funds[0].score = None, None  # the 10 points of budget execution lost
    r.scores = [s for s in r.scores if s.component != "budget_execution"]
    set_total(r, "90")
    assert ("weights_sum_to_100", "project") in fired(findings_of(r))


def test_group_weights_match_declared_points():
    r = legacy_report()
    r.indicators[6].weight = r.indicators[6].score = D("30")  # 产出目标 (34分)
    r.indicators[7].weight = r.indicators[7].score = D("19")  # 效果目标 (15分)
    only(findings_of(r), ("group_weights_match_declared_points", "component=产出目标"),
         ("group_weights_match_declared_points", "component=效果目标"))


def test_orphan_rows_left_in_the_wrong_group_are_caught():
    """Seed 004B's trap: two 产出目标 rows carried forward into 投入与管理 (36 -> 49, 34 -> 21)."""
    r = legacy_report()
    r.indicators[6].weight = r.indicators[6].score = D("21")
    r.indicators.append(indicator(10, 25, "投入与管理", None, "形成社区服务模式研究", None, None, None, None, None,
                                  None, None, "13", "13"))
    df = findings_of(r)
    assert {("group_weights_match_declared_points", "component=投入与管理"),
            ("group_weights_match_declared_points", "component=产出目标"),
            ("legacy_common_indicators", "project")} <= fired(df)


def test_legacy_common_indicators():
    r = legacy_report()
    r.indicators[1].name = "绩效目标的合理性"
    only(findings_of(r), ("legacy_common_indicators", "project"))


def test_total_equals_sum_of_parts():
    r = current_report()
    set_total(r, "99")
    only(findings_of(r), ("total_equals_sum_of_parts", "project"))
    r = legacy_report()
    set_total(r, "99.5")
    only(findings_of(r), ("total_equals_sum_of_parts", "project"))


def test_printed_group_score_equals_its_rows():
    r = legacy_report()
    r.scores[1].reported_score = D("30")
    only(findings_of(r), ("total_equals_sum_of_parts", "component=产出目标"))


@pytest.mark.parametrize(
    "total, grade, error",
    [("100", "优", False), ("100", "良", True), ("100", "优秀", False)],
)
def test_grade_matches_total_current_template(total, grade, error):
    r = current_report()
    r.project.grade = grade
    assert (("grade_matches_total", "project") in fired(findings_of(r))) is error


def test_grade_bands_of_the_older_template_come_from_the_report():
    r = legacy_report()
    for ind in r.indicators[6:]:
        ind.score = ind.weight - D("4")  # total 88
    r.scores[1].score_sum, r.scores[2].score_sum, r.scores[3].score_sum = D("30"), D("11"), D("11")
    set_total(r, "88")
    r.project.grade = "良好"
    assert findings_of(r).empty  # 75 <= 88 < 90
    r.project.grade = "优秀"
    only(findings_of(r), ("grade_matches_total", "project"))
    r.project.grade_bands = "自评分合计85（含）-100分为优秀，70（含）-85分为良好，60（含）-70分为合格，0-60分为不合格。"
    assert findings_of(r).empty  # the report's own bands make 88 优秀


@pytest.mark.parametrize("grade, error", [("良", False), ("中", False), ("优", True)])
def test_totals_between_75_and_80_are_ambiguous_under_the_current_template(grade, error):
    r = current_report()
    for ind in r.indicators[:2]:
        ind.score = D("8.5")  # loses 23 points, shown as met-but-deducted
    set_total(r, "77")
    r.project.grade = grade
    df = findings_of(r)
    assert ("grade_band_ambiguous", "project") in fired(df)
    assert (("grade_matches_total", "project") in fired(df)) is error


def test_recommended_weight_structure():
    r = current_report()
    r.indicators[0].weight = r.indicators[0].score = D("30")  # 产出 60
    r.indicators[3].weight = r.indicators[3].score = D("5")  # 效益 20
    only(findings_of(r), ("recommended_weight_structure", "project"))


def test_missing_satisfaction_group():
    r = current_report()
    r.indicators.pop()  # 满意度 10 points go to 效益
    r.indicators[3].weight = r.indicators[3].score = D("25")
    df = findings_of(r)
    only(df, ("satisfaction_group_missing", "project"))
    assert set(df["severity"]) == {WARNING}


def test_top_grade_with_low_execution():
    r = current_report()
    set_total_funds(r, "187.92", "187.92", "150.00", "79.82", "7.98")
    set_total(r, "97.98")
    only(findings_of(r), ("top_grade_with_low_execution", "project"))
    set_total_funds(r, "187.92", "187.92", "170.00", "90.46", "9.04")
    set_total(r, "99.04")
    assert findings_of(r).empty


def test_one_year_project_budget():
    r = target_report()
    r.project.project_total_budget_yuan = D("60000000")
    only(findings_of(r), ("total_budget_matches_annual_budget", "project"))


# --- grade bands ---------------------------------------------------------------------


def test_grade_bands_parse_both_printed_forms():
    footnote = "2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，60（含）-75分为合格，0-60分为不合格。"
    assert parse_bands(footnote) == LEGACY
    assert parse_bands("优秀>=90;良好>=75;合格>=60;不合格>=0") == LEGACY
    assert parse_bands("无") is None
    assert [grade_of(t, NATIONAL) for t in (90, 89.99, 80, 79, 60, 59.9)] == ["优", "良", "良", "中", "中", "差"]


def test_findings_accept_pandas_frames_too():
    tables = tables_of(("a.txt", [legacy_report(executed="2,719,852.00")]))
    frames = {name: t.to_pandas() for name, t in tables.items()}
    assert find_all(frames).num_rows == 1


def test_find_all_tolerates_missing_and_empty_tables():
    assert find_all({}).num_rows == 0
    empty = {name: t.slice(0, 0) for name, t in clean_tables().items()}
    assert find_all(empty).num_rows == 0
    assert isinstance(find_all(empty), pa.Table)
