"""Typed records that cross module boundaries: what a parser returns.

A parser turns one ``Segment`` into one ``ProjectReport``: the project header,
its fund rows, its indicators and its score components. Every record carries
the line it came from; ``source_file`` is added when reports become tables.
Raw text sits beside every parsed number (``*_raw`` fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FUND_TOTAL = "total"
FUND_CURRENT_APPROPRIATION = "current_appropriation"
FUND_PRIOR_CARRYOVER = "prior_carryover"
FUND_OTHER = "other"
FUND_SOURCES = (FUND_TOTAL, FUND_CURRENT_APPROPRIATION, FUND_PRIOR_CARRYOVER, FUND_OTHER)

COMPONENT_BUDGET = "budget_execution"
COMPONENT_TOTAL = "total"


@dataclass
class ProjectRecord:
    """One project report's header and narrative (table ``projects``)."""

    report_type: str
    template: str
    project_name: str
    source_line: int
    title: str | None = None
    fiscal_year: int | None = None
    fiscal_year_source: str | None = None  # document | manifest | evaluation_date
    department: str | None = None  # 主管部门
    implementing_unit: str | None = None  # 实施单位 / 预算单位 / 申报单位名称
    division: str | None = None  # 具体实施处（科室）
    is_recurring: bool | None = None  # 是否为经常性项目
    project_category: str | None = None  # 项目类别
    performance_type: str | None = None  # 绩效类型
    includes_government_purchase: bool | None = None  # 是否含有政府购买服务
    planned_start_date: date | None = None
    planned_end_date: date | None = None
    evaluation_date: date | None = None  # 自评时间
    total_score: Decimal | None = None
    total_score_raw: str | None = None
    total_max_points: Decimal | None = None
    grade: str | None = None  # as printed
    grade_bands: str | None = None  # bands printed in the report, e.g. "优秀>=90;良好>=75;…"
    goal_expected: str | None = None  # 年度总体目标 预期目标 / 项目年度总目标
    goal_actual: str | None = None  # 实际完成情况
    main_results: str | None = None  # 主要绩效
    main_problems: str | None = None  # 主要问题
    improvement_measures: str | None = None  # 改进措施
    project_overview: str | None = None  # 项目概况
    legal_basis: str | None = None  # 立项依据
    necessity: str | None = None  # 项目设立的必要性
    implementation_measures: str | None = None  # 保证项目实施的制度、措施
    implementation_plan: str | None = None  # 项目实施计划
    overall_and_phase_goals: str | None = None  # 总目标及阶段性目标
    project_total_budget_yuan: Decimal | None = None  # 项目总预算（元）
    project_total_budget_raw: str | None = None
    notes: str | None = None  # printed notes (说明) kept verbatim


@dataclass
class FundRecord:
    """One fund row: project x fiscal year x fund source (table ``funds``)."""

    fund_source: str
    source_line: int
    fiscal_year_offset: int = 0  # 0 = the report's year, -1 = last year's figures
    amount_unit: str = "元"  # unit the amounts were printed in
    budget_initial_yuan: Decimal | None = None
    budget_initial_raw: str | None = None
    budget_full_year_yuan: Decimal | None = None
    budget_full_year_raw: str | None = None
    executed_yuan: Decimal | None = None
    executed_raw: str | None = None
    execution_rate_reported_pct: Decimal | None = None
    execution_rate_raw: str | None = None
    weight: Decimal | None = None
    weight_raw: str | None = None
    score: Decimal | None = None
    score_raw: str | None = None
    label_raw: str | None = None  # the row label as printed


@dataclass
class IndicatorRecord:
    """One performance indicator (table ``indicators``)."""

    seq: int
    name: str
    source_line: int
    level1: str | None = None
    level2: str | None = None
    level1_raw: str | None = None
    level2_raw: str | None = None
    description: str | None = None  # 指标解释 (older template)
    target_raw: str | None = None
    target_operator: str | None = None
    target_value: Decimal | None = None
    target_unit: str | None = None
    actual_raw: str | None = None
    actual_operator: str | None = None
    actual_value: Decimal | None = None
    actual_unit: str | None = None
    achievement: str | None = None  # achieved | partially_achieved | not_achieved
    weight: Decimal | None = None
    weight_raw: str | None = None
    score: Decimal | None = None
    score_raw: str | None = None
    deviation_reason: str | None = None  # 偏差原因分析
    remark: str | None = None  # 备注
    source_line_end: int | None = None  # last line when the row wrapped or broke


@dataclass
class ScoreRecord:
    """One scoring component of a project (table ``scores``)."""

    component: str
    source_line: int
    max_points: Decimal | None = None
    weight_sum: Decimal | None = None
    score_sum: Decimal | None = None
    reported_score: Decimal | None = None
    reported_score_raw: str | None = None


@dataclass
class ParseNote:
    """Something a parser repaired or noticed, kept for the analyst."""

    code: str
    message: str
    source_line: int


@dataclass
class ProjectReport:
    """Everything one project report yields."""

    project: ProjectRecord
    funds: list[FundRecord] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    scores: list[ScoreRecord] = field(default_factory=list)
    notes: list[ParseNote] = field(default_factory=list)


class ReportRejected(Exception):
    """A segment that cannot be parsed into a trustworthy report."""

    def __init__(self, reason: str, source_line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.source_line = source_line
