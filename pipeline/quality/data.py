"""The tables the consistency rules read, with the joins several rules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import pyarrow as pa

from pipeline.quality.frames import frames, per_distinct
from pipeline.quality.precision import half_unit_yuan, printed_decimals
from pipeline.records import FUND_TOTAL

PROJECT_CONTEXT = ["project_id", "report_type", "template", "fiscal_year"]
PROVENANCE = ["source_file", "source_line"]

#: The columns the rules read (long narrative text stays out of the frames).
COLUMNS = {
    "projects": [
        *PROJECT_CONTEXT, "project_name", "implementing_unit", "total_score", "total_max_points", "grade",
        "grade_bands", "planned_start_date", "planned_end_date", "project_total_budget_yuan",
        "project_total_budget_raw", *PROVENANCE,
    ],
    "indicators": [
        "project_id", "seq", "level1", "level2", "name", "target_raw", "target_operator", "target_value",
        "target_unit", "actual_raw", "actual_value", "actual_unit", "achievement", "weight", "score",
        "deviation_reason", *PROVENANCE,
    ],
    "funds": [
        "project_id", "fiscal_year", "fund_source", "amount_unit", "budget_initial_yuan", "budget_initial_raw",
        "budget_full_year_yuan", "budget_full_year_raw", "executed_yuan", "executed_raw",
        "execution_rate_reported_pct", "execution_rate_raw", "execution_rate_pct", "weight", "score", "score_raw",
        *PROVENANCE,
    ],
    "scores": ["project_id", "component", "max_points", "reported_score", *PROVENANCE],
    "parse_notes": ["project_id", "code", *PROVENANCE],
}
PERCENT_ALIASES = {"百分比": "%", "％": "%"}
MONEY_RAW = {
    "budget_initial_yuan": "budget_initial_raw",
    "budget_full_year_yuan": "budget_full_year_raw",
    "executed_yuan": "executed_raw",
}


@dataclass
class CheckData:
    projects: pd.DataFrame
    funds: pd.DataFrame
    indicators: pd.DataFrame
    scores: pd.DataFrame
    parse_notes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_tables(cls, tables: dict[str, pa.Table | pd.DataFrame]) -> CheckData:
        f = frames(tables, COLUMNS)
        return cls(f["projects"], f["funds"], f["indicators"], f["scores"], f["parse_notes"])

    def memo(self, key: str, compute):
        """A value several rules share, computed once per run."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @cached_property
    def project_context(self) -> pd.DataFrame:
        ctx = self.projects[PROJECT_CONTEXT].rename(columns={"fiscal_year": "report_year"})
        return ctx.drop_duplicates("project_id")

    @cached_property
    def _templates(self) -> pd.Series:
        return self.project_context.set_index("project_id")["template"]

    def template_of(self, project_ids: pd.Series) -> pd.Series:
        """The template of each project id."""
        return per_distinct(project_ids, lambda ids: ids.map(self._templates))

    @cached_property
    def funds_in_context(self) -> pd.DataFrame:
        return self.funds.merge(self.project_context, on="project_id", how="left").set_axis(self.funds.index, axis=0)

    @cached_property
    def current_totals(self) -> pd.DataFrame:
        """Each project's 年度资金总额 row for the report's own year, indexed by project_id."""
        funds = self.funds_in_context
        same_year = (funds["fiscal_year"] == funds["report_year"]) | (
            funds["fiscal_year"].isna() & funds["report_year"].isna()
        )
        rows = funds[(funds["fund_source"] == FUND_TOTAL) & same_year]
        return rows.drop_duplicates("project_id").set_index("project_id")

    @cached_property
    def weight_sums(self) -> pd.DataFrame:
        """Per project: Σ indicator weights, Σ scores, and how many indicators were weighted."""
        ind = self.indicators
        grouped = ind.groupby("project_id", sort=False)
        return pd.DataFrame(
            {
                "weight_sum": grouped["weight"].sum(min_count=1),
                "score_sum": grouped["score"].sum(min_count=1),
                "weighted": grouped["weight"].count(),
                "scored": grouped["score"].count(),
            }
        )

    @cached_property
    def group_sums(self) -> pd.DataFrame:
        """Per project x level-1 group: Σ weights and Σ scores of its indicators."""
        grouped = self.indicators.groupby(["project_id", "level1"], sort=False)
        return pd.DataFrame(
            {"weight_sum": grouped["weight"].sum(min_count=1), "score_sum": grouped["score"].sum(min_count=1)}
        ).reset_index()

    @cached_property
    def units(self) -> pd.DataFrame:
        """Indicator target / actual units with 百分比 folded onto %."""
        return pd.DataFrame(
            {
                "target": self.indicators["target_unit"].replace(PERCENT_ALIASES),
                "actual": self.indicators["actual_unit"].replace(PERCENT_ALIASES),
            },
            index=self.indicators.index,
        )

    @cached_property
    def fund_half_units(self) -> pd.DataFrame:
        """Per funds row and amount column: half a unit of the last printed digit, in 元."""
        f = self.funds
        return pd.DataFrame(
            {col: half_unit_yuan(f[raw], f[col], f["amount_unit"]) for col, raw in MONEY_RAW.items()},
            index=f.index,
        )

    @cached_property
    def rate_decimals(self) -> pd.Series:
        """Decimals of each funds row's printed execution rate."""
        return printed_decimals(self.funds["execution_rate_raw"], self.funds["execution_rate_reported_pct"])
