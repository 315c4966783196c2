"""Parser for the older Shanghai self-evaluation template, 项目绩效自我评价 (to 2020).

Layout (DOMAIN-RULES §2.1): a key/value header with amounts in 元, a scoring
table 一级指标 / 指标名称 / 指标解释 / 权重 / 自评分 / 备注 whose indicators are
grouped 投入与管理 / 产出目标 / 效果目标 / 影响力目标 with declared points, a 合计
row, and a 说明 block stating the grade bands. The pieces live in
``legacy_header``, ``legacy_table``, ``legacy_groups`` and ``legacy_footer``.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.document import Row, Segment
from pipeline.families.common import (
    parse_date,
    parse_yes_no,
    split_at_untitled_reports,
    title_matches,
    year_in_text,
)
from pipeline.families.legacy_footer import grade_bands, notes_block
from pipeline.families.legacy_groups import (
    assign_groups,
    group_score_records,
    merge_repeated_labels,
    total_score_record,
)
from pipeline.families.legacy_header import HeaderEntry, by_field, read_header, repair_spills
from pipeline.families.legacy_table import GroupLabel, TableParse, find_table_header, is_table_header, parse_table
from pipeline.numbers import money_unit, parse_decimal, to_yuan
from pipeline.records import FUND_TOTAL, FundRecord, ParseNote, ProjectRecord, ProjectReport, ReportRejected
from pipeline.text import clean_text
from pipeline.vocabulary import REPORT_SELF_EVALUATION, TEMPLATE_LEGACY

FAMILY = TEMPLATE_LEGACY

#: Titles of this template; the current template's 财政项目支出… titles are not ours.
TITLES = ("项目绩效自我评价", "项目绩效自我评价表")
def is_title(row: Row) -> bool:
    return title_matches(row, TITLES, forbidden=("财政",))


def split_segment(segment: Segment) -> list[Segment]:
    """A 项目名称 block after a scoring table header starts the next (untitled) report."""
    return split_at_untitled_reports(segment, is_table_header)


def parse(segment: Segment) -> ProjectReport:
    rows = segment.rows
    if not rows:
        raise ReportRejected("empty segment")
    header_index = find_table_header(rows)
    if header_index is None:
        raise ReportRejected("indicator table missing (no 指标名称 / 权重 or 分值 / 自评分 or 得分 header)", segment.first_line)
    titled = is_title(rows[0])
    entries = read_header(rows[1 if titled else 0 : header_index])
    notes = repair_spills(entries)
    if not titled:
        message = f"the report starting at line {rows[0].line} has no 项目绩效自我评价 title; read as a new report"
        notes.append(ParseNote("report_title_missing", message, rows[0].line))
    fields = by_field(entries)
    if not fields.get("project_name") or not fields["project_name"].value:
        raise ReportRejected("no project name", segment.first_line)

    table = parse_table(rows, header_index + 1)
    if not table.indicators:
        raise ReportRejected("indicator table has no indicator rows", rows[header_index].line)
    labels = merge_repeated_labels(table.labels)
    if table.total_line is None:
        _reject_if_cut_off(table, labels, rows[header_index])
    groups, group_notes = assign_groups(table.indicators, labels)
    notes.extend(table.notes)
    notes.extend(group_notes)

    project = _project(rows[0] if titled else None, rows[0].line, fields, table)
    project.notes, _ = notes_block(rows[table.end:])
    project.grade_bands = grade_bands(project.notes)

    scores = group_score_records(table.indicators, labels, groups)
    if table.total_line is not None:
        total = total_score_record(table.indicators, table.total_line, table.total_weight_raw, table.total_score_raw)
        scores.append(total)
    return ProjectReport(
        project=project,
        funds=_funds(fields),
        indicators=table.indicators,
        scores=scores,
        notes=sorted(notes, key=lambda note: note.source_line),
    )


#: The full score of the template: the weights of a complete table add up to it.
FULL_POINTS = Decimal(100)


def _reject_if_cut_off(table: TableParse, labels: list[GroupLabel], header: Row) -> None:
    """A table without its 合计 row whose weights fall short of the full points was cut off."""
    weights = sum((i.weight for i in table.indicators if i.weight is not None), Decimal(0))
    declared = sum((label.points for label in labels if label.points is not None), Decimal(0))
    expected = max(FULL_POINTS, declared)
    if weights >= expected:
        return
    last = table.indicators[-1]
    raise ReportRejected(
        f"indicator table has no total row (合计) and is cut off: its {len(table.indicators)} rows "
        f"(header line {header.line}) carry {weights} of {expected} points",
        last.source_line_end or last.source_line,
    )


def _value(fields: dict[str, HeaderEntry], name: str) -> str | None:
    entry = fields.get(name)
    return entry.value or None if entry else None


def _project(title_row: Row | None, line: int, fields: dict[str, HeaderEntry], table: TableParse) -> ProjectRecord:
    title = clean_text(" ".join(title_row.values)) if title_row is not None else None
    fiscal_year = year_in_text(title) if title else None
    return ProjectRecord(
        report_type=REPORT_SELF_EVALUATION,
        template=TEMPLATE_LEGACY,
        project_name=fields["project_name"].value,
        source_line=line,
        title=title,
        fiscal_year=fiscal_year,
        fiscal_year_source="document" if fiscal_year else None,
        implementing_unit=_value(fields, "implementing_unit"),
        division=_value(fields, "division"),
        is_recurring=parse_yes_no(_value(fields, "is_recurring")),
        evaluation_date=parse_date(_value(fields, "evaluation_date")),
        total_score=parse_decimal(table.total_score_raw),
        total_score_raw=table.total_score_raw,
        total_max_points=parse_decimal(table.total_weight_raw),
        grade=_value(fields, "grade"),
        goal_expected=_value(fields, "goal_expected"),
        main_results=_value(fields, "main_results"),
        main_problems=_value(fields, "main_problems"),
        improvement_measures=_value(fields, "improvement_measures"),
    )


def _funds(fields: dict[str, HeaderEntry]) -> list[FundRecord]:
    """This year's budget/execution row and last year's budget row, both ``total``."""
    funds = []
    budget, executed = fields.get("budget"), fields.get("executed")
    rate = fields.get("execution_rate")
    anchor = budget or executed
    if anchor is not None:
        unit = money_unit(anchor.label) or "元"
        executed_unit = money_unit(executed.label) or unit if executed else unit
        funds.append(
            FundRecord(
                fund_source=FUND_TOTAL,
                source_line=anchor.line,
                fiscal_year_offset=0,
                amount_unit=unit,
                budget_full_year_yuan=to_yuan(budget.value, unit) if budget else None,
                budget_full_year_raw=(budget.value or None) if budget else None,
                executed_yuan=to_yuan(executed.value, executed_unit) if executed else None,
                executed_raw=(executed.value or None) if executed else None,
                execution_rate_reported_pct=parse_decimal(rate.value) if rate else None,
                execution_rate_raw=(rate.value or None) if rate else None,
                label_raw=anchor.label,
            )
        )
    prior = fields.get("prior_budget")
    if prior is not None:
        unit = money_unit(prior.label) or "元"
        funds.append(
            FundRecord(
                fund_source=FUND_TOTAL,
                source_line=prior.line,
                fiscal_year_offset=-1,
                amount_unit=unit,
                budget_full_year_yuan=to_yuan(prior.value, unit),
                budget_full_year_raw=prior.value or None,
                label_raw=prior.label,
            )
        )
    return funds
