"""Synthetic performance target tables (财政项目支出绩效目标表).

Layout follows seed 002, PDF text: header lines with ``label： value`` pairs,
narrative sections wrapped at a fixed width (blank lines now and then inside
them), last year's figures, pages of space-only lines, then the target grid:
level-1 labels alone on their line, level-2 labels on their own line or in
front of the first indicator (now and then not at all, on a group's first row
when the next row prints its own: ``level2_not_printed``), and hard wraps
inside a name or a value.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from pipeline.records import FUND_TOTAL, FundRecord, IndicatorRecord, ProjectRecord, ProjectReport
from pipeline.synthetic import compose, pools
from pipeline.synthetic.compose import Draft, FileStyle
from pipeline.synthetic.layout import TEXT, blank, page_break, raw, row
from pipeline.synthetic.measures import target_only
from pipeline.synthetic.quirks import looks_like_label
from pipeline.synthetic.values import fmt_integer_amount
from pipeline.text import join_wrapped
from pipeline.vocabulary import LEGACY_TREE, REPORT_PERFORMANCE_TARGET, TEMPLATE_TARGET

FAMILY = TEMPLATE_TARGET
SECTIONS = (
    ("项目概况", "project_overview"), ("立项依据", "legal_basis"), ("项目设立的必要性", "necessity"),
    ("保证项目实施的制度、措施", "implementation_measures"), ("项目实施计划", "implementation_plan"),
    ("总目标及阶段性目标", "overall_and_phase_goals"),
)
KINDS = {
    "投入管理": ("qualitative", "count", "percent"), "财务管理": ("qualitative", "count"),
    "实施管理": ("qualitative", "percent"), "资产管理": ("qualitative",),
    "数量": ("percent", "count"), "质量": ("percent",), "时效": ("composite", "percent", "qualitative"),
    "成本": ("qualitative",), "社会效益": ("low", "percent"), "经济效益": ("percent",),
    "生态效益": ("percent",), "满意度": ("percent",), "长效管理": ("qualitative",), "人力资源": ("qualitative", "low"),
}
WIDTH = 38


def file_variant(rng: random.Random, form: str) -> dict:
    return {
        "separators": rng.random() < 0.5,
        "unit_inline": rng.random() < 0.7,
        "narrative_blank": rng.random() < 0.5,
        "grid_blank": rng.random() < 0.7,
        "filler": rng.randint(30, 70) if form == TEXT else 0,
    }


def _indicators(rng: random.Random) -> list[IndicatorRecord]:
    count = max(int(rng.triangular(5, 40, 14)), 5)
    per_group = compose.split_counts(rng, count, len(LEGACY_TREE))
    out: list[IndicatorRecord] = []
    for (level1, children), rows in zip(LEGACY_TREE.items(), per_group):
        chosen = sorted(rng.sample(children, rng.randint(1, min(len(children), rows))), key=children.index)
        for level2, n in zip(chosen, compose.split_counts(rng, rows, len(chosen))):
            for _ in range(n):
                name = compose.indicator_name(rng, pools.TARGET_NAME_TEMPLATES[level2])
                m = target_only(rng, rng.choice(KINDS[level2]))
                out.append(IndicatorRecord(
                    seq=len(out) + 1, name=name, source_line=0, level1=level1, level2=level2,
                    target_raw=m.raw, target_operator=m.operator, target_value=m.value, target_unit=m.unit,
                ))
    return out


def _texts(rng: random.Random) -> dict[str, str]:
    texts = {field: compose.narrative(rng, 2, 6, numbers=rng.random() < 0.4) for _, field in SECTIONS}
    docs = rng.sample(pools.POLICY_DOCS, rng.randint(1, 4))
    texts["legal_basis"] = " ".join(f"{i}、{doc}" for i, doc in enumerate(docs, start=1))
    return texts


def generate(rng: random.Random, fs: FileStyle, used: set[str]) -> Draft:
    v = fs.variant
    draft = Draft()
    name = compose.project_name(rng, used)
    texts = _texts(rng)
    budget = Decimal(rng.randint(100_000, 90_000_000))
    total_budget = budget if rng.random() < 0.85 else budget + Decimal(rng.randint(1, 5_000_000))
    prior = (Decimal(rng.randint(100_000, 90_000_000)), None) if rng.random() < 0.75 else (None, None)
    if prior[0] is not None:
        prior = (prior[0], (prior[0] * Decimal(str(round(rng.uniform(0.85, 1), 4)))).quantize(Decimal(1)))
    project = ProjectRecord(
        report_type=REPORT_PERFORMANCE_TARGET, template=FAMILY, project_name=name, source_line=0, fiscal_year=fs.year,
        implementing_unit=fs.unit, project_category=rng.choice(pools.PROJECT_CATEGORIES),
        performance_type=rng.choice(pools.PERFORMANCE_TYPES), includes_government_purchase=rng.random() < 0.5,
        planned_start_date=date(fs.year, 1, 1), planned_end_date=date(fs.year, 12, 31),
        project_total_budget_yuan=total_budget, **texts,
    )
    funds = [FundRecord(FUND_TOTAL, 0, amount_unit="元", budget_full_year_yuan=budget)]
    if prior[0] is not None:
        funds.append(FundRecord(FUND_TOTAL, 0, fiscal_year_offset=-1, amount_unit="元",
                                budget_full_year_yuan=prior[0], executed_yuan=prior[1]))
    indicators = _indicators(rng)
    draft.report = ProjectReport(project, funds, indicators, [])
    _header(rng, draft, fs, project)
    _money(draft, v, project, budget, prior)
    _grid(rng, draft, fs, indicators)
    return draft


def _header(rng: random.Random, draft: Draft, fs: FileStyle, p: ProjectRecord) -> None:
    v = fs.variant
    draft.add(blank())
    draft.add(raw("财政项目支出绩效目标表"), p)
    draft.add(blank())
    draft.add(raw(f"（{fs.year}年度）"))
    draft.add(blank())
    draft.add(row(f"申报单位名称：{p.implementing_unit}") if v["unit_inline"] else row("申报单位名称：", p.implementing_unit))
    draft.add(blank())
    split = compose.split_name(rng, p.project_name, looks_like_label) if fs.form == TEXT and rng.random() < 0.3 else None
    if split:
        draft.quirks.add("wrapped_project_name")
        draft.add(row("项目名称：", split[0]))
        draft.add(row(split[1]))
    else:
        draft.add(row("项目名称：", p.project_name))
    for cells in (("项目类别：", p.project_category),
                  ("计划开始日期：", p.planned_start_date.isoformat(), "计划完成日期：", p.planned_end_date.isoformat()),
                  ("是否含有政府购买服务：", "是" if p.includes_government_purchase else "否", "绩效类型：", p.performance_type)):
        draft.add(blank())
        draft.add(row(*cells))
    for label, field in SECTIONS:
        draft.add(blank())
        draft.add(row(f"{label}："))
        if rng.random() < 0.6:
            draft.add(blank())
        pieces = compose.wrap_text(getattr(p, field), WIDTH + rng.randint(-4, 4))
        assert join_wrapped(pieces) == getattr(p, field), pieces
        for k, piece in enumerate(pieces):
            draft.add(row(piece))
            if v["narrative_blank"] and k < len(pieces) - 1 and rng.random() < 0.15:
                draft.quirks.add("blank_line_inside_narrative")
                draft.add(blank())


def _money(draft: Draft, v: dict, p: ProjectRecord, budget: Decimal, prior: tuple) -> None:
    sep = v["separators"]
    draft.add(blank())
    draft.add(row("本项目上年度市级财政资金使用情况"))
    draft.add(blank())
    draft.add(row("项目总预算（元）：", fmt_integer_amount(p.project_total_budget_yuan, sep), "项目当年预算（元）：",
                  fmt_integer_amount(budget, sep)), draft.report.funds[0])
    draft.add(blank())
    values = [fmt_integer_amount(x, sep) if x is not None else "" for x in prior]
    line = draft.add(row("同名项目上年预算额（元）：", values[0], "同名项目上年预算执行数（元）：", values[1]))
    if len(draft.report.funds) > 1:
        draft.anchor(draft.report.funds[1], line)
    draft.add(page_break(filler=v["filler"]))


def _grid(rng: random.Random, draft: Draft, fs: FileStyle, indicators: list[IndicatorRecord]) -> None:
    v = fs.variant
    gap = (lambda: draft.add(blank())) if v["grid_blank"] else (lambda: None)
    draft.add(row(f"{fs.year}年绩效目标"))
    draft.add(blank())
    draft.add(row("一级目标", "二级目标", "三级目标", "指标目标值", table_start=True))
    gap()
    previous = (None, None)
    for k, ind in enumerate(indicators):
        new_group = ind.level1 != previous[0]
        if new_group:
            draft.add(row(ind.level1))
            if rng.random() < 0.6:
                gap()
        lead = []
        if new_group and _alone_in_its_span(indicators, k) and rng.random() < 0.05:
            draft.quirks.add("level2_not_printed")  # the next row prints its own level-2 label
            ind.level2 = None  # all a reader has (every level 1 here has several level 2s)
        elif ind.level2 != previous[1] or new_group:
            if rng.random() < 0.35:
                draft.add(row(ind.level2))
            else:
                lead = [ind.level2]
        previous = (ind.level1, ind.level2)
        _indicator_lines(rng, draft, fs, ind, lead)
        gap()
    draft.add(page_break(filler=v["filler"]))


def _alone_in_its_span(indicators: list[IndicatorRecord], k: int) -> bool:
    """Whether the next indicator (if any) has other categories than indicator ``k``."""
    return k + 1 == len(indicators) or (indicators[k + 1].level1, indicators[k + 1].level2) != (
        indicators[k].level1, indicators[k].level2)


def _indicator_lines(rng: random.Random, draft: Draft, fs: FileStyle, ind: IndicatorRecord, lead: list[str]) -> None:
    """One grid row; in PDF text a long name or a long value may wrap onto the next line."""
    if fs.form == TEXT and len(ind.target_raw) > 12 and ind.target_raw.startswith("响应时间"):
        # wrapped inside the last number, as in seed 002 (``≤9`` + ``0分钟``)
        last = max(ind.target_raw.rfind(op) for op in "≤<=≥>")
        digits = [i for i, ch in enumerate(ind.target_raw) if i > last + 1 and ch.isdigit() and ind.target_raw[i - 1].isdigit()]
        cut = rng.choice(digits)
        draft.quirks.add("wrapped_value")
        draft.add(row(*lead, ind.name, ind.target_raw[:cut]), ind)
        draft.add(row(ind.target_raw[cut:]))
        return
    split = compose.split_name(rng, ind.name, looks_like_label) if fs.form == TEXT and len(ind.name) >= 10 and rng.random() < 0.2 else None
    if split:
        draft.quirks.add("wrapped_name")
        draft.add(row(*lead, split[0]), ind)
        draft.add(row(split[1]))
        draft.add(blank())
        draft.add(row(ind.target_raw))
        return
    draft.add(row(*lead, ind.name, ind.target_raw), ind)
