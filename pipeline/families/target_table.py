"""Parser for the performance target table family (财政项目支出绩效目标表).

A target table is written before the fiscal year: a title, the year line
``（2020年度）``, a key/value header (申报单位名称, 项目名称, 项目类别, dates,
是否含有政府购买服务, 绩效类型), narrative sections (项目概况 ... 总目标及阶段性目标),
the budget (项目总预算 / 项目当年预算 / 同名项目上年预算额 / 上年预算执行数), and
the target grid (一级目标 / 二级目标 / 三级目标 / 指标目标值). There are no
actuals, weights, scores, total or grade.

The work is split by responsibility:

* ``target_header`` - header fields, money fields and narrative sections;
* ``target_grid``   - the target grid, with its wrap rules;
* ``target_cells``  - what a grid cell is: a target, an operator, a unit;
* ``target_labels`` - the grid's category labels and rows printing none.
"""

from __future__ import annotations

import re

from pipeline.document import Row, Segment
from pipeline.families.common import parse_date, parse_yes_no, title_matches, year_in_text
from pipeline.families.target_grid import read_grid
from pipeline.families.target_header import HeaderParse, fund_records, read_header
from pipeline.records import ParseNote, ProjectRecord, ProjectReport, ReportRejected
from pipeline.text import label_key
from pipeline.vocabulary import REPORT_PERFORMANCE_TARGET, TEMPLATE_TARGET

FAMILY = TEMPLATE_TARGET

TITLES = ("财政项目支出绩效目标表",)

#: Columns of the grid header; a row holding the first and one of the others opens the grid.
_GRID_FIRST = ("一级目标", "一级指标")
_GRID_OTHERS = ("三级目标", "三级指标", "指标目标值")
_YEAR_LINE = re.compile(r"^\(?\d{4}年度?\)?$")
_GRID_HEADING = re.compile(r"^\d{4}年度?绩效目标$")


def is_title(row: Row) -> bool:
    return title_matches(row, TITLES)


def parse(segment: Segment) -> ProjectReport:
    rows = [r for r in segment.rows if r.values]
    if not rows:
        raise ReportRejected("empty report segment", segment.first_line)
    grid_at = _grid_header_index(rows)
    if grid_at is None:
        raise ReportRejected("indicator table missing (no 一级目标/三级目标/指标目标值 header row)", rows[0].line)
    titled = is_title(rows[0])
    header = read_header(rows[1 if titled else 0 : grid_at])
    project = _project(rows, grid_at, header, titled)
    indicators, grid_notes = read_grid(rows[grid_at + 1 :])
    if not indicators:
        raise ReportRejected("indicator table empty", rows[grid_at].line)
    notes = header.notes + grid_notes
    if not titled:
        message = f"the report starting at line {rows[0].line} has no 绩效目标表 title; read as a new report"
        notes.append(ParseNote("report_title_missing", message, rows[0].line))
    return ProjectReport(
        project=project,
        funds=fund_records(header.money),
        indicators=indicators,
        scores=[],
        notes=sorted(notes, key=lambda n: n.source_line),
    )


def _grid_header_index(rows: list[Row]) -> int | None:
    for index, row in enumerate(rows):
        keys = set(row.keys)
        if keys & set(_GRID_FIRST) and keys & set(_GRID_OTHERS):
            return index
    return None


def _project(rows: list[Row], grid_at: int, header: HeaderParse, titled: bool) -> ProjectRecord:
    fields = header.fields
    name = fields.get("project_name")
    if name is None or not name.value:
        line = name.line if name else rows[0].line
        raise ReportRejected("no project name (项目名称)", line)
    year = _fiscal_year(rows, grid_at, header)
    total = header.money.get("project_total_budget")
    sections = {key: value.value for key, value in header.sections.items()}
    return ProjectRecord(
        report_type=REPORT_PERFORMANCE_TARGET,
        template=TEMPLATE_TARGET,
        project_name=name.value,
        source_line=rows[0].line,
        title="".join(rows[0].values) if titled else None,
        fiscal_year=year,
        fiscal_year_source="document" if year is not None else None,
        department=_text(fields, "department"),
        implementing_unit=_text(fields, "implementing_unit"),
        project_category=_text(fields, "project_category"),
        performance_type=_text(fields, "performance_type"),
        includes_government_purchase=parse_yes_no(_text(fields, "includes_government_purchase")),
        planned_start_date=parse_date(_text(fields, "planned_start_date")),
        planned_end_date=parse_date(_text(fields, "planned_end_date")),
        project_total_budget_yuan=total.yuan if total else None,
        project_total_budget_raw=(total.raw or None) if total else None,
        **sections,
    )


def _text(fields: dict, name: str) -> str | None:
    found = fields.get(name)
    return (found.value or None) if found else None


def _fiscal_year(rows: list[Row], grid_at: int, header: HeaderParse) -> int | None:
    """The year printed in the title, on the year line below it, or in the grid heading."""
    stop = header.first_header_line
    for row in rows:
        if stop is not None and row.line >= stop:
            break
        key = label_key("".join(row.values))
        if _YEAR_LINE.match(key) or title_matches(row, TITLES):
            year = year_in_text(key)
            if year is not None:
                return year
    for row in rows[:grid_at]:
        key = label_key("".join(row.values))
        if _GRID_HEADING.match(key):
            return year_in_text(key)
    return None
