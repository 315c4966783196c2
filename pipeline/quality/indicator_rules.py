"""Indicators: scores against weights, targets and status phrases (DOMAIN-RULES §5 C6, C10–C13, C16–C18)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipeline.quality.data import CheckData
from pipeline.quality.frames import isin, per_distinct
from pipeline.quality.precision import EPS, fmt_series
from pipeline.quality.rows import emit, key_indicators, no_findings, texts
from pipeline.vocabulary import (
    KNOWN_UNITS,
    MISSPELLINGS,
    STATUS_BANDS,
    TEMPLATE_CURRENT,
    TREES,
)

#: Tolerance of a score against a computed expectation (DOMAIN-RULES C11).
SCORE_TOLERANCE = 0.01
#: Local over-achievement rule: actual >= 130% of target (>= 30 when the target is 0).
OVER_ACHIEVEMENT_RATIO = 1.3
OVER_ACHIEVEMENT_ZERO_TARGET = 30

POSITIVE = ("≥", ">", "=")


def _quantitative(data: CheckData) -> pd.Series:
    """Numeric target with an operator, numeric actual, same unit (or both without)."""
    return data.memo("quantitative", lambda: _compute_quantitative(data))


def _compute_quantitative(data: CheckData) -> pd.Series:
    ind, units = data.indicators, data.units
    same_unit = (units["target"] == units["actual"]) | (units["target"].isna() & units["actual"].isna())
    return ind["target_value"].notna() & ind["actual_value"].notna() & ind["target_operator"].notna() & same_unit


def target_met(ind: pd.DataFrame) -> pd.Series:
    """Whether a numeric target is met, by operator (= counts as positive, as in pmkpi)."""
    op, t, a = ind["target_operator"], ind["target_value"], ind["actual_value"]
    conditions = [
        op == "≥",
        op == ">",
        (op == "=") & (t > 0),
        (op == "=") & (t <= 0),
        op == "≤",
        op == "<",
    ]
    choices = [a >= t - EPS, a > t, a >= t - EPS, a <= t + EPS, a <= t + EPS, a < t]
    return pd.Series(np.select(conditions, choices, default=False), index=ind.index, dtype=bool)


def _target_met(data: CheckData) -> pd.Series:
    """``target_met`` of every indicator, computed once per run."""
    return data.memo("target_met", lambda: target_met(data.indicators))


def indicator_score_within_weight(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    bad = ind[(ind["score"] < -EPS) | (ind["score"] > ind["weight"] + EPS)]
    if bad.empty:
        return no_findings()
    return emit(
        "indicator_score_within_weight",
        bad,
        row_key=key_indicators(bad),
        observed=fmt_series(bad["score"]),
        expected=texts("0..{w}", bad, w=fmt_series(bad["weight"])),
        message=texts("indicator 「{name}」 scores {s} of a weight of {w}", bad,
                      s=fmt_series(bad["score"]), w=fmt_series(bad["weight"])),
    )


def indicator_score_exceeds_achievement(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    unmet = _quantitative(data) & ind["target_operator"].isin(POSITIVE) & (ind["target_value"] > 0) & ~_target_met(data)
    expected = ind["weight"] * ind["actual_value"].clip(lower=0) / ind["target_value"]
    bad = ind[unmet & (ind["score"] > expected + SCORE_TOLERANCE + EPS)]
    if bad.empty:
        return no_findings()
    exp = expected[bad.index]
    return emit(
        "indicator_score_exceeds_achievement",
        bad,
        row_key=key_indicators(bad),
        observed=fmt_series(bad["score"]),
        expected=texts("<= {e}", bad, e=fmt_series(exp)),
        message=texts(
            "target {target_raw} not met (actual {actual_raw}): at most 分值 {w} x {a} / {t} = {e}, scored {s}",
            bad, w=fmt_series(bad["weight"]), a=fmt_series(bad["actual_value"]), t=fmt_series(bad["target_value"]),
            e=fmt_series(exp), s=fmt_series(bad["score"]),
        ),
    )


def target_met_but_points_deducted(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    bad = ind[_quantitative(data) & _target_met(data) & (ind["score"] < ind["weight"] - EPS)]
    if bad.empty:
        return no_findings()
    return emit(
        "target_met_but_points_deducted",
        bad,
        row_key=key_indicators(bad),
        observed=fmt_series(bad["score"]),
        expected=fmt_series(bad["weight"]),
        message=texts("target {target_raw} met (actual {actual_raw}) but scored {s} of {w}", bad,
                      s=fmt_series(bad["score"]), w=fmt_series(bad["weight"])),
    )


def status_score_outside_band(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    rows = ind.loc[ind["achievement"].notna() & (ind["weight"] > 0), ["achievement", "score", "weight"]]
    status = rows["achievement"]
    ratio = (rows["score"] / rows["weight"]).round(9)
    low = per_distinct(status, lambda s: s.map({k: float(v[0]) for k, v in STATUS_BANDS.items()}).astype("float64"))
    high = per_distinct(status, lambda s: s.map({k: float(v[1]) for k, v in STATUS_BANDS.items()}).astype("float64"))
    closed = per_distinct(
        status, lambda s: s.map({k: v[2] for k, v in STATUS_BANDS.items()}).astype("object").fillna(False).astype(bool)
    )
    inside = (ratio >= low) & ((ratio < high) | (closed & (ratio <= high)))
    outside = rows.index[(low.notna() & ratio.notna() & ~inside).to_numpy()]
    bad = ind.loc[outside]
    if bad.empty:
        return no_findings()
    band = bad["achievement"].map(
        {k: f"[{v[0]}, {v[1]}{']' if v[2] else ')'}" for k, v in STATUS_BANDS.items()}
    )
    return emit(
        "status_score_outside_band",
        bad,
        row_key=key_indicators(bad),
        observed=texts("{s}/{w} = {r}", bad, s=fmt_series(bad["score"]), w=fmt_series(bad["weight"]),
                       r=fmt_series(ratio[outside])),
        expected=band,
        message=texts("「{actual_raw}」 scored {s} of {w}, outside the band {b} of its status", bad,
                      s=fmt_series(bad["score"]), w=fmt_series(bad["weight"]), b=band),
    )


def over_achievement_without_reason(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    t, a = ind["target_value"], ind["actual_value"]
    over = ((t > 0) & (a >= OVER_ACHIEVEMENT_RATIO * t - EPS)) | ((t == 0) & (a >= OVER_ACHIEVEMENT_ZERO_TARGET))
    over &= _quantitative(data) & ind["target_operator"].isin(POSITIVE)
    no_reason = ind["deviation_reason"].isna() | (ind["deviation_reason"].str.strip() == "")
    bad = ind[over & no_reason]
    if bad.empty:
        return no_findings()
    pct = 100 * bad["actual_value"] / bad["target_value"].replace(0, np.nan)
    return emit(
        "over_achievement_without_reason",
        bad,
        row_key=key_indicators(bad),
        observed=texts("{a} = {p}% of target", bad, a=bad["actual_raw"], p=fmt_series(pct, 0)),
        expected="< 130% of target, or a stated reason",
        message=texts("actual {actual_raw} against target {target_raw} with no 偏差原因分析", bad),
    )


_COST = re.compile(r"成本")
_SATISFACTION = re.compile(r"满意(?:度|率)(?:评分|指数)?$")
_TIMELINESS = re.compile(r"(?:及时性|及时率|按时完成|及时完成|按期完成)")
_ANY_KIND = "|".join(p.pattern for p in (_COST, _SATISFACTION, _TIMELINESS))
_EXPECTED_LEVEL2 = {
    TEMPLATE_CURRENT: {"cost": "成本指标", "satisfaction": "服务对象满意度指标", "timeliness": "时效指标"},
    "legacy": {"cost": "成本", "satisfaction": "满意度", "timeliness": "时效"},
}


def _name_kind(names: pd.Series) -> pd.Series:
    """cost / satisfaction / timeliness, the kind an indicator name points to ("" for none)."""
    name = names.astype(str)
    return pd.Series(
        np.select(
            [name.str.contains(_COST.pattern), name.str.contains(_SATISFACTION.pattern),
             name.str.contains(_TIMELINESS.pattern)],
            ["cost", "satisfaction", "timeliness"],
            default="",
        ),
        index=names.index,
    )


def level2_contradicts_indicator_name(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    kinds = per_distinct(ind["name"], _name_kind)
    candidate = ind["level2"].notna() & (kinds != "")
    rows, kind = ind.loc[candidate, ["project_id", "name", "level2"]], kinds[candidate]
    rows = rows.assign(template=data.template_of(rows["project_id"]))
    if rows.empty:
        return no_findings()
    current = rows["template"] == TEMPLATE_CURRENT
    expected = kind.map(_EXPECTED_LEVEL2[TEMPLATE_CURRENT]).where(current, kind.map(_EXPECTED_LEVEL2["legacy"]))
    wrong = rows.index[(rows["level2"] != expected).to_numpy()]
    if wrong.empty:
        return no_findings()
    bad = ind.loc[wrong]
    exp = expected[wrong]
    return emit(
        "level2_contradicts_indicator_name",
        bad,
        row_key=key_indicators(bad),
        observed=bad["level2"],
        expected=exp,
        message=texts("「{name}」 sits under {level2} but its name points to {e}", bad, e=exp),
    )


def _category_labels() -> set[str]:
    labels: set[str] = set()
    for tree in TREES.values():
        for parent, children in tree.items():
            for label in (parent, *children):
                labels.add(label)
                if label.endswith("指标"):
                    labels.add(label[: -len("指标")])
    return labels


CATEGORY_LABELS = frozenset(_category_labels())


def placeholder_indicator(data: CheckData) -> pd.DataFrame:
    """The target repeats a category label, or the name does and no measurable target follows
    (an indicator simply named 满意度 with target ≥85% is a real indicator)."""
    ind = data.indicators
    labels = list(CATEGORY_LABELS)
    name_is_label = ind["name"].isin(labels) & ind["target_value"].isna()
    bad = ind[name_is_label | ind["target_raw"].isin(labels)]
    if bad.empty:
        return no_findings()
    return emit(
        "placeholder_indicator",
        bad,
        row_key=key_indicators(bad),
        observed=texts("{name} | {target_raw}", bad),
        expected="a concrete indicator name and target",
        message="the indicator name or target only repeats a category label",
    )


def status_only_actual(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    bad = ind[ind["target_value"].notna() & ind["actual_value"].isna() & ind["achievement"].notna()]
    if bad.empty:
        return no_findings()
    return emit(
        "status_only_actual",
        bad,
        row_key=key_indicators(bad),
        observed=bad["actual_raw"],
        expected=texts("a number comparable to {target_raw}", bad),
        message=texts("numeric target {target_raw} answered only with 「{actual_raw}」: the actual figure is missing", bad),
    )


def ambiguous_ratio_scale(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    is_rate = per_distinct(ind["name"], lambda names: names.fillna("").str.endswith("率"))
    unit = data.units["target"]
    percent_scale = is_rate & (ind["target_value"] > 1) & (unit.isna() | (unit == "%"))
    small = is_rate & unit.isna() & (ind["target_value"] > 0) & (ind["target_value"] <= 1)
    on_percent = isin(ind.loc[small, "project_id"], ind.loc[percent_scale, "project_id"])
    bad = ind.loc[on_percent.index[on_percent.to_numpy()]]
    if bad.empty:
        return no_findings()
    return emit(
        "ambiguous_ratio_scale",
        bad,
        row_key=key_indicators(bad),
        observed=bad["target_raw"],
        expected="the rate on the same scale as the report's other rates (percent)",
        message=texts("rate target {target_raw} has no unit while the report's other rates are on a 0-100 scale", bad),
    )


_OPERATOR_CHARS = re.compile(r"[≥≤<>=＜＞＝≧≦]")


def target_not_machine_readable(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    has_operator = per_distinct(ind["target_raw"], lambda raw: raw.fillna("").str.contains(_OPERATOR_CHARS))
    bad = ind[has_operator & ind["target_value"].isna()]
    if bad.empty:
        return no_findings()
    return emit(
        "target_not_machine_readable",
        bad,
        row_key=key_indicators(bad),
        observed=bad["target_raw"],
        expected="one operator, one number, one unit",
        message="composite or free-text target: its achievement cannot be checked",
    )


def unit_outside_vocabulary(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    known = list(KNOWN_UNITS | {"％"})
    unknown_target = ind["target_unit"].notna() & ~ind["target_unit"].isin(known)
    unknown_actual = ind["actual_unit"].notna() & ~ind["actual_unit"].isin(known)
    bad = ind[unknown_target | unknown_actual]
    if bad.empty:
        return no_findings()
    units = [
        ", ".join(u for u, flag in ((t, ft), (a, fa)) if flag)
        for t, a, ft, fa in zip(bad["target_unit"], bad["actual_unit"], unknown_target[bad.index], unknown_actual[bad.index])
    ]
    return emit(
        "unit_outside_vocabulary",
        bad,
        row_key=key_indicators(bad),
        observed=pd.Series(units, index=bad.index),
        expected="a unit of the known list",
        message="unit not in the unit vocabulary: a new unit, or a parsing slip",
    )


def target_actual_unit_mismatch(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    tu, au = data.units["target"], data.units["actual"]
    bad = ind[tu.notna() & au.notna() & (tu != au)]
    if bad.empty:
        return no_findings()
    return emit(
        "target_actual_unit_mismatch",
        bad,
        row_key=key_indicators(bad),
        observed=bad["actual_unit"],
        expected=bad["target_unit"],
        message=texts("target {target_raw} and actual {actual_raw} are in different units", bad),
    )


def misspelling_in_report(data: CheckData) -> pd.DataFrame:
    ind = data.indicators
    pattern = "|".join(map(re.escape, MISSPELLINGS))
    if not pattern:
        return no_findings()
    columns = ("name", "target_raw", "actual_raw")
    hits = np.logical_or.reduce([
        per_distinct(ind[c], lambda text: text.str.contains(pattern, na=False)).to_numpy() for c in columns
    ])
    bad = ind[hits]
    if bad.empty:
        return no_findings()
    text = bad["name"].fillna("") + "|" + bad["target_raw"].fillna("") + "|" + bad["actual_raw"].fillna("")
    found = text.str.findall(pattern).map(lambda xs: ", ".join(dict.fromkeys(xs)))
    return emit(
        "misspelling_in_report",
        bad,
        row_key=key_indicators(bad),
        observed=found,
        expected=found.map(lambda xs: ", ".join(MISSPELLINGS[x.strip()] for x in xs.split(","))),
        message=texts("the report misspells {f} in 「{name}」 / 「{target_raw}」", bad, f=found),
    )


RULES = (
    indicator_score_within_weight,
    indicator_score_exceeds_achievement,
    target_met_but_points_deducted,
    status_score_outside_band,
    over_achievement_without_reason,
    level2_contradicts_indicator_name,
    placeholder_indicator,
    status_only_actual,
    ambiguous_ratio_scale,
    target_not_machine_readable,
    unit_outside_vocabulary,
    target_actual_unit_mismatch,
    misspelling_in_report,
)
