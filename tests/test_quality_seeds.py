"""The seeds' findings, exactly: DOMAIN-RULES.md §5 worked every seed by hand.

Expected values are written from that reading of the raw reports (project
and indicator names as printed), not from the checks' output. Errors: only
004A and 004B print an execution rate of 100.00% for 99.61% and 99.95%.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.quality.cross_report import match_prior_year_reports  # noqa: E402
from pipeline.quality.data import CheckData  # noqa: E402
from pipeline.quality.findings import find_all  # noqa: E402
from tests.seed_warehouse import seed_tables  # noqa: E402

P000A, P000B, P000C, P000D = "12333咨询平台场地运行维护经费", "咨询服务工作经费", "12333热线咨询平台项目经费", "政府聘用辅助人员经费"
P001 = "12333热线全媒体智能咨询平台项目经费"
P002A = "12333热线咨询平台项目经费"  # same name as 000C, another year and file
P003A, P003B, P003C, P003D = "热线服务保障经费", "全市绿化、市容、环卫、林业诉求处置督查督办", "行业信访、安全及保障稳定的应急工作专项", "绿化市容行政服务工作经费"
P004A, P004B = "社区服务热线管理", "社区服务体系管理"

F000, F002, F003, F004 = "000_a594e32171d85801.txt", "002_7afd7b1555bf85c6.txt", "003_c5fddddb41e6eafd.txt", "004_c0a410eeb195f151.txt"

ERRORS = {
    ("execution_rate_matches_amounts", F004, P004A, None),  # 100.00 printed for 99.6115
    ("execution_rate_matches_amounts", F004, P004B, None),  # 100.00 printed for 99.9490
}

WARNINGS = {
    ("status_score_outside_band", F003, P003D, "长效管理机制健全性"),  # 部分达成 at 8/10, the excluded top
    ("satisfaction_group_missing", F003, P003D, None),  # 50 / 40 / 0
    ("misspelling_in_report", F002, P002A, "资产管理制度建全"),  # 建全 for 健全
    # C11 target met but points deducted: 5 rows
    ("target_met_but_points_deducted", F003, P003A, "市民满意度评分"),
    ("target_met_but_points_deducted", F003, P003B, "健全和落实热线管理制度"),
    ("target_met_but_points_deducted", F003, P003B, "提升机关诉件整体质量"),
    ("target_met_but_points_deducted", F003, P003C, "满意度"),
    ("target_met_but_points_deducted", F003, P003D, "派遣人员合格率"),
    # C12 2680 against ≥1600 with no reason
    ("over_achievement_without_reason", F003, P003B, "测评数据差异化归集"),
    # C19 90.91 (优) at 79.18% execution
    ("top_grade_with_low_execution", F003, P003C, None),
}

INFOS = {
    # C15 000A-D depart from 50/30/10
    *{("recommended_weight_structure", F000, p, None) for p in (P000A, P000B, P000C, P000D)},
    # C17 placeholder, status-only actuals, ambiguous ratio scale
    ("placeholder_indicator", F000, P000B, "可持续影响指标"),
    *{("status_only_actual", F000, P000A, n) for n in (
        "设备维护工作完成率", "场地保洁完成情况", "月度电费结算完成情况", "场地清洁达标率", "设备维护达标率", "费用结算准确率",
        "办公设备正常运转天数", "咨询中心正常运转天数", "办公人员满意度")},
    *{("status_only_actual", F000, P000B, n) for n in (
        "满意度测评完成率", "审计报告合格率", "满意度评价样本量", "发现问题整改率", "综合满意度")},
    *{("status_only_actual", F000, P000C, n) for n in (
        "坐席人员数", "系统/设备租赁数", "系统正常运行天数", "质量控制合格率", "热线投诉率", "综合服务率", "人员培训覆盖率",
        "综合满意度")},
    ("ambiguous_ratio_scale", F000, P000B, "发现问题整改率"),  # 1 beside 100s
    ("ambiguous_ratio_scale", F000, P000C, "热线投诉率"),  # 0.006 beside 98, 80, 100
    ("ambiguous_ratio_scale", F002, P002A, "系统建设完成率"),  # =1 beside >98%
    ("ambiguous_ratio_scale", F002, P002A, "专款专用率"),
    # C18 free-text composite targets
    ("target_not_machine_readable", F000, P000C, "系统故障解决时间"),
    *{("target_not_machine_readable", F002, P002A, n) for n in ("一级故障", "二级故障", "三级故障")},
}


@pytest.fixture(scope="module")
def tables():
    return seed_tables()


@pytest.fixture(scope="module")
def named_findings(tables) -> pd.DataFrame:
    findings = tables["quality_findings"].to_pandas()
    projects = tables["projects"].to_pandas().set_index("project_id")
    indicators = tables["indicators"].to_pandas()
    names = {(p, f"seq={s}"): n for p, s, n in zip(indicators["project_id"], indicators["seq"], indicators["name"])}
    findings["project"] = findings["project_id"].map(projects["project_name"])
    findings["indicator"] = [names.get((p, k)) for p, k in zip(findings["project_id"], findings["row_key"])]
    return findings


def as_set(df: pd.DataFrame, severity: str) -> set:
    rows = df[df["severity"] == severity]
    indicator = rows["indicator"].astype(object).where(rows["indicator"].notna(), None)
    return set(zip(rows["check_name"], rows["source_file"], rows["project"], indicator))


def test_exactly_the_two_004_execution_rate_errors(named_findings):
    assert as_set(named_findings, "error") == ERRORS


def test_the_warnings_of_the_seeds(named_findings):
    assert as_set(named_findings, "warning") == WARNINGS


def test_the_infos_of_the_seeds(named_findings):
    assert as_set(named_findings, "info") == INFOS
    assert len(named_findings[named_findings["severity"] == "info"]) == len(INFOS)  # no duplicate rows


def test_004_errors_point_at_the_printed_rate(named_findings):
    errors = named_findings[named_findings["severity"] == "error"].sort_values("source_line")
    assert list(errors["observed"]) == ["100.00%", "100.00%"]
    assert list(errors["expected"]) == ["99.6115", "99.949"]
    assert list(errors["source_line"]) == [7, 46]  # the funds rows (当年预算数 lines) of 004
    assert set(errors["table_name"]) == {"funds"}


def test_002_last_year_figures_are_matched_to_001(tables):
    matches = match_prior_year_reports(CheckData.from_tables(tables))
    projects = tables["projects"].to_pandas().set_index("project_id")["project_name"]
    pairs = {(projects[a], projects[b]) for a, b in zip(matches["project_id"], matches["c_project_id"])}
    assert pairs == {(P002A, P001)}  # names differ; 70,785,200 / 70,784,807 agree, so no finding


def test_findings_are_deterministic(tables):
    again = find_all(tables)
    assert again.equals(tables["quality_findings"])
