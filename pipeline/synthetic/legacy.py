"""Synthetic reports of the older self-evaluation template (项目绩效自我评价).

Layouts follow seeds 001 (tab) and 004 (markdown pipes): a key/value header in
元, a scoring table grouped 投入与管理 (36分) / 产出目标 (34分) / 效果目标 (15分)
/ 影响力目标 (15分) with the six fixed 投入与管理 indicators, 合计 and the
printed grading note. Group labels sit at the top of their span, in its middle
(001) or below rows that belong to them (004B), where only the declared points
tell which group those rows belong to.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from pipeline.records import COMPONENT_TOTAL, FUND_TOTAL, FundRecord, IndicatorRecord, ProjectRecord, ProjectReport, ScoreRecord
from pipeline.synthetic import compose, pools
from pipeline.synthetic.compose import Draft, FileStyle
from pipeline.synthetic.layout import PIPE, TEXT, blank, raw, row
from pipeline.synthetic.quirks import break_line, looks_like_label
from pipeline.synthetic.values import fmt_amount, fmt_points, round2
from pipeline.vocabulary import REPORT_SELF_EVALUATION, TEMPLATE_LEGACY

FAMILY = TEMPLATE_LEGACY
NOTES = (
    "说明：1、依据本项目应实现的绩效目标或工作计划，对照已完成的情况，进行绩效自评。",
    "2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，60（含）-75分为合格，0-60分为不合格。",
    "3、产出目标、效果目标和影响力目标可根据项目情况自行增加绩效指标。",
)
HEADER = ("一级指标", "指标名称", "指标解释", "权重", "自评分", "备注")


def file_variant(rng: random.Random, form: str) -> dict:
    return {
        "group_label": rng.choice(("space", "fullwidth")) if form != PIPE else rng.choice(("br", "br", "space")),
        "descriptions": rng.random() < 0.5,
        "separators": rng.random() < 0.9,
        "rate_style": rng.choice(("percent", "percent", "bare")),
        "date_style": rng.choice(("iso", "iso", "slash", "chinese")),
        "html": form != TEXT and rng.random() < 0.3,
        "notes_blank": rng.random() < 0.5,
    }


def _group_label(label: str, points: int, style: str) -> str:
    if style == "br":
        return f"{label}<br>({points}分)"
    if style == "fullwidth":
        return f"{label}（{points}分）"
    return f"{label} ({points}分)"


def _indicators(rng: random.Random, v: dict) -> list[IndicatorRecord]:
    count = int(rng.triangular(9, 40, 14))
    extra = compose.split_counts(rng, count - 6 - 3, 3)
    out: list[IndicatorRecord] = []
    for name, description, weight in pools.LEGACY_COMMON:
        out.append(_record(rng, len(out) + 1, "投入与管理", name, description, Decimal(weight)))
    for (label, points), k in zip(pools.LEGACY_GROUP_POINTS[1:], extra):
        for weight in compose.integer_weights(rng, min(k + 1, points), points):
            name = compose.indicator_name(rng, pools.LEGACY_NAME_TEMPLATES[label])
            description = f"反映{name}的完成情况" if v["descriptions"] and rng.random() < 0.8 else None
            out.append(_record(rng, len(out) + 1, label, name, description, Decimal(weight)))
    return out


def _record(rng: random.Random, seq: int, level1: str, name: str, description: str | None, weight: Decimal) -> IndicatorRecord:
    roll = rng.random()
    if roll < 0.7:
        score = weight
    elif roll < 0.9:
        score = Decimal(rng.randint(max(0, int(weight) - 3), int(weight) - 1)) if weight > 1 else weight
    else:
        score = (weight * Decimal(str(round(rng.uniform(0.2, 0.99), 4)))).quantize(Decimal("0.01"))
    return IndicatorRecord(
        seq=seq, name=name, source_line=0, level1=level1, level2=None, description=description,
        weight=weight, weight_raw=fmt_points(weight, "trimmed"), score=score, score_raw=fmt_points(score, "trimmed"),
    )


def _grade(total: Decimal) -> str:
    return "优秀" if total >= 90 else "良好" if total >= 75 else "合格" if total >= 60 else "不合格"


def _date_text(year: int, month: int, day: int, style: str) -> str:
    if style == "slash":
        return f"{year}/{month}/{day}"
    if style == "chinese":
        return f"{year}年{month}月{day}日"
    return f"{year}-{month:02d}-{day:02d}"


def _money(rng: random.Random) -> tuple[Decimal, Decimal, Decimal]:
    budget = Decimal(rng.randint(50_000, 80_000_000)) + Decimal(rng.choice((0, 0, rng.randint(1, 99)))) / 100
    executed = budget if rng.random() < 0.3 else (budget * Decimal(str(round(rng.uniform(0.8, 0.9999), 5)))).quantize(Decimal(1))
    prior = Decimal(rng.randint(50_000, 80_000_000))
    return budget, executed, prior


def generate(rng: random.Random, fs: FileStyle, used: set[str]) -> Draft:
    v = fs.variant
    draft = Draft()
    name = compose.project_name(rng, used)
    division = rng.choice(pools.DIVISIONS)
    indicators = _indicators(rng, v)
    total = sum(i.score for i in indicators)
    budget, executed, prior = _money(rng)
    exact = executed * 100 / budget
    rate = Decimal("100.00") if exact > 99 and rng.random() < 0.3 else round2(exact)
    rate_raw = f"{rate:.2f}%" if v["rate_style"] == "percent" else f"{rate:.2f}"
    month, day = rng.randint(2, 5), rng.randint(1, 28)
    texts = {k: compose.narrative(rng, 1, 4, numbers=rng.random() < 0.3) for k in ("goal", "results", "problems", "measures")}
    project = ProjectRecord(
        report_type=REPORT_SELF_EVALUATION, template=FAMILY, project_name=name, source_line=0, fiscal_year=fs.year,
        implementing_unit=fs.unit, division=division, is_recurring=rng.random() < 0.5,
        evaluation_date=date(fs.year + 1, month, day), total_score=total, total_score_raw=fmt_points(total, "trimmed"),
        total_max_points=Decimal(100), grade=_grade(total), goal_expected=texts["goal"], main_results=texts["results"],
        main_problems=texts["problems"], improvement_measures=texts["measures"],
    )
    money = {k: fmt_amount(x, v["separators"]) for k, x in (("budget", budget), ("executed", executed), ("prior", prior))}
    funds = [
        FundRecord(FUND_TOTAL, 0, amount_unit="元", budget_full_year_yuan=budget, budget_full_year_raw=money["budget"],
                   executed_yuan=executed, executed_raw=money["executed"], execution_rate_reported_pct=rate,
                   execution_rate_raw=rate_raw),
        FundRecord(FUND_TOTAL, 0, fiscal_year_offset=-1, amount_unit="元", budget_full_year_yuan=prior,
                   budget_full_year_raw=money["prior"]),
    ]
    draft.report = ProjectReport(project, funds, indicators, _scores(indicators, total))
    _header(rng, draft, fs, project, money, rate_raw, _date_text(fs.year + 1, month, day, v["date_style"]))
    _table(rng, draft, fs, indicators)
    draft.add(row("合计", "", "", "100", project.total_score_raw, ""))
    draft.add(blank())
    for note in NOTES:
        draft.add(raw(note))
        if v["notes_blank"]:
            draft.add(blank())
    draft.add(blank())
    return draft


def _header(rng: random.Random, draft: Draft, fs: FileStyle, p: ProjectRecord, money: dict, rate_raw: str, when: str) -> None:
    v = fs.variant
    unit, division = p.implementing_unit, p.division
    if unit.endswith(pools.SPILLABLE_SUFFIX) and rng.random() < 0.08:
        unit, division = unit[: -len(pools.SPILLABLE_SUFFIX)], pools.SPILLABLE_SUFFIX + division
        draft.quirks.add("value_spilled_into_next_cell")
    results = f"<p>{p.main_results}</p>" if v["html"] and rng.random() < 0.5 else p.main_results
    draft.add(blank())
    draft.add(row("项目绩效自我评价", "", "", "", table_start=True), p)
    draft.add(row("项目名称：", p.project_name, "预算单位：", unit))
    draft.add(row("具体实施处（科室）：", division, "是否为经常性项目：", "是" if p.is_recurring else "否"))
    draft.add(row("当年预算数（元）：", money["budget"], "上年预算金额（元）：", money["prior"]), draft.report.funds[0])
    draft.anchor(draft.report.funds[1], len(draft.lines) - 1)
    draft.add(row("预算执行数（元）：", money["executed"], "预算执行率（%）：", rate_raw))
    for label, value in (("项目年度总目标：", p.goal_expected), ("自评时间：", when), ("绩效等级：", p.grade),
                         ("主要绩效：", results), ("主要问题：", p.main_problems), ("改进措施：", p.improvement_measures)):
        draft.add(row(label, value, "", ""))
    draft.add(blank())


def _label_rows(rng: random.Random, draft: Draft, indicators: list[IndicatorRecord], style: str) -> tuple[dict[int, str], set[int]]:
    """Row index -> printed group label; rows preceded by a page break."""
    points = dict(pools.LEGACY_GROUP_POINTS)
    labels: dict[int, str] = {}
    breaks: set[int] = set()
    start = 0
    for label, _ in pools.LEGACY_GROUP_POINTS:
        length = sum(1 for i in indicators if i.level1 == label)
        at = start
        if length >= 2 and rng.random() < (0.3 if label == "投入与管理" else 0.12):
            at = start + (length // 2 if label == "投入与管理" else rng.randint(1, min(3, length - 1)))
            draft.quirks.add("group_label_mid_span" if label == "投入与管理" else "orphan_rows_before_group_label")
            if label != "投入与管理" and rng.random() < 0.5:
                breaks.add(at)
        labels[at] = _group_label(label, points[label], style)
        start += length
    return labels, breaks


def _table(rng: random.Random, draft: Draft, fs: FileStyle, indicators: list[IndicatorRecord]) -> None:
    draft.add(row(*HEADER, table_start=True))
    labels, breaks = _label_rows(rng, draft, indicators, fs.variant["group_label"])
    n = len(indicators)
    if rng.random() < 0.3:
        breaks.update(rng.randint(1, n - 1) for _ in range(rng.randint(1, 2)))
        draft.quirks.add("page_break_in_table")
    # only where the name is the row's last text cell (no 指标解释), as in seed 004B
    plain = [i for i in range(6, n) if not indicators[i].description]
    split_at = rng.choice(plain) if plain and rng.random() < 0.15 else None
    split = compose.split_name(rng, indicators[split_at].name, looks_like_label) if split_at is not None else None
    for i, ind in enumerate(indicators):
        if i in breaks and i:
            draft.add(break_line(rng, fs.form, len(HEADER)))
        name = split[0] if split and i == split_at else ind.name
        draft.add(row(labels.get(i, ""), name, ind.description or "", ind.weight_raw, ind.score_raw, ""), ind)
        if split and i == split_at:
            draft.quirks.add("name_split_across_page_break")
            draft.add(break_line(rng, fs.form, len(HEADER)))
            draft.add(row("", split[1], "", "", "", ""))


def _scores(indicators: list[IndicatorRecord], total: Decimal) -> list[ScoreRecord]:
    out = []
    for label, points in pools.LEGACY_GROUP_POINTS:
        rows = [i for i in indicators if i.level1 == label]
        out.append(ScoreRecord(label, 0, max_points=Decimal(points), weight_sum=sum(i.weight for i in rows),
                               score_sum=sum(i.score for i in rows)))
    out.append(ScoreRecord(COMPONENT_TOTAL, 0, max_points=Decimal(100), weight_sum=Decimal(100), score_sum=total,
                           reported_score=total))
    return out
