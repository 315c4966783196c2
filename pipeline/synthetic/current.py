"""Synthetic reports of the current self-evaluation template (财政项目支出绩效自评表).

Layouts follow seeds 000 and 003: the title (plain, a table row, or a markdown
heading with the year below it), the 项目名称 / 主管部门 rows with one or two
leading cells, the funds block in 万元 (now and then in 元), 年度总体目标 in one
of three arrangements, the indicator table, the total row and 评分等级.
"""

from __future__ import annotations

import random
from decimal import Decimal

from pipeline.records import (
    COMPONENT_BUDGET, COMPONENT_TOTAL, FUND_CURRENT_APPROPRIATION, FUND_OTHER, FUND_PRIOR_CARRYOVER, FUND_TOTAL,
    FundRecord, IndicatorRecord, ProjectRecord, ProjectReport, ScoreRecord,
)
from pipeline.synthetic import compose, quirks
from pipeline.synthetic.compose import Draft, FileStyle
from pipeline.synthetic.layout import PIPE, TEXT, blank, raw, row
from pipeline.synthetic.measures import scored_measure
from pipeline.synthetic.pools import CURRENT_NAME_TEMPLATES
from pipeline.synthetic.values import fmt_amount, fmt_points, money, round2, truncate2
from pipeline.vocabulary import REPORT_SELF_EVALUATION, TEMPLATE_CURRENT

FAMILY = TEMPLATE_CURRENT
KIND_OF = {
    "数量指标": "quantity", "质量指标": "quality", "时效指标": "time", "成本指标": "cost",
    "经济效益指标": "benefit", "社会效益指标": "benefit", "生态效益指标": "benefit", "可持续影响指标": "benefit",
    "服务对象满意度指标": "satisfaction",
}
FUND_LABELS = ((FUND_TOTAL, "年度资金总额"), (FUND_CURRENT_APPROPRIATION, "其中：当年财政拨款"),
               (FUND_PRIOR_CARRYOVER, "上年结转资金"), (FUND_OTHER, "其他资金"))


def file_variant(rng: random.Random, form: str) -> dict:
    """Layout choices one export makes for every report of a file."""
    return {
        "title": rng.choice(("财政项目支出绩效自评表", "财政项目支出绩效自我评价")),
        "title_form": rng.choice(("plain", "row", "heading")),
        "lead": rng.choice((1, 2)),
        "money_label": rng.choice(("项目资金（万元）", "项目资金 (万元)", "项目资金（万元）")),
        "in_yuan": rng.random() < 0.1,
        "points_label": rng.choice(("分数", "分数", "分值")),
        "rate_label": rng.choice(("执行率", "执行率(%)", "执行率（%）")),
        "goal_layout": rng.choice(("a", "b", "c") if form != TEXT else ("a", "b")),
        "extra_col": rng.random() < 0.2,
        "trailing": rng.random() < 0.3,
        "html": form != TEXT and rng.random() < 0.35,
        "suffixless": rng.random() < 0.1,
        "truncate": rng.random() < 0.7,
        "separators": rng.random() < 0.9,
        "total_style": rng.choice(("trimmed", "trimmed", "fixed")),
    }


def _layout_groups(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(level1, level2) of every indicator row, in table order."""
    with_satisfaction = rng.random() < 0.9
    parts = [("产出指标", 55), ("效益指标", 30)] + ([("满意度指标", 15)] if with_satisfaction else [])
    counts = compose.split_counts(rng, count - len(parts), len(parts))
    out: list[tuple[str, str]] = []
    for (level1, _), extra in zip(parts, counts):
        rows = extra + 1
        if level1 == "产出指标":
            options = ["数量指标", "质量指标", "时效指标", "成本指标"]
        elif level1 == "效益指标":
            options = ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]
        else:
            options = ["服务对象满意度指标"]
        chosen = sorted(rng.sample(options, rng.randint(1, min(len(options), rows))), key=options.index)
        for level2, n in zip(chosen, compose.split_counts(rng, rows, len(chosen))):
            out.extend((level1, level2) for _ in range(n))
    return out


def _indicators(rng: random.Random) -> list[IndicatorRecord]:
    count = int(rng.triangular(5, 40, 12))
    groups = _layout_groups(rng, count)
    weights = compose.integer_weights(rng, len(groups), 90)
    out = []
    for seq, ((level1, level2), weight) in enumerate(zip(groups, weights), start=1):
        w = Decimal(weight)
        scored = scored_measure(rng, KIND_OF[level2], w)
        name = compose.indicator_name(rng, CURRENT_NAME_TEMPLATES[level2])
        reason = compose.deviation_reason(rng) if scored.score < w and rng.random() < 0.85 else None
        if reason is None and rng.random() < 0.05:
            reason = "按年初计划，已完成"
        t, a = scored.target, scored.actual
        out.append(IndicatorRecord(
            seq=seq, name=name, source_line=0, level1=level1, level2=level2,
            target_raw=t.raw, target_operator=t.operator, target_value=t.value, target_unit=t.unit,
            actual_raw=a.raw, actual_operator=a.operator, actual_value=a.value, actual_unit=a.unit,
            achievement=a.achievement, weight=w, weight_raw=f"{w:.2f}", score=scored.score,
            score_raw=f"{scored.score:.2f}", deviation_reason=reason,
        ))
    return out


def _funds(rng: random.Random, v: dict) -> tuple[list[FundRecord], list[list[str]]]:
    """Fund records (truth, in 元) and the printed cells of the four fund rows."""
    full = money(rng, 10, 9000)
    initial = full if rng.random() < 0.7 else (full * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(Decimal("0.01"))
    executed = full if rng.random() < 0.5 else (full * Decimal(str(round(rng.uniform(0.7, 0.999), 4)))).quantize(Decimal("0.01"))
    carry = money(rng, 0, int(executed * Decimal("0.2"))) if rng.random() < 0.15 else Decimal("0.00")
    other = money(rng, 0, int(executed * Decimal("0.1"))) if rng.random() < 0.1 else Decimal("0.00")
    amounts = {
        FUND_TOTAL: (initial, full, executed),
        FUND_PRIOR_CARRYOVER: (carry, carry, carry),
        FUND_OTHER: (other, other, other),
    }
    amounts[FUND_CURRENT_APPROPRIATION] = tuple(t - carry - other for t in amounts[FUND_TOTAL])
    factor, unit = (Decimal(1), "元") if v["in_yuan"] else (Decimal(10000), "万元")
    records, cells = [], []
    for source, label in FUND_LABELS:
        init_v, full_v, exec_v = (a * 10000 / factor for a in amounts[source])
        rate = _rate(exec_v, full_v, v["truncate"])
        is_total = source == FUND_TOTAL
        weight = Decimal("10.00") if is_total else None
        score = truncate2(10 * min(rate, Decimal(100)) / 100) if is_total else None
        printed = [fmt_amount(x, v["separators"]) for x in (init_v, full_v, exec_v)]
        printed += [f"{weight:.2f}" if weight else "-", f"{rate:.2f}", f"{score:.2f}" if score is not None else "-"]
        cells.append([label, *printed])
        records.append(FundRecord(
            fund_source=source, source_line=0, amount_unit=unit,
            budget_initial_yuan=init_v * factor, budget_initial_raw=printed[0],
            budget_full_year_yuan=full_v * factor, budget_full_year_raw=printed[1],
            executed_yuan=exec_v * factor, executed_raw=printed[2],
            execution_rate_reported_pct=rate, execution_rate_raw=printed[4],
            weight=weight, weight_raw=printed[3] if weight else None,
            score=score, score_raw=printed[5] if score is not None else None, label_raw=label,
        ))
    return records, cells


def _rate(executed: Decimal, budget: Decimal, truncate: bool) -> Decimal:
    if budget == 0:
        return Decimal("0.00")
    exact = executed * 100 / budget
    return truncate2(exact) if truncate else round2(exact)


def _grade(total: Decimal) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _goal_text(rng: random.Random, v: dict) -> tuple[str, str]:
    """(printed, truth) of a goal text; HTML paragraphs where the export leaves them."""
    if v["html"] and rng.random() < 0.7:
        paragraphs = [compose.narrative(rng, 1, 3) for _ in range(rng.randint(1, 3))]
        return " ".join(f"<p>{p}</p>" for p in paragraphs), " ".join(paragraphs)
    text = compose.narrative(rng, 1, 3)
    return text, text


def generate(rng: random.Random, fs: FileStyle, used: set[str]) -> Draft:
    v = fs.variant
    draft = Draft()
    name = compose.project_name(rng, used)
    indicators = _indicators(rng)
    funds, fund_cells = _funds(rng, v)
    total = funds[0].score + sum(i.score for i in indicators)
    exp_raw, exp = _goal_text(rng, v)
    act_raw, act = (exp_raw, exp) if rng.random() < 0.3 else _goal_text(rng, v)
    project = ProjectRecord(
        report_type=REPORT_SELF_EVALUATION, template=FAMILY, project_name=name, source_line=0,
        fiscal_year=fs.year, department=fs.agency, implementing_unit=fs.unit,
        total_score=total, total_score_raw=fmt_points(total, v["total_style"]), total_max_points=Decimal(100),
        grade=_grade(total), goal_expected=exp, goal_actual=act,
    )
    scores = _scores(funds[0], indicators, total)
    draft.report = ProjectReport(project, funds, indicators, scores)
    width = 7 + v["lead"]
    pad = quirks.padder(width)
    _title(draft, fs, pad, project)
    lead = [""] * (v["lead"] - 1)
    draft.add(pad(["项目名称", *lead, name]))
    gap = rng.choice((0, 1, 2))
    draft.add(pad(["主管部门", *lead, fs.agency, *[""] * gap, "实施单位", *[""] * (gap % 2), fs.unit]))
    money_label = v["money_label"].replace("万元", "元") if v["in_yuan"] else v["money_label"]
    draft.add(pad([money_label, *[""] * v["lead"], "年初预算数", "全年预算数", "全年执行数",
                   v["points_label"], v["rate_label"], "得分"]))
    shifted = rng.randrange(1, 4) if fs.form != TEXT and rng.random() < 0.1 else None
    for i, (record, cells) in enumerate(zip(funds, fund_cells)):
        if i == shifted:
            draft.quirks.add("fund_row_shifted")
            draft.add(row(*cells, ""), record)
        else:
            draft.add(row(*[""] * v["lead"], *cells), record)
    _goals(draft, v, pad, exp_raw, act_raw)
    quirks.indicator_table(rng, draft, fs, indicators)
    draft.add(row("", "", "", "", "", fmt_points(Decimal(100), v["total_style"]), project.total_score_raw, ""))
    label = "<b>评分等级</b>" if v["html"] and rng.random() < 0.5 else "评分等级"
    draft.add(pad([label, *lead, project.grade]))
    draft.add(blank())
    return draft


def _title(draft: Draft, fs: FileStyle, pad, project: ProjectRecord) -> None:
    v = fs.variant
    title = v["title"]
    year_text = f"({fs.year}年度)"
    if v["title_form"] == "heading":
        draft.add(blank())
        draft.add(raw(f"# {title}"), project)
        draft.add(blank())
        if fs.year_in_title:
            draft.add(raw(year_text))
            draft.add(blank())
        return
    if fs.year_in_title:
        title = f"{title}（{fs.year}年度）"
    if v["title_form"] == "plain":
        draft.add(blank())
        draft.add(raw(title), project)
        draft.add(blank())
        if fs.form == PIPE:
            draft.quirks.add("title_outside_table")
        return
    line = pad([title])
    line.table_start = True
    draft.add(line, project)


def _goals(draft: Draft, v: dict, pad, exp_raw: str, act_raw: str) -> None:
    lead = [""] * (v["lead"] - 1)
    if v["goal_layout"] == "a":
        draft.add(pad(["预期目标", *[""] * v["lead"], "实际完成情况"]))
        draft.add(pad(["年度总体目标", *lead, exp_raw, "", "", act_raw]))
    elif v["goal_layout"] == "b":
        draft.add(pad(["年度总体目标", "预期目标", "", "", "实际完成情况"]))
        draft.add(pad(["", exp_raw, "", "", act_raw]))
    else:
        draft.quirks.add("spaced_goal_label")
        draft.add(pad(["年度 总体 目标", *lead, "预期目标", "", "", "实际完成情况"]))
        draft.add(pad(["", *lead, exp_raw, "", "", act_raw]))


def _scores(fund_total: FundRecord, indicators: list[IndicatorRecord], total: Decimal) -> list[ScoreRecord]:
    out = [ScoreRecord(COMPONENT_BUDGET, 0, max_points=fund_total.weight, weight_sum=fund_total.weight,
                       score_sum=fund_total.score, reported_score=fund_total.score)]
    for level1 in dict.fromkeys(i.level1 for i in indicators):
        rows = [i for i in indicators if i.level1 == level1]
        out.append(ScoreRecord(level1, 0, weight_sum=sum(i.weight for i in rows), score_sum=sum(i.score for i in rows)))
    out.append(ScoreRecord(COMPONENT_TOTAL, 0, max_points=Decimal(100), reported_score=total))
    return out
