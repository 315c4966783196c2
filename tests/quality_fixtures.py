"""Hand-made reports for the quality tests: consistent in every respect, so a
test can break exactly one thing and see exactly one check fire.

Reports are built as parser records and turned into tables by the real
``pipeline.tables.build_tables``, so ids, fiscal years and computed rates are
derived as in a run. At the end: what the checks find in such reports, and
edits the tests make to them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from pipeline.ingest import PARSED, FileResult
from pipeline.quality.findings import find_all
from pipeline.records import (
    COMPONENT_BUDGET,
    COMPONENT_TOTAL,
    FUND_CURRENT_APPROPRIATION,
    FUND_OTHER,
    FUND_PRIOR_CARRYOVER,
    FUND_TOTAL,
    FundRecord,
    IndicatorRecord,
    ProjectRecord,
    ProjectReport,
    ScoreRecord,
)
from pipeline.sources import ManifestEntry
from pipeline.tables import build_tables
from pipeline.vocabulary import (
    ACHIEVED,
    REPORT_PERFORMANCE_TARGET,
    REPORT_SELF_EVALUATION,
    TEMPLATE_CURRENT,
    TEMPLATE_LEGACY,
    TEMPLATE_TARGET,
)

D = Decimal
UNIT = "上海市示例局服务中心"


def wan(text: str) -> Decimal:
    return D(text) * 10000


def fund(source: str, line: int, initial: str, full: str, executed: str, rate: str, weight=None, score=None,
         unit="万元", offset=0) -> FundRecord:
    factor = D(10000) if unit == "万元" else D(1)
    return FundRecord(
        fund_source=source, source_line=line, fiscal_year_offset=offset, amount_unit=unit,
        budget_initial_yuan=D(initial.replace(",", "")) * factor if initial else None, budget_initial_raw=initial,
        budget_full_year_yuan=D(full.replace(",", "")) * factor if full else None, budget_full_year_raw=full,
        executed_yuan=D(executed.replace(",", "")) * factor if executed else None, executed_raw=executed,
        execution_rate_reported_pct=D(rate.rstrip("%")) if rate else None, execution_rate_raw=rate,
        weight=D(weight) if weight else None, weight_raw=weight or "-",
        score=D(score) if score else None, score_raw=score or "-",
    )


def indicator(seq: int, line: int, level1: str, level2: str | None, name: str, target: str, op, tval, tunit,
              actual: str, aval, aunit, weight: str, score: str, achievement=None, reason=None) -> IndicatorRecord:
    return IndicatorRecord(
        seq=seq, name=name, source_line=line, level1=level1, level2=level2, level1_raw=level1, level2_raw=level2,
        target_raw=target, target_operator=op, target_value=D(tval) if tval is not None else None, target_unit=tunit,
        actual_raw=actual, actual_value=D(aval) if aval is not None else None, actual_unit=aunit,
        achievement=achievement, weight=D(weight) if weight else None, weight_raw=weight,
        score=D(score) if score else None, score_raw=score, deviation_reason=reason,
    )


def current_report(name: str = "热线服务经费") -> ProjectReport:
    """Current template (like seed 003): 10 + 50 + 30 + 10 points, all consistent, graded 优."""
    project = ProjectRecord(
        report_type=REPORT_SELF_EVALUATION, template=TEMPLATE_CURRENT, project_name=name, source_line=3,
        fiscal_year=2023, department="上海市示例局", implementing_unit=UNIT,
        total_score=D("100"), total_score_raw="100", total_max_points=D("100"), grade="优",
    )
    funds = [
        fund(FUND_TOTAL, 10, "187.92", "187.92", "187.92", "100.00", "10.00", "10.00"),
        fund(FUND_CURRENT_APPROPRIATION, 11, "187.92", "187.92", "187.92", "100.00"),
        fund(FUND_PRIOR_CARRYOVER, 12, "0.00", "0.00", "0.00", "0.00"),
        fund(FUND_OTHER, 13, "0.00", "0.00", "0.00", "0.00"),
    ]
    indicators = [
        indicator(1, 17, "产出指标", "数量指标", "派遣人员数量", "≥9.00(人)", "≥", "9", "人", "9.00(人)", "9", "人",
                  "20", "20"),
        indicator(2, 18, "产出指标", "质量指标", "派遣人员合格率", "≥90.00(%)", "≥", "90", "%", "93.00(%)", "93", "%",
                  "20", "20"),
        indicator(3, 19, "产出指标", "成本指标", "服务经费成本控制情况", "≤187.92(万元)", "≤", "187.92", "万元",
                  "187.92(万元)", "187.92", "万元", "10", "10"),
        indicator(4, 20, "效益指标", "社会效益指标", "对热线诉求处置的作用", "有效保障", None, None, None, "达成指标",
                  None, None, "15", "15", ACHIEVED),
        indicator(5, 21, "效益指标", "可持续影响指标", "长效管理机制健全性", "健全", None, None, None, "达成指标", None,
                  None, "15", "15", ACHIEVED),
        indicator(6, 22, "满意度指标", "服务对象满意度指标", "市民满意度", "≥85.00(%)", "≥", "85", "%", "88.38(%)",
                  "88.38", "%", "10", "10"),
    ]
    scores = [
        ScoreRecord(COMPONENT_BUDGET, 10, D("10"), D("10"), D("10"), D("10"), "10.00"),
        ScoreRecord("产出指标", 17, None, D("50"), D("50")),
        ScoreRecord("效益指标", 20, None, D("30"), D("30")),
        ScoreRecord("满意度指标", 22, None, D("10"), D("10")),
        ScoreRecord(COMPONENT_TOTAL, 23, D("100"), D("100"), D("100"), D("100"), "100"),
    ]
    return ProjectReport(project, funds, indicators, scores)


LEGACY_COMMON = (
    ("资金使用的合规性", "6"), ("绩效目标合理性", "8"), ("项目设立的规范性", "5"), ("预算执行率", "8"),
    ("财务（资产）管理制度的健全性和执行的有效性", "5"), ("项目管理制度的健全性和执行的有效性", "4"),
)
LEGACY_BANDS = "优秀>=90;良好>=75;合格>=60;不合格>=0"


def legacy_report(name: str = "社区服务热线管理", budget="2,730,460.00", executed="2,730,460.00",
                  rate="100.00%", prior_budget="2,266,180.00", unit: str = UNIT) -> ProjectReport:
    """Older template (like seed 004): amounts in 元, groups 36/34/15/15, total 100 graded 优秀."""
    project = ProjectRecord(
        report_type=REPORT_SELF_EVALUATION, template=TEMPLATE_LEGACY, project_name=name, source_line=3,
        fiscal_year=2019, implementing_unit=unit, total_score=D("100"), total_score_raw="100",
        total_max_points=D("100"), grade="优秀", grade_bands=LEGACY_BANDS, evaluation_date=date(2020, 3, 12),
    )
    funds = [
        fund(FUND_TOTAL, 7, None, budget, executed, rate, unit="元"),
        fund(FUND_TOTAL, 7, None, prior_budget, None, None, unit="元", offset=-1),
    ]
    indicators = [
        indicator(i, 17 + i, "投入与管理", None, n, None, None, None, None, None, None, None, w, w)
        for i, (n, w) in enumerate(LEGACY_COMMON, start=1)
    ]
    indicators += [
        indicator(7, 27, "产出目标", None, "热线服务", None, None, None, None, None, None, None, "34", "34"),
        indicator(8, 31, "效果目标", None, "市民满意", None, None, None, None, None, None, None, "15", "15"),
        indicator(9, 33, "影响力目标", None, "社会影响力", None, None, None, None, None, None, None, "15", "15"),
    ]
    scores = [
        ScoreRecord("投入与管理", 18, D("36"), D("36"), D("36")),
        ScoreRecord("产出目标", 27, D("34"), D("34"), D("34")),
        ScoreRecord("效果目标", 31, D("15"), D("15"), D("15")),
        ScoreRecord("影响力目标", 33, D("15"), D("15"), D("15")),
        ScoreRecord(COMPONENT_TOTAL, 36, D("100"), D("100"), D("100"), D("100"), "100"),
    ]
    return ProjectReport(project, funds, indicators, scores)


def target_report(name: str = "热线咨询平台项目经费", prior_budget="70785200", prior_executed="70784807",
                  unit: str = UNIT) -> ProjectReport:
    """Performance target table (like seed 002): one-year project, last year's figures printed."""
    project = ProjectRecord(
        report_type=REPORT_PERFORMANCE_TARGET, template=TEMPLATE_TARGET, project_name=name, source_line=2,
        fiscal_year=2020, implementing_unit=unit, planned_start_date=date(2020, 1, 1),
        planned_end_date=date(2020, 12, 31), project_total_budget_yuan=D("55070152"),
        project_total_budget_raw="55070152",
    )
    funds = [
        fund(FUND_TOTAL, 68, None, "55070152", None, None, unit="元"),
        fund(FUND_TOTAL, 70, None, prior_budget, prior_executed, None, unit="元", offset=-1),
    ]
    indicators = [
        indicator(1, 148, "投入与管理", "投入管理", "系统建设完成率", "=100%", "=", "100", "%", None, None, None,
                  None, None),
        indicator(2, 186, "效果目标", "满意度", "综合满意度", ">97%", ">", "97", "%", None, None, None, None, None),
    ]
    return ProjectReport(project, funds, indicators, [])


def tables_of(*reports_by_file: tuple[str, list[ProjectReport]]) -> dict[str, pa.Table]:
    """Tables for files given as (file name, reports), as ``build_tables`` makes them."""
    results = [
        FileResult(source_file=f, sha256="0" * 64, bytes=1, status=PARSED, encoding="utf-8", reports=list(reports))
        for f, reports in reports_by_file
    ]
    manifest = {f: ManifestEntry(None, "上海市示例局", None) for f, _ in reports_by_file}
    return dict(build_tables(results, manifest).arrow)


def clean_tables() -> dict[str, pa.Table]:
    """One consistent report of each template, and a target table whose last-year figures match a report."""
    return tables_of(
        ("a.txt", [current_report()]),
        ("b.txt", [legacy_report(name="12333热线全媒体智能咨询平台项目经费", budget="70,785,200.00",
                                 executed="70,785,200.00")]),
        ("c.txt", [target_report(prior_executed="70785200")]),
    )


# --- what the checks find ----------------------------------------------------------


def findings(*reports_by_file) -> pd.DataFrame:
    return find_all(tables_of(*reports_by_file)).to_pandas()


def findings_of(report) -> pd.DataFrame:
    return findings(("a.txt", [report]))


def fired(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["check_name"], df["row_key"].str.replace(r"project_id=\w+", "project", regex=True)))


def only(df: pd.DataFrame, *expected: tuple[str, str]) -> None:
    assert fired(df) == set(expected), df[["check_name", "row_key", "observed", "expected"]].to_string()


def set_total_funds(report, initial: str, full: str, executed: str, rate: str, score: str) -> None:
    """Total and current_appropriation rows of a current-template report (万元), others zero."""
    report.funds[0] = fund(FUND_TOTAL, 10, initial, full, executed, rate, "10.00", score)
    report.funds[1] = fund(FUND_CURRENT_APPROPRIATION, 11, initial, full, executed, rate)


def set_total(report, total: str) -> None:
    report.project.total_score = D(total)
