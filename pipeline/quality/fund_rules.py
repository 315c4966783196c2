"""Budget execution: does the funds block add up? (DOMAIN-RULES §5 C1–C5)"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.quality.data import CheckData
from pipeline.quality.precision import EPS, agrees, fmt_series, printed_decimals
from pipeline.quality.rows import emit, key_funds, no_findings, texts
from pipeline.records import FUND_TOTAL


def rate_interval(executed: pd.Series, budget: pd.Series, h_exec: pd.Series, h_budget: pd.Series):
    """(low, high) of 100 x executed / budget over amounts within half a printed unit."""
    low_num = (executed - h_exec).clip(lower=0)
    high_den = budget + h_budget
    low_den = (budget - h_budget).where(budget - h_budget > 0, np.nan)
    low = 100 * low_num / high_den
    high = 100 * (executed + h_exec) / low_den
    high = high.where(high.notna(), np.inf)
    return low, high


def _rate_agrees(data: CheckData, funds: pd.DataFrame, budget_col: str) -> pd.Series:
    """Printed rate consistent with executed / ``budget_col``? (NaN where not applicable)."""
    printed = funds["execution_rate_reported_pct"]
    decimals = data.rate_decimals.loc[funds.index]
    executed, budget = funds["executed_yuan"], funds[budget_col]
    half = data.fund_half_units.loc[funds.index]
    h_exec, h_budget = half["executed_yuan"], half[budget_col]
    low, high = rate_interval(executed, budget, h_exec, h_budget)
    result = agrees(printed, decimals, low, high)
    zero_budget = budget.abs() < EPS  # printed 0: the rate is 0 (or not printed), whatever rounding hides
    result = result.where(~zero_budget, printed.abs() < EPS)
    applicable = printed.notna() & executed.notna() & budget.notna()
    return result.where(applicable)


def execution_rate_matches_amounts(data: CheckData) -> pd.DataFrame:
    funds = data.funds
    ok = _rate_agrees(data, funds, "budget_full_year_yuan")
    bad = funds[ok.eq(False)]
    if bad.empty:
        return no_findings()
    exact = 100 * bad["executed_yuan"] / bad["budget_full_year_yuan"]
    observed = bad["execution_rate_raw"].fillna(fmt_series(bad["execution_rate_reported_pct"]))
    return emit(
        "execution_rate_matches_amounts",
        bad,
        row_key=key_funds(bad),
        observed=observed.astype(str),
        expected=fmt_series(exact),
        message=texts(
            "printed execution rate {obs} but executed / full-year budget = {ex} / {bud} 元 = {rate}%, "
            "which neither rounds nor truncates to it (amounts allowed ± half a printed unit)",
            bad,
            obs=observed,
            ex=fmt_series(bad["executed_yuan"], 2),
            bud=fmt_series(bad["budget_full_year_yuan"], 2),
            rate=fmt_series(exact),
        ),
    )


def execution_rate_uses_adjusted_budget(data: CheckData) -> pd.DataFrame:
    funds = data.funds
    funds = funds[(funds["budget_initial_yuan"] - funds["budget_full_year_yuan"]).abs() > EPS]
    with_full = _rate_agrees(data, funds, "budget_full_year_yuan")
    with_initial = _rate_agrees(data, funds, "budget_initial_yuan")
    bad = funds[with_initial.eq(True) & with_full.eq(False)]
    if bad.empty:
        return no_findings()
    return emit(
        "execution_rate_uses_adjusted_budget",
        bad,
        row_key=key_funds(bad),
        observed=texts("{r} = executed / 年初预算数", bad, r=fmt_series(bad["execution_rate_reported_pct"])),
        expected=fmt_series((100 * bad["executed_yuan"] / bad["budget_full_year_yuan"])) + " = executed / 全年预算数",
        message="the printed rate was computed on the initial budget; the denominator is the adjusted full-year budget",
    )


def executed_exceeds_budget(data: CheckData) -> pd.DataFrame:
    funds = data.funds
    bad = funds[(funds["executed_yuan"] - funds["budget_full_year_yuan"]) > EPS]
    if bad.empty:
        return no_findings()
    return emit(
        "executed_exceeds_budget",
        bad,
        row_key=key_funds(bad),
        observed=fmt_series(bad["executed_yuan"], 2),
        expected=texts("<= {b}", bad, b=fmt_series(bad["budget_full_year_yuan"], 2)),
        message="executed more than the full-year budget (execution rate above 100%)",
    )


def fund_score_matches_weight_times_rate(data: CheckData) -> pd.DataFrame:
    funds = data.funds
    rows = funds[funds["score"].notna() & funds["weight"].notna()]
    if rows.empty:
        return no_findings()
    weight, score = rows["weight"], rows["score"]
    decimals = printed_decimals(rows["score_raw"], score)
    printed_rate = rows["execution_rate_reported_pct"]
    from_printed = weight * printed_rate.clip(upper=100) / 100
    ok_printed = agrees(score, decimals, from_printed, from_printed).where(printed_rate.notna(), False)
    h_exec = data.fund_half_units.loc[rows.index, "executed_yuan"]
    h_budget = data.fund_half_units.loc[rows.index, "budget_full_year_yuan"]
    low, high = rate_interval(rows["executed_yuan"], rows["budget_full_year_yuan"], h_exec, h_budget)
    ok_amounts = agrees(score, decimals, weight * low.clip(upper=100) / 100, weight * high.clip(upper=100) / 100)
    ok_amounts = ok_amounts.where(low.notna(), False)
    has_rate = printed_rate.notna() | low.notna()
    within = score <= weight + EPS
    bad = rows[(has_rate & ~(ok_printed | ok_amounts)) | ~within]
    if bad.empty:
        return no_findings()
    rate = bad["execution_rate_reported_pct"].fillna(100 * bad["executed_yuan"] / bad["budget_full_year_yuan"])
    expected = bad["weight"] * rate.clip(upper=100) / 100
    return emit(
        "fund_score_matches_weight_times_rate",
        bad,
        row_key=key_funds(bad),
        observed=fmt_series(bad["score"]),
        expected=fmt_series(expected),
        message=texts(
            "budget-execution score {s} but 分值 {w} x min(rate {r}%, 100%) = {e} (and the score may not exceed 分值)",
            bad,
            s=fmt_series(bad["score"]),
            w=fmt_series(bad["weight"]),
            r=fmt_series(rate),
            e=fmt_series(expected),
        ),
    )


_AMOUNTS = (
    ("budget_initial_yuan", "budget_initial_raw", "年初预算数"),
    ("budget_full_year_yuan", "budget_full_year_raw", "全年预算数"),
    ("executed_yuan", "executed_raw", "全年执行数"),
)


def fund_rows_sum_to_total(data: CheckData) -> pd.DataFrame:
    funds = data.funds
    if funds.empty:
        return no_findings()
    keys = ["project_id", "fiscal_year"]
    is_total = funds["fund_source"] == FUND_TOTAL
    values = pd.DataFrame(index=funds.index)
    for column, raw, _ in _AMOUNTS:
        values[column] = funds[column]
        values[f"{column}__half"] = data.fund_half_units[column]
    values[keys] = funds[keys]
    grouped = values[~is_total].groupby(keys, dropna=False)
    sums = grouped.sum(min_count=1).add_prefix("parts__").assign(parts__n=grouped.size())
    totals = values[is_total].assign(_row=values.index[is_total])
    merged = totals.merge(sums.reset_index(), on=keys, how="inner").set_index("_row")
    merged = merged.join(funds[["source_file", "source_line", "fund_source"]])
    found = []
    for column, _, label in _AMOUNTS:
        total, parts = merged[column], merged[f"parts__{column}"]
        tolerance = merged[f"{column}__half"] + merged[f"parts__{column}__half"].fillna(0) + EPS
        bad = merged[total.notna() & parts.notna() & ((total - parts).abs() > tolerance)]
        if bad.empty:
            continue
        found.append(
            emit(
                "fund_rows_sum_to_total",
                bad,
                row_key=key_funds(bad) + ";column=" + column,
                observed=fmt_series(bad[column], 2),
                expected=fmt_series(bad[f"parts__{column}"], 2),
                message=texts(
                    f"{label}: 年度资金总额 {{t}} 元 but its {{n}} source rows sum to {{p}} 元",
                    bad,
                    t=fmt_series(bad[column], 2),
                    n=bad["parts__n"],
                    p=fmt_series(bad[f"parts__{column}"], 2),
                ),
            )
        )
    return pd.concat(found) if found else no_findings()


RULES = (
    execution_rate_matches_amounts,
    execution_rate_uses_adjusted_budget,
    executed_exceeds_budget,
    fund_score_matches_weight_times_rate,
    fund_rows_sum_to_total,
)
