"""Parser for the current (2021 on) self-evaluation template.

Title 财政项目支出绩效自评表 / 财政项目支出绩效自我评价, often with (2023年度) in
the title or on its own line. A report holds, in order:

1. the header (项目名称, 主管部门, 实施单位);
2. the funds block (``current_funds``): budget execution, 10 points;
3. the 年度总体目标 block (``current_goals``);
4. the indicator table (``current_indicators``, categories resolved by
   ``current_labels``), 90 points, ending in the total row "100 | total";
5. 评分等级, the grade as printed.

Score components: ``budget_execution`` (the fund 分数/得分), one per level-1
group (weights and scores summed from its rows) and ``total`` (printed 100
and printed total against fund + all indicator points).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document import Row, Segment
from pipeline.families.common import key_values, split_at_untitled_reports, title_matches, year_in_text
from pipeline.families.current_funds import FundsBlock, parse_funds
from pipeline.families.current_goals import parse_goals
from pipeline.families.current_indicators import IndicatorTable, parse_table
from pipeline.families.current_rows import PrintedRow, find_table_header, is_table_header
from pipeline.families.current_total import GRADE_LABELS, grade_cell
from pipeline.families.current_groups import Group
from pipeline.families.current_labels import resolve_groups
from pipeline.numbers import parse_decimal, parse_measure
from pipeline.records import (
    COMPONENT_BUDGET,
    COMPONENT_TOTAL,
    IndicatorRecord,
    ParseNote,
    ProjectRecord,
    ProjectReport,
    ReportRejected,
    ScoreRecord,
)
from pipeline.text import label_key
from pipeline.vocabulary import REPORT_SELF_EVALUATION, TEMPLATE_CURRENT, achievement_status

FAMILY = TEMPLATE_CURRENT
TITLES = ("财政项目支出绩效自评表", "财政项目支出绩效自我评价")

HEADER_LABELS = {
    "项目名称": "project_name",
    "主管部门": "department",
    "实施单位": "implementing_unit",
    "预算单位": "implementing_unit",
}
_YEAR_LINE = re.compile(r"^[(（]?\d{4}年度?[)）]?$")


def is_title(row: Row) -> bool:
    """True when the row is this template's title (not the older 项目绩效自我评价)."""
    return title_matches(row, TITLES)


def split_segment(segment: Segment) -> list[Segment]:
    """A 项目名称 block after an indicator table header starts the next (untitled) report."""
    return split_at_untitled_reports(segment, is_table_header)


def parse(segment: Segment) -> ProjectReport:
    rows = [row for row in segment.rows if not row.is_blank]
    if not rows:
        raise ReportRejected("empty report segment", segment.first_line)
    titled = is_title(rows[0])
    funds = parse_funds(rows)
    header_index = find_table_header(rows, funds.end_index)
    if header_index is None:
        raise ReportRejected("indicator table missing (一级指标 / 二级指标 / 三级指标 header)", rows[-1].line)
    table = parse_table(rows, header_index)
    goals = parse_goals(rows[funds.end_index : header_index])
    groups, label_notes = resolve_groups(table.entries)
    indicators = _indicators(table, groups)
    if not indicators:
        raise ReportRejected("indicator table has no indicator rows", rows[header_index].line)
    project = _project(rows, funds.header_index, table, rows[table.end_index + 1 :], titled)
    project.goal_expected, project.goal_actual = goals.expected, goals.actual
    notes = goals.notes + table.notes + label_notes
    if not titled:
        message = f"the report starting at line {rows[0].line} has no 绩效自评表 title; read as a new report"
        notes.append(ParseNote("report_title_missing", message, rows[0].line))
    return ProjectReport(
        project=project,
        funds=funds.funds,
        indicators=indicators,
        scores=_scores(funds, indicators, table),
        notes=sorted(notes, key=lambda n: n.source_line),
    )


# --- project header -----------------------------------------------------------


def _project(rows: list[Row], funds_header: int, table: IndicatorTable, tail: list[Row], titled: bool) -> ProjectRecord:
    first_row = rows[0]
    fields = key_values(rows[:funds_header], HEADER_LABELS)
    name = fields.get("project_name")
    if name is None or not name.value:
        raise ReportRejected("no project name (项目名称)", first_row.line)
    year = _fiscal_year(rows[:funds_header], titled)
    department = fields.get("department")
    unit = fields.get("implementing_unit")
    return ProjectRecord(
        report_type=REPORT_SELF_EVALUATION,
        template=TEMPLATE_CURRENT,
        project_name=name.value,
        source_line=first_row.line,
        title=" ".join(first_row.values) if titled else None,
        fiscal_year=year,
        fiscal_year_source="document" if year is not None else None,
        department=department.value if department and department.value else None,
        implementing_unit=unit.value if unit and unit.value else None,
        total_score=parse_decimal(table.total.total_raw),
        total_score_raw=table.total.total_raw,
        total_max_points=parse_decimal(table.total.max_points_raw),
        grade=_grade(tail) or table.total.grade,
    )


def _fiscal_year(header_rows: list[Row], titled: bool) -> int | None:
    """The year printed in the title or on a line of its own (below the title, or where the
    title is missing or damaged, among the header rows)."""
    title = "".join(header_rows[0].values)
    if titled and re.search(r"\d{4}\s*年", title):
        return year_in_text(title)
    for row in header_rows[1 if titled else 0 :]:
        key = label_key("".join(row.values))
        if _YEAR_LINE.match(key):
            return year_in_text(key)
    return None


def _grade(rows: list[Row]) -> str | None:
    """The grade printed after 评分等级 (on the rows after the total row), in the
    next cell or in the label's own cell (``评分等级：良``)."""
    for row in rows:
        values = row.values
        for index, value in enumerate(values):
            if label_key(value) in GRADE_LABELS:
                return values[index + 1] if index + 1 < len(values) else None
            if grade_cell(value):
                return grade_cell(value)
    return None


# --- indicators -----------------------------------------------------------------


def _indicators(table: IndicatorTable, groups: dict[int, Group]) -> list[IndicatorRecord]:
    records: list[IndicatorRecord] = []
    for index, entry in enumerate(table.entries):
        if isinstance(entry, PrintedRow):
            records.append(_indicator(len(records) + 1, entry, groups[index]))
    return records


def _indicator(seq: int, row: PrintedRow, group: Group) -> IndicatorRecord:
    target = parse_measure(row.target)
    actual = parse_measure(row.actual)
    return IndicatorRecord(
        seq=seq,
        name=row.name,
        source_line=row.line,
        source_line_end=row.line_end,
        level1=group.level1,
        level2=group.level2,
        level1_raw=group.level1_raw,
        level2_raw=group.level2_raw,
        target_raw=target.raw or None,  # None: printed blank
        target_operator=target.operator,
        target_value=target.value,
        target_unit=target.unit,
        actual_raw=actual.raw or None,
        actual_operator=actual.operator,
        actual_value=actual.value,
        actual_unit=actual.unit,
        achievement=achievement_status(actual.raw),
        weight=parse_decimal(row.weight),
        weight_raw=row.weight,
        score=parse_decimal(row.score),
        score_raw=row.score,
        deviation_reason=row.deviation,
    )


# --- scores -----------------------------------------------------------------------


def _sum(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _scores(funds: FundsBlock, indicators: list[IndicatorRecord], table: IndicatorTable) -> list[ScoreRecord]:
    total_fund = funds.total
    scores = [
        ScoreRecord(
            component=COMPONENT_BUDGET,
            source_line=total_fund.source_line,
            max_points=total_fund.weight,
            weight_sum=total_fund.weight,
            score_sum=total_fund.score,
            reported_score=total_fund.score,
            reported_score_raw=total_fund.score_raw,
        )
    ]
    for level1 in dict.fromkeys(i.level1 for i in indicators if i.level1):
        members = [i for i in indicators if i.level1 == level1]
        scores.append(
            ScoreRecord(
                component=level1,
                source_line=members[0].source_line,
                weight_sum=_sum([i.weight for i in members]),
                score_sum=_sum([i.score for i in members]),
            )
        )
    scores.append(
        ScoreRecord(
            component=COMPONENT_TOTAL,
            source_line=table.total.line,
            max_points=parse_decimal(table.total.max_points_raw),
            weight_sum=_sum([total_fund.weight] + [i.weight for i in indicators]),
            score_sum=_sum([total_fund.score] + [i.score for i in indicators]),
            reported_score=parse_decimal(table.total.total_raw),
            reported_score_raw=table.total.total_raw,
        )
    )
    return scores
