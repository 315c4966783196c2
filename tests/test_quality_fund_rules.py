"""The fund checks (pipeline/quality/fund_rules.py) fire on a deliberately inconsistent
report, and only there: execution rates, budgets, fund scores and fund rows."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pipeline.quality.checks import CHECKS, ERROR, WARNING
from pipeline.records import FUND_CURRENT_APPROPRIATION, FUND_PRIOR_CARRYOVER, FUND_TOTAL
from tests.quality_fixtures import current_report, findings_of, fired, fund, legacy_report, only, set_total, set_total_funds


# --- C1 execution rate ----------------------------------------------------------------


@pytest.mark.parametrize(
    "budget, executed, printed, consistent",
    [
        ("70,785,200.00", "70,784,807.00", "100.00%", True),  # seed 001: 99.99944 rounds to 100.00
        ("2,730,460.00", "2,719,852.00", "100.00%", False),  # seed 004A: 99.61
        ("1,813,200.00", "1,812,276.00", "100.00%", False),  # seed 004B: 99.949, truncates to 99.94
        ("1,813,200.00", "1,812,276.00", "99.94%", True),  # truncated
        ("1,813,200.00", "1,812,276.00", "99.95%", True),  # rounded
        ("1,813,200.00", "1,812,276.00", "99.93%", False),
    ],
)
def test_execution_rate_rounded_or_truncated(budget, executed, printed, consistent):
    df = findings_of(legacy_report(budget=budget, executed=executed, rate=printed))
    assert ("execution_rate_matches_amounts" in set(df["check_name"])) is not consistent


@pytest.mark.parametrize(
    "full, executed, printed, score, consistent",
    [
        ("187.92", "187.63", "99.84", "9.98", True),  # seed 003A: 99.8457 truncated
        ("111.71", "88.46", "79.18", "7.91", True),  # seed 003C: 79.1872 truncated
        ("111.71", "88.46", "79.19", "7.91", True),  # rounded
        ("111.71", "88.46", "79.28", "7.92", False),
        ("0.03", "0.02", "75.00", "7.50", True),  # 万元 with 2 decimals hides up to 50 元 per amount
        ("0.03", "0.02", "40.00", "4.00", False),
    ],
)
def test_execution_rate_allows_for_printed_amount_precision(full, executed, printed, score, consistent):
    r = current_report()
    set_total_funds(r, full, full, executed, printed, score)
    set_total(r, str(90 + D(score)))
    df = findings_of(r)
    hits = df[df["check_name"] == "execution_rate_matches_amounts"]
    if consistent:
        assert hits.empty, hits.to_string()
    else:
        assert set(hits["row_key"]) == {"fiscal_year=2023;fund_source=total",
                                        "fiscal_year=2023;fund_source=current_appropriation"}
        assert set(hits["severity"]) == {ERROR}


def test_zero_budget_rate_must_be_zero():
    r = current_report()
    r.funds[2] = fund(FUND_PRIOR_CARRYOVER, 12, "0.00", "0.00", "0.00", "100.00")
    only(findings_of(r), ("execution_rate_matches_amounts", "fiscal_year=2023;fund_source=prior_carryover"))


def test_execution_rate_finding_cites_the_amounts():
    df = findings_of(legacy_report(executed="2,719,852.00"))
    row = df.iloc[0]
    assert (row["check_name"], row["observed"], row["expected"]) == ("execution_rate_matches_amounts", "100.00%", "99.6115")
    assert "2,719,852" in row["message"] and "2,730,460" in row["message"]
    assert (row["table_name"], row["source_file"], row["source_line"]) == ("funds", "a.txt", 7)


# --- C2, C3, C4, C5 -------------------------------------------------------------------


def test_rate_on_initial_budget_is_flagged():
    r = current_report()
    set_total_funds(r, "115.34", "111.71", "88.46", "76.69", "7.66")  # 88.46 / 115.34
    set_total(r, "97.66")
    df = findings_of(r)
    total_key = "fiscal_year=2023;fund_source=total"
    assert ("execution_rate_uses_adjusted_budget", total_key) in fired(df)
    assert ("execution_rate_matches_amounts", total_key) in fired(df)
    assert CHECKS["execution_rate_uses_adjusted_budget"].severity == WARNING


def test_executed_above_budget_is_flagged():
    r = current_report()
    set_total_funds(r, "187.92", "187.92", "200.00", "106.42", "10.00")
    df = findings_of(r)
    only(df, ("executed_exceeds_budget", "fiscal_year=2023;fund_source=total"),
         ("executed_exceeds_budget", "fiscal_year=2023;fund_source=current_appropriation"))


def test_fund_score_must_be_weight_times_rate():
    r = current_report()
    r.funds[0] = fund(FUND_TOTAL, 10, "187.92", "187.92", "187.92", "100.00", "10.00", "9.00")
    set_total(r, "99")
    only(findings_of(r), ("fund_score_matches_weight_times_rate", "fiscal_year=2023;fund_source=total"))


def test_fund_score_may_not_exceed_its_points():
    r = current_report()
    r.funds[0] = fund(FUND_TOTAL, 10, "187.92", "187.92", "187.92", "100.00", "10.00", "12.00")
    set_total(r, "102")
    assert ("fund_score_matches_weight_times_rate", "fiscal_year=2023;fund_source=total") in fired(findings_of(r))


def test_fund_rows_must_add_up_to_the_total():
    r = current_report()
    r.funds[2] = fund(FUND_PRIOR_CARRYOVER, 12, "5.00", "5.00", "5.00", "100.00")
    df = findings_of(r)
    keys = {k for c, k in fired(df) if c == "fund_rows_sum_to_total"}
    assert keys == {f"fiscal_year=2023;fund_source=total;column={c}"
                    for c in ("budget_initial_yuan", "budget_full_year_yuan", "executed_yuan")}
    assert fired(df) == {("fund_rows_sum_to_total", k) for k in keys}


def test_fund_rows_allow_for_rounding_of_each_printed_amount():
    r = current_report()  # 187.92 = 187.91 + 0.01 + 0.00: exact
    r.funds[1] = fund(FUND_CURRENT_APPROPRIATION, 11, "187.91", "187.91", "187.91", "100.00")
    r.funds[2] = fund(FUND_PRIOR_CARRYOVER, 12, "0.02", "0.02", "0.02", "100.00")  # off by 0.01 万 = 100 元
    assert findings_of(r).empty  # within 4 x 50 元 of printing
