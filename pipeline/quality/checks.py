"""The source-consistency checks: stable names, severities and the rule each applies.

One registry, so that a check's name and severity are defined once and the
``quality_findings`` suite, the docs and the tests all read them from here.
``rule`` points at the clause of ``../shared/DOMAIN-RULES.md`` §5 (C1–C19).
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    table: str  # table the findings point into
    rule: str  # DOMAIN-RULES §5 clause
    description: str


_CHECKS = (
    # --- funds -----------------------------------------------------------------
    Check("execution_rate_matches_amounts", ERROR, "funds", "C1",
          "printed 执行率 equals executed / full-year budget, rounded or truncated to the printed precision, "
          "for some amounts within half a unit of the printed amounts"),
    Check("execution_rate_uses_adjusted_budget", WARNING, "funds", "C2",
          "the printed rate matches executed / 年初预算数 but not executed / 全年预算数 (wrong denominator)"),
    Check("executed_exceeds_budget", WARNING, "funds", "C5",
          "executed amount above the full-year budget (rate > 100%)"),
    Check("fund_score_matches_weight_times_rate", ERROR, "funds", "C3",
          "budget-execution 得分 = 分值 x min(rate, 100%) (rounded or truncated) and 得分 <= 分值"),
    Check("fund_rows_sum_to_total", ERROR, "funds", "C4",
          "年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金 for each amount column"),
    # --- indicators ------------------------------------------------------------
    Check("indicator_score_within_weight", ERROR, "indicators", "C6",
          "0 <= 得分 <= 分值 for every indicator"),
    Check("indicator_score_exceeds_achievement", ERROR, "indicators", "C11",
          "an unmet positive quantitative target earns at most 分值 x actual / target (+0.01)"),
    Check("target_met_but_points_deducted", WARNING, "indicators", "C11",
          "a quantitative target is met but the indicator lost points (national rule: met -> full weight)"),
    Check("status_score_outside_band", WARNING, "indicators", "C10",
          "score / weight outside the band of the status phrase (达成 [0.8,1], 部分达成 [0.6,0.8), 未达成 [0,0.6))"),
    Check("over_achievement_without_reason", WARNING, "indicators", "C12",
          "actual >= 130% of a positive target and no 偏差原因 given (local rule)"),
    Check("level2_contradicts_indicator_name", WARNING, "indicators", "C16",
          "the indicator's name says cost / timeliness / satisfaction but it sits under another level-2 label"),
    Check("placeholder_indicator", INFO, "indicators", "C17",
          "the indicator name or target only repeats a category label"),
    Check("status_only_actual", INFO, "indicators", "C17",
          "a numeric target answered only with a status phrase: the actual number is missing"),
    Check("ambiguous_ratio_scale", INFO, "indicators", "C17",
          "a rate target <= 1 without a unit beside rate targets on the 0-100 scale (1 = 100%? 0.006 = 0.6%?)"),
    Check("target_not_machine_readable", INFO, "indicators", "C18",
          "the target carries an operator but is free text (composite targets), so it cannot be checked"),
    Check("unit_outside_vocabulary", WARNING, "indicators", "C13",
          "a target or actual unit outside the known unit list"),
    Check("target_actual_unit_mismatch", WARNING, "indicators", "C13",
          "the target and the actual are in different units"),
    Check("misspelling_in_report", WARNING, "indicators", "C13",
          "the printed indicator text contains a known misspelling (e.g. 建全 for 健全)"),
    # --- projects and score components -----------------------------------------
    Check("weights_sum_to_100", ERROR, "projects", "C7",
          "indicator weights plus budget-execution points sum to the total points (100)"),
    Check("group_weights_match_declared_points", ERROR, "scores", "C14",
          "a level-1 group's weights sum to the points declared with its label, e.g. 投入与管理 (36分)"),
    Check("legacy_common_indicators", WARNING, "projects", "C14",
          "older template: 投入与管理 holds exactly the six common indicators with weights 6/8/5/8/5/4"),
    Check("total_equals_sum_of_parts", ERROR, "projects", "C8",
          "printed total (or group score) = budget-execution score + sum of indicator scores (+-0.01)"),
    Check("grade_matches_total", ERROR, "projects", "C9",
          "the printed grade is the band the total falls in (national 90/80/60; older template: printed bands)"),
    Check("grade_band_ambiguous", INFO, "projects", "C9",
          "current template total in [75, 80): 中 under national bands, 良 if Shanghai kept its older bands"),
    Check("recommended_weight_structure", INFO, "projects", "C15",
          "current template: 产出 50 / 效益 30 / 满意度 10 / budget execution 10 (national default)"),
    Check("satisfaction_group_missing", WARNING, "projects", "C15",
          "current template: no 满意度指标 group at all"),
    Check("top_grade_with_low_execution", WARNING, "projects", "C19",
          "total above the local cap for its execution rate (<80% -> <=89, <70% -> <=79, <60% -> <=69, <50% -> <=59)"),
    Check("total_budget_matches_annual_budget", INFO, "projects", "C18",
          "a one-year project's 项目总预算 equals its 项目当年预算"),
    # --- across reports --------------------------------------------------------
    Check("prior_year_matches_previous_report", WARNING, "funds", "C18",
          "last year's budget / execution printed in a report equal that project's own report for that year"),
)

CHECKS: dict[str, Check] = {c.name: c for c in _CHECKS}


def check(name: str) -> Check:
    return CHECKS[name]
