"""Across reports: last year's figures printed in a report against that year's own report.

A report may print the same project's previous-year budget and execution
(上年预算金额, 同名项目上年预算额 / 上年预算执行数: ``funds`` rows with
``fiscal_year`` = report year - 1). When the warehouse also holds the
previous year's report of that project, the figures should agree. Project
names drift between years (DOMAIN-RULES C18: 12333热线全媒体智能咨询平台项目经费 in
2019 vs 12333热线咨询平台项目经费 in the 2020 target table), so the match is fuzzy:

1. a candidate report of the previous year whose budget equals the printed
   figure exactly, and whose unit or name resembles the report's; or
2. failing that, a candidate of the same implementing unit and year whose
   name is similar enough.

Only an unambiguous best match is compared.
"""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline.quality.data import CheckData
from pipeline.quality.frames import per_distinct
from pipeline.quality.precision import EPS, fmt_series, half_unit_yuan
from pipeline.quality.rows import emit, key_funds, no_findings, texts
from pipeline.records import FUND_TOTAL

NAME_SIMILAR = 0.75  # name similarity that alone identifies the project (same unit, same year)
NAME_PLAUSIBLE = 0.5  # name similarity that confirms an exact amount match
UNIT_SIMILAR = 0.8
MAX_BY_AMOUNT = 20  # candidates sharing one year and exact budget
MAX_BY_UNIT = 200  # candidates sharing one year and implementing unit


def similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def similarity_if_reachable(a: str | None, b: str | None, needed: float) -> float:
    """``similarity(a, b)``, or 0.0 when it cannot reach ``needed``: difflib's cheap upper
    bounds rule most pairs out before the exact ratio (a pair below ``needed`` is refused
    whatever its exact similarity, so nothing it decides changes)."""
    if not a or not b:
        return 0.0
    if needed > 0:
        length = len(a) + len(b)
        if 2.0 * min(len(a), len(b)) / length < needed:  # SequenceMatcher.real_quick_ratio
            return 0.0
        if 2.0 * sum((_char_counts(a) & _char_counts(b)).values()) / length < needed:  # .quick_ratio
            return 0.0
    return SequenceMatcher(None, a, b).ratio()


@lru_cache(maxsize=1 << 16)
def _char_counts(text: str) -> Counter:
    """The characters of a name with their counts (names recur across many pairs)."""
    return Counter(text)


def _units_alike(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a) or similarity(a, b) >= UNIT_SIMILAR


def match_key(text: pd.Series) -> pd.Series:
    """Names and units folded for matching: NFKC (full/half width), no whitespace."""
    return per_distinct(text, _folded)


def _folded(text: pd.Series) -> pd.Series:
    return text.fillna("").astype(str).str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def _per_distinct_pair(function, *columns) -> list:
    """``function`` over the rows of ``columns``, called once per distinct row (pairs of
    names and units repeat: a unit's projects meet the same candidates)."""
    results: dict = {}
    out = []
    for args in zip(*(np.asarray(column, dtype=object) for column in columns)):
        if args not in results:
            results[args] = function(*args)
        out.append(results[args])
    return out


def _with_amounts(rows: pd.DataFrame) -> pd.DataFrame:
    budget = rows["budget_full_year_yuan"].fillna(rows["budget_initial_yuan"])
    budget_raw = rows["budget_full_year_raw"].where(rows["budget_full_year_yuan"].notna(), rows["budget_initial_raw"])
    return rows.assign(
        _budget=budget,
        _budget_half=half_unit_yuan(budget_raw, budget, rows["amount_unit"]),
        _executed=rows["executed_yuan"],
        _executed_half=half_unit_yuan(rows["executed_raw"], rows["executed_yuan"], rows["amount_unit"]),
        _cents=(budget * 100).round(),
    )


def _prior_rows(data: CheckData, units: pd.Series) -> pd.DataFrame:
    funds = data.funds_in_context
    rows = funds[(funds["fund_source"] == FUND_TOTAL) & (funds["fiscal_year"] == funds["report_year"] - 1)]
    rows = rows[rows["budget_full_year_yuan"].notna() | rows["budget_initial_yuan"].notna() | rows["executed_yuan"].notna()]
    rows = _with_amounts(rows).assign(_row=rows.index)
    return rows.assign(_unit=rows["project_id"].map(units))


def _candidates(data: CheckData, units: pd.Series) -> pd.DataFrame:
    totals = data.current_totals.reset_index()
    totals = totals[totals["report_year"].notna()]
    c = _with_amounts(totals)
    return pd.DataFrame({
        "c_project_id": c["project_id"].values,
        "c_year": c["report_year"].values,
        "c_budget": c["_budget"].values,
        "c_budget_half": c["_budget_half"].values,
        "c_initial": c["budget_initial_yuan"].values,
        "c_executed": c["_executed"].values,
        "c_executed_half": c["_executed_half"].values,
        "c_cents": c["_cents"].values,
        "c_unit": c["project_id"].map(units).values,
    })


def _few(cand: pd.DataFrame, keys: list[str], limit: int) -> pd.DataFrame:
    """Candidates whose blocking key is shared by at most ``limit`` reports.

    A key shared by more (hundreds of projects of one unit and year, or one
    round amount everywhere) cannot identify a project, and comparing every
    pair would be quadratic.
    """
    if cand.empty:
        return cand
    sizes = cand.groupby(keys, dropna=False)[keys[0]].transform("size")
    return cand[sizes <= limit]


def match_prior_year_reports(data: CheckData) -> pd.DataFrame:
    """One row per prior-year funds row that found its previous report (columns prefixed c_)."""
    projects = data.projects.set_index("project_id")
    units = match_key(projects["implementing_unit"])
    prior, cand = _prior_rows(data, units), _candidates(data, units)
    if prior.empty or cand.empty:
        return pd.DataFrame()
    by_amount = prior.merge(_few(cand, ["c_year", "c_cents"], MAX_BY_AMOUNT),
                            left_on=["fiscal_year", "_cents"], right_on=["c_year", "c_cents"])
    by_amount = by_amount.assign(_stage=1)
    unmatched = prior[~prior["_row"].isin(by_amount["_row"])]
    by_unit = unmatched[unmatched["_unit"] != ""].merge(
        _few(cand, ["c_year", "c_unit"], MAX_BY_UNIT), left_on=["fiscal_year", "_unit"], right_on=["c_year", "c_unit"]
    ).assign(_stage=2)
    pairs = pd.concat([by_amount, by_unit], ignore_index=True)
    pairs = pairs[pairs["project_id"] != pairs["c_project_id"]]
    if pairs.empty:
        return pd.DataFrame()
    names = match_key(projects["project_name"])
    pairs = pairs.assign(_name=pairs["project_id"].map(names), c_name=pairs["c_project_id"].map(names))
    units_alike = _per_distinct_pair(_units_alike, pairs["_unit"], pairs["c_unit"])
    needed = np.where(pairs["_stage"] == 1, np.where(units_alike, 0.0, NAME_PLAUSIBLE), NAME_SIMILAR)
    name_sim = _per_distinct_pair(similarity_if_reachable, pairs["_name"], pairs["c_name"], needed)
    pairs = pairs.assign(name_similarity=name_sim, units_alike=units_alike)
    accepted = np.where(
        pairs["_stage"] == 1,
        pairs["units_alike"] | (pairs["name_similarity"] >= NAME_PLAUSIBLE),
        pairs["name_similarity"] >= NAME_SIMILAR,
    )
    pairs = pairs[accepted]
    pairs = pairs.sort_values(["_row", "_stage", "name_similarity"], ascending=[True, True, False])
    first, second = pairs.groupby("_row").nth(0), pairs.groupby("_row").nth(1)
    second = second.set_index("_row")
    first = first.set_index("_row")
    tied = second.index[
        (second["_stage"] == first.loc[second.index, "_stage"])
        & (second["name_similarity"] == first.loc[second.index, "name_similarity"])
    ]
    best = first.drop(index=tied)
    sources = projects["source_file"] + ":" + projects["source_line"].astype(str)
    return best.assign(c_source=best["c_project_id"].map(sources))


def _agrees(a: pd.Series, half_a: pd.Series, b: pd.Series, half_b: pd.Series) -> pd.Series:
    return (a - b).abs() <= half_a + half_b + EPS


def prior_year_matches_previous_report(data: CheckData) -> pd.DataFrame:
    m = match_prior_year_reports(data)
    if m.empty:
        return no_findings()
    budget_ok = _agrees(m["_budget"], m["_budget_half"], m["c_budget"], m["c_budget_half"]) | _agrees(
        m["_budget"], m["_budget_half"], m["c_initial"], m["c_budget_half"])
    budget_ok |= m["_budget"].isna() | m["c_budget"].isna()
    executed_ok = _agrees(m["_executed"], m["_executed_half"], m["c_executed"], m["c_executed_half"])
    executed_ok |= m["_executed"].isna() | m["c_executed"].isna()
    bad = m[~(budget_ok & executed_ok)]
    if bad.empty:
        return no_findings()
    return emit(
        "prior_year_matches_previous_report",
        bad,
        row_key=key_funds(bad),
        observed=texts("budget {b}, executed {e}", bad, b=fmt_series(bad["_budget"], 2), e=fmt_series(bad["_executed"], 2)),
        expected=texts("budget {b}, executed {e} ({c_source})", bad, b=fmt_series(bad["c_budget"], 2),
                       e=fmt_series(bad["c_executed"], 2)),
        message=texts("last year's figures differ from the {fy:.0f} report of the same project "
                      "(name similarity {s})", bad, fy=bad["fiscal_year"].astype(float),
                      s=fmt_series(bad["name_similarity"], 2)),
    )


RULES = (prior_year_matches_previous_report,)
#: The checks these rules emit.
CHECK_NAMES = ("prior_year_matches_previous_report",)


def reporter_years(changed_years: set[int]) -> set[int]:
    """The report years whose findings can change when reports of ``changed_years`` change:
    a report of year y is compared only with reports of year y - 1 (its candidates)."""
    return changed_years | {year + 1 for year in changed_years}


def input_years(reporters: set[int]) -> set[int]:
    """The report years the findings of reports of ``reporters`` years are computed from."""
    return reporters | {year - 1 for year in reporters}
