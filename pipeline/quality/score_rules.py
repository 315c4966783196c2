"""Whole-report arithmetic: weights, totals and grades (DOMAIN-RULES §5 C7–C9, C14, C15, C18, C19)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.quality import grades
from pipeline.quality.data import CheckData
from pipeline.quality.precision import EPS, fmt_series, half_unit_yuan
from pipeline.quality.rows import emit, key_projects, key_scores, no_findings, texts
from pipeline.records import COMPONENT_BUDGET, COMPONENT_TOTAL
from pipeline.text import label_key
from pipeline.vocabulary import (
    REPORT_PERFORMANCE_TARGET,
    REPORT_SELF_EVALUATION,
    TEMPLATE_CURRENT,
    TEMPLATE_LEGACY,
)

POINTS_TOLERANCE = 0.01
TOTAL_POINTS = 100.0

#: Older Shanghai template: the six common indicators of 投入与管理 and their fixed weights (DOMAIN-RULES §2.1).
LEGACY_INPUT_GROUP = "投入与管理"
LEGACY_COMMON_INDICATORS = {
    "资金使用的合规性": 6.0,
    "绩效目标合理性": 8.0,
    "项目设立的规范性": 5.0,
    "预算执行率": 8.0,
    "财务(资产)管理制度的健全性和执行的有效性": 5.0,
    "项目管理制度的健全性和执行的有效性": 4.0,
}

#: National default structure of the current template (DOMAIN-RULES §1, C15).
RECOMMENDED_GROUPS = {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}
RECOMMENDED_BUDGET_POINTS = 10.0
SATISFACTION_GROUP = "满意度指标"

#: Local cap of the total by execution rate (DOMAIN-RULES §1, C19): rate below -> total at most.
EXECUTION_CAPS = ((50.0, 59.0), (60.0, 69.0), (70.0, 79.0), (80.0, 89.0))


def _score_component(data: CheckData, column: str) -> pd.Series:
    """Per project, a column of its budget_execution score row."""
    sc = data.scores
    rows = sc[sc["component"] == COMPONENT_BUDGET].drop_duplicates("project_id").set_index("project_id")
    return rows[column]


def self_evaluations(data: CheckData) -> pd.DataFrame:
    """Self-evaluation projects with their indicator sums and budget-execution points and score."""
    return data.memo("self_evaluations", lambda: _self_evaluations(data))


def _self_evaluations(data: CheckData) -> pd.DataFrame:
    p = data.projects[data.projects["report_type"] == REPORT_SELF_EVALUATION].set_index("project_id", drop=False)
    sums = data.weight_sums.reindex(p.index)
    totals = data.current_totals.reindex(p.index)
    budget_weight = totals["weight"].fillna(_score_component(data, "max_points").reindex(p.index))
    budget_score = totals["score"].fillna(_score_component(data, "reported_score").reindex(p.index))
    current = p["template"] == TEMPLATE_CURRENT
    rate = totals["execution_rate_pct"].fillna(totals["execution_rate_reported_pct"])
    return p.assign(
        weight_sum=sums["weight_sum"],
        score_sum=sums["score_sum"],
        weighted=sums["weighted"].fillna(0),
        scored=sums["scored"].fillna(0),
        budget_weight=budget_weight.where(current, 0.0).fillna(0.0),
        budget_score=budget_score.where(current, 0.0).fillna(0.0),
        execution_rate=rate,
    )


def weights_sum_to_100(data: CheckData) -> pd.DataFrame:
    p = self_evaluations(data)
    p = p[p["weighted"] > 0]
    total = p["weight_sum"] + p["budget_weight"]
    expected = p["total_max_points"].fillna(TOTAL_POINTS)
    bad = p[((total - expected).abs() > POINTS_TOLERANCE) | ((total - TOTAL_POINTS).abs() > POINTS_TOLERANCE)]
    if bad.empty:
        return no_findings()
    return emit(
        "weights_sum_to_100",
        bad,
        row_key=key_projects(bad),
        observed=texts("{w} indicator + {b} budget execution = {t}", bad, w=fmt_series(bad["weight_sum"]),
                       b=fmt_series(bad["budget_weight"]), t=fmt_series(total[bad.index])),
        expected=fmt_series(expected[bad.index]),
        message="the weights do not add up to the points available",
    )


def _groups_beside_row_sums(data: CheckData, printed: str, row_sum: str) -> tuple[pd.DataFrame, pd.Series]:
    """Level-1 group rows of ``scores`` that print ``printed``, indexed as in ``scores``, and
    beside them the ``row_sum`` (weight_sum or score_sum) of their indicator rows (0 when none)."""
    sc = data.scores
    groups = sc[~sc["component"].isin([COMPONENT_BUDGET, COMPONENT_TOTAL]) & sc[printed].notna()]
    sums = data.group_sums.rename(columns={"level1": "component", row_sum: "_rows"})
    merged = groups.assign(_row=groups.index).merge(sums[["project_id", "component", "_rows"]],
                                                   on=["project_id", "component"], how="left").set_index("_row")
    return merged, merged["_rows"].fillna(0.0)


def group_weights_match_declared_points(data: CheckData) -> pd.DataFrame:
    merged, observed = _groups_beside_row_sums(data, printed="max_points", row_sum="weight_sum")
    bad = merged[(observed - merged["max_points"]).abs() > POINTS_TOLERANCE]
    if bad.empty:
        return no_findings()
    return emit(
        "group_weights_match_declared_points",
        bad,
        row_key=key_scores(bad),
        observed=fmt_series(observed[bad.index]),
        expected=fmt_series(bad["max_points"]),
        message=texts("group {component} declares {d} points but its indicators weigh {o}", bad,
                      d=fmt_series(bad["max_points"]), o=fmt_series(observed[bad.index])),
    )


def legacy_common_indicators(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    rows = ind[ind["level1"] == LEGACY_INPUT_GROUP]
    rows = rows[data.template_of(rows["project_id"]) == TEMPLATE_LEGACY]
    projects = data.projects[(data.projects["template"] == TEMPLATE_LEGACY)
                             & (data.projects["report_type"] == REPORT_SELF_EVALUATION)]
    expected = sorted(LEGACY_COMMON_INDICATORS.items())
    names = rows["name"].map({n: label_key(n) for n in pd.unique(rows["name"].dropna())})
    fits = (names.map(LEGACY_COMMON_INDICATORS).astype("float64") - rows["weight"]).abs() < EPS
    per_project = pd.DataFrame({"project_id": rows["project_id"], "fits": fits, "name": names}).groupby("project_id")
    counts = per_project.agg(rows=("fits", "size"), fitting=("fits", "sum"), distinct=("name", "nunique"))
    counts = counts.reindex(projects["project_id"]).fillna(0)
    n = len(LEGACY_COMMON_INDICATORS)
    ok = (counts["rows"] == n) & (counts["fitting"] == n) & (counts["distinct"] == n)
    bad = projects[projects["project_id"].isin(ok.index[~ok.values])]
    if bad.empty:
        return no_findings()
    shown = rows.assign(_shown=names.fillna("") + " " + fmt_series(rows["weight"])).groupby("project_id")["_shown"]
    observed = bad["project_id"].map(shown.agg(lambda xs: "; ".join(sorted(xs)))).fillna("(none)")
    return emit(
        "legacy_common_indicators",
        bad,
        table_name="projects",
        row_key=key_projects(bad),
        observed=observed,
        expected="; ".join(f"{n} {w:g}" for n, w in expected),
        message="投入与管理 does not hold exactly the template's six common indicators with their fixed weights",
    )


def total_equals_sum_of_parts(data: CheckData) -> pd.DataFrame:
    p = self_evaluations(data)
    p = p[p["total_score"].notna() & (p["scored"] > 0)]
    computed = p["budget_score"] + p["score_sum"]
    bad = p[(p["total_score"] - computed).abs() > POINTS_TOLERANCE + EPS]
    found = []
    if not bad.empty:
        found.append(emit(
            "total_equals_sum_of_parts",
            bad,
            row_key=key_projects(bad),
            observed=fmt_series(bad["total_score"]),
            expected=texts("{b} + {s} = {c}", bad, b=fmt_series(bad["budget_score"]), s=fmt_series(bad["score_sum"]),
                           c=fmt_series(computed[bad.index])),
            message="the printed total is not the budget-execution score plus the indicator scores",
        ))
    found.append(_group_scores_match_rows(data))
    return pd.concat(found)


def _group_scores_match_rows(data: CheckData) -> pd.DataFrame:
    merged, observed = _groups_beside_row_sums(data, printed="reported_score", row_sum="score_sum")
    bad = merged[(observed - merged["reported_score"]).abs() > POINTS_TOLERANCE + EPS]
    if bad.empty:
        return no_findings()
    return emit(
        "total_equals_sum_of_parts",
        bad,
        table_name="scores",
        row_key=key_scores(bad),
        observed=fmt_series(bad["reported_score"]),
        expected=fmt_series(observed[bad.index]),
        message=texts("group {component} prints a score of {r} but its indicators score {o}", bad,
                      r=fmt_series(bad["reported_score"]), o=fmt_series(observed[bad.index])),
    )


def _graded(data: CheckData) -> pd.DataFrame:
    p = data.projects
    p = p[(p["report_type"] == REPORT_SELF_EVALUATION) & p["total_score"].notna() & p["grade"].notna()]
    expected = pd.Series(None, index=p.index, dtype="object")
    described = pd.Series("", index=p.index, dtype="object")
    for (template, printed), group in p.groupby(["template", p["grade_bands"].fillna("")], sort=False):
        bands = grades.bands_for(template, printed or None)
        lows = [low - EPS for low, _ in bands]
        grade = np.select([group["total_score"] >= low for low in lows], [name for _, name in bands], default="")
        expected[group.index] = pd.Series(grade, index=group.index).replace("", None)
        described[group.index] = grades.describe(bands)
    return p.assign(_bands=described, _expected=expected)


def grade_matches_total(data: CheckData) -> pd.DataFrame:
    p = _graded(data)
    if p.empty:
        return no_findings()
    printed = p["grade"].map(grades.canonical)
    expected = p["_expected"].map(grades.canonical)
    ambiguous = (p["template"] == TEMPLATE_CURRENT) & (p["total_score"] >= 75 - EPS) & (p["total_score"] < 80)
    matches = (printed == expected) | (ambiguous & (printed == "良"))
    bad = p[~matches & p["_expected"].notna()]
    found = [grade_band_ambiguous(p[ambiguous])]
    if not bad.empty:
        found.append(emit(
            "grade_matches_total",
            bad,
            row_key=key_projects(bad),
            observed=bad["grade"],
            expected=bad["_expected"],
            message=texts("total {t} earns {e} under the bands {b}, but the report grades it {grade}", bad,
                          t=fmt_series(bad["total_score"]), e=bad["_expected"], b=bad["_bands"]),
        ))
    return pd.concat(found)


def grade_band_ambiguous(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return no_findings()
    return emit(
        "grade_band_ambiguous",
        rows,
        row_key=key_projects(rows),
        observed=texts("{t} graded {grade}", rows, t=fmt_series(rows["total_score"])),
        expected="中 (national 80/60) or 良 (Shanghai's older 75 band)",
        message="a total in [75, 80) is 中 under the national bands and 良 under Shanghai's older ones; "
        "no Shanghai notice settles which applies",
    )


def weight_structure(data: CheckData) -> pd.DataFrame:
    """C15: the satisfaction group must exist; the national 50/30/10/10 split is recommended."""
    p = self_evaluations(data)
    p = p[(p["template"] == TEMPLATE_CURRENT) & (p["weighted"] > 0)]
    if p.empty:
        return no_findings()
    pivot = data.group_sums.pivot_table(index="project_id", columns="level1", values="weight_sum", aggfunc="sum")
    pivot = pivot.reindex(index=p.index, columns=list(RECOMMENDED_GROUPS)).fillna(0.0)
    missing = pivot[SATISFACTION_GROUP] <= EPS
    off = (pivot - pd.Series(RECOMMENDED_GROUPS)).abs().gt(POINTS_TOLERANCE).any(axis=1)
    off |= (p["budget_weight"] - RECOMMENDED_BUDGET_POINTS).abs() > POINTS_TOLERANCE
    observed = pd.Series("", index=p.index, dtype="object")
    for group in RECOMMENDED_GROUPS:
        observed = observed + f"{group} " + fmt_series(pivot[group]) + " / "
    observed = observed + "预算执行 " + fmt_series(p["budget_weight"])
    expected = " / ".join(f"{g} {v:g}" for g, v in RECOMMENDED_GROUPS.items()) + f" / 预算执行 {RECOMMENDED_BUDGET_POINTS:g}"
    miss, struct = p[missing], p[~missing & off]
    return pd.concat([
        emit("satisfaction_group_missing", miss, row_key=key_projects(miss), observed=observed[miss.index],
             expected=expected, message="no 满意度指标 group: the satisfaction of those served is not evaluated"),
        emit("recommended_weight_structure", struct, row_key=key_projects(struct), observed=observed[struct.index],
             expected=expected, message="weights depart from the national default split"),
    ])


def top_grade_with_low_execution(data: CheckData) -> pd.DataFrame:
    p = self_evaluations(data)
    p = p[p["total_score"].notna() & p["execution_rate"].notna()]
    rate = p["execution_rate"]
    cap = pd.Series(np.select([rate < low for low, _ in EXECUTION_CAPS], [c for _, c in EXECUTION_CAPS], np.inf),
                    index=p.index)
    bad = p[p["total_score"] > cap + EPS]
    if bad.empty:
        return no_findings()
    return emit(
        "top_grade_with_low_execution",
        bad,
        row_key=key_projects(bad),
        observed=texts("total {t} ({grade}) at {r}% execution", bad, t=fmt_series(bad["total_score"]),
                       r=fmt_series(bad["execution_rate"])),
        expected=texts("total <= {c}", bad, c=fmt_series(cap[bad.index])),
        message="a high self-assessed total despite low budget execution (local cap rule)",
    )


def total_budget_matches_annual_budget(data: CheckData) -> pd.DataFrame:
    p = data.projects
    p = p[(p["report_type"] == REPORT_PERFORMANCE_TARGET) & p["project_total_budget_yuan"].notna()].set_index(
        "project_id", drop=False)
    start, end = pd.to_datetime(p["planned_start_date"]), pd.to_datetime(p["planned_end_date"])
    p = p[start.dt.year == end.dt.year]
    totals = data.current_totals.reindex(p.index)
    annual = totals["budget_full_year_yuan"].fillna(totals["budget_initial_yuan"])
    tolerance = half_unit_yuan(p["project_total_budget_raw"], p["project_total_budget_yuan"],
                               pd.Series("元", index=p.index)) + half_unit_yuan(
        totals["budget_full_year_raw"], totals["budget_full_year_yuan"], totals["amount_unit"]) + EPS
    bad = p[annual.notna() & ((p["project_total_budget_yuan"] - annual).abs() > tolerance)]
    if bad.empty:
        return no_findings()
    return emit(
        "total_budget_matches_annual_budget",
        bad,
        row_key=key_projects(bad),
        observed=fmt_series(bad["project_total_budget_yuan"], 2),
        expected=fmt_series(annual[bad.index], 2),
        message="a one-year project whose total budget differs from its budget for the year",
    )


RULES = (
    weights_sum_to_100,
    group_weights_match_declared_points,
    legacy_common_indicators,
    total_equals_sum_of_parts,
    grade_matches_total,
    weight_structure,
    top_grade_with_low_execution,
    total_budget_matches_annual_budget,
)
