"""The scoring table of the older self-evaluation template.

Columns 一级指标 / 指标名称 / 指标解释 / 权重 / 自评分 / 备注, read by content
so that tab, pipe and space-separated text give the same rows:

* an indicator row is anchored on its weight/score pair of numbers; before it
  sit an optional level-1 group label (``投入与管理 (36分)``), the name and an
  optional description; after it an optional remark;
* a row of a group label alone marks the group of the next indicator;
* any other text row continues the previous indicator across a page break;
* the 合计 row closes the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.document import Form, Row
from pipeline.numbers import is_not_applicable, is_number, parse_decimal
from pipeline.records import IndicatorRecord, ParseNote, ReportRejected
from pipeline.text import clean_text, join_wrapped, label_key
from pipeline.vocabulary import TEMPLATE_LEGACY, level1_label, split_group_points

TOTAL_LABELS = ("合计", "总计", "总分")
NOTES_PREFIX = "说明"
_POINTS_ONLY = re.compile(r"^[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")


@dataclass
class GroupLabel:
    """A level-1 group label as printed in the 一级指标 column."""

    text: str  # printed, e.g. "投入与管理 (36分)"
    name: str  # canonical level-1 label (or the printed name when not in the vocabulary)
    points: Decimal | None  # declared points, e.g. 36
    anchor: int  # index of the first indicator printed on or after the label's row
    line: int


#: Header cells of the columns a text fragment can continue -> indicator field.
CONTINUED_COLUMNS = {"指标名称": "name", "指标解释": "description", "备注": "remark"}


@dataclass
class Layout:
    """Where the table header prints its columns (pipe and tab rows keep empty cells)."""

    form: Form
    width: int
    fields: dict[int, str]  # cell index -> "name" / "description" / "remark"
    weight_column: int | None = None
    score_column: int | None = None


def layout_of(row: Row) -> Layout | None:
    if row.form is Form.TEXT:
        return None
    fields = {i: CONTINUED_COLUMNS[column_key(c)] for i, c in enumerate(row.cells) if column_key(c) in CONTINUED_COLUMNS}
    weight = next((i for i, c in enumerate(row.cells) if column_key(c) in WEIGHT_HEADERS), None)
    score = next((i for i, c in enumerate(row.cells) if column_key(c) in SCORE_HEADERS), None)
    return Layout(row.form, len(row.cells), fields, weight, score)


@dataclass
class TableParse:
    layout: Layout | None = None
    indicators: list[IndicatorRecord] = field(default_factory=list)
    labels: list[GroupLabel] = field(default_factory=list)
    notes: list[ParseNote] = field(default_factory=list)
    total_line: int | None = None
    total_weight_raw: str | None = None
    total_score_raw: str | None = None
    end: int = 0  # index of the first row after the table


#: Printed headers of the weight and the score columns (``权重 | 自评分``, ``分值 | 得分``, …).
WEIGHT_HEADERS = ("权重", "分值", "分数")
SCORE_HEADERS = ("自评分", "得分", "评分")
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def column_key(cell: str) -> str:
    """A header cell's key without a trailing bracketed unit (``分值（分）`` -> ``分值``)."""
    return _UNIT_SUFFIX.sub("", label_key(cell))


def is_table_header(row: Row) -> bool:
    keys = {column_key(cell) for cell in row.values}
    return "指标名称" in keys and bool(keys & {*WEIGHT_HEADERS, *SCORE_HEADERS})


def find_table_header(rows: list[Row]) -> int | None:
    for index, row in enumerate(rows):
        if is_table_header(row):
            return index
    return None


def is_total_row(row: Row) -> bool:
    return bool(row.values) and label_key(row.values[0]) in TOTAL_LABELS


def is_notes_row(row: Row) -> bool:
    return bool(row.values) and label_key(row.values[0]).startswith(NOTES_PREFIX)


def parse_table(rows: list[Row], start: int) -> TableParse:
    """Read the indicator rows from ``rows[start]`` up to the 合计 row."""
    table = TableParse(end=len(rows))
    if start > 0 and is_table_header(rows[start - 1]):
        table.layout = layout_of(rows[start - 1])
    for index in range(start, len(rows)):
        row = rows[index]
        if row.is_blank:
            continue
        if is_table_header(row):
            table.layout = layout_of(row)
            continue
        if is_total_row(row):
            _read_total(table, row)
            table.end = index + 1
            break
        if is_notes_row(row):
            table.end = index
            break
        _read_row(table, row)
    if table.total_line is None:
        table.notes.append(ParseNote("total_row_missing", "the scoring table has no 合计 row", rows[-1].line))
    return table


def _read_total(table: TableParse, row: Row) -> None:
    """The 合计 row's weight and score.

    In pipe and tab rows laid out like the table header the numbers are read
    by the column they are printed in, so a blank 权重 cell leaves the weight
    unknown instead of shifting the score into it. In PDF text (columns lost)
    they are read in order; a lone number is the score when it equals the sum
    of the indicators' scores but not of their weights.
    """
    table.total_line = row.line
    by_column = _total_by_column(table.layout, row)
    if by_column is not None:
        weight, score = by_column
    else:
        numbers = [v for v in row.values[1:] if is_number(v) or is_not_applicable(v)]
        weight = numbers[0] if numbers else None
        score = numbers[1] if len(numbers) > 1 else None
        if len(numbers) == 1 and _is_score_sum(table.indicators, numbers[0]):
            weight, score = None, numbers[0]
    table.total_weight_raw, table.total_score_raw = weight, score
    for what, value in (("weight (权重)", weight), ("score (自评分)", score)):
        if value is None:
            message = f"the 合计 row prints no total {what}: {' '.join(row.values)!r}"
            table.notes.append(ParseNote("total_cell_blank", message, row.line))


def _total_by_column(layout: Layout | None, row: Row) -> tuple[str | None, str | None] | None:
    """(weight, score) read by column, or None when the row's columns are unknown.

    The row must be laid out like the table header and every number it holds
    must sit in the weight or the score column.
    """
    if layout is None or row.form is not layout.form or layout.weight_column is None or layout.score_column is None:
        return None
    cells = row.cells
    if len(cells) > layout.width or (row.form is Form.PIPE and len(cells) != layout.width):
        return None
    columns = {layout.weight_column, layout.score_column}
    numeric = {i for i, c in enumerate(cells) if i > 0 and (is_number(c) or is_not_applicable(c))}
    if not numeric or not numeric <= columns:
        return None

    def cell(index: int) -> str | None:
        return cells[index] if index in numeric else None

    return cell(layout.weight_column), cell(layout.score_column)


def _is_score_sum(indicators: list[IndicatorRecord], raw: str) -> bool:
    value = parse_decimal(raw)
    if value is None:
        return False
    weights = sum((i.weight for i in indicators if i.weight is not None), Decimal(0))
    scores = sum((i.score for i in indicators if i.score is not None), Decimal(0))
    return abs(value - scores) < Decimal("0.01") and abs(value - weights) >= Decimal("0.01")


def _read_row(table: TableParse, row: Row) -> None:
    values = list(row.values)
    pair = number_pair_index(values)
    if pair is not None:
        _read_indicator(table, row, values, pair)
        return
    label, rest = take_group_label(values, need_name_after=False)
    if label is not None and not rest:
        table.labels.append(_group_label(label, len(table.indicators), row.line))
        return
    if len(values) == 1 and _POINTS_ONLY.match(label_key(values[0])) and _attach_points(table, values[0]):
        return
    _continue_previous(table, row, values)


def number_pair_index(values: list[str]) -> int | None:
    """Index of the weight in the first weight/score pair (score may be a placeholder)."""
    for index in range(len(values) - 1):
        if is_number(values[index]) and (is_number(values[index + 1]) or is_not_applicable(values[index + 1])):
            return index
    return None


def take_group_label(values: list[str], need_name_after: bool = True) -> tuple[str | None, list[str]]:
    """Split a leading level-1 group label (with its ``(36分)``) off the cells.

    A label outside the vocabulary counts only when it declares points and an
    indicator name follows it (``need_name_after``).
    """
    if not values:
        return None, values
    first = values[0]
    known = level1_label(first, TEMPLATE_LEGACY) is not None
    used = 1
    if split_group_points(first)[1] is None and len(values) > 1 and _POINTS_ONLY.match(label_key(values[1])):
        first, used = f"{first} {values[1]}", 2
    declares_points = split_group_points(first)[1] is not None
    rest = values[used:]
    if known or (declares_points and need_name_after and rest):
        return clean_text(first), rest
    return None, values


def _group_label(text: str, anchor: int, line: int) -> GroupLabel:
    name, points = split_group_points(text)
    canonical = level1_label(text, TEMPLATE_LEGACY)
    return GroupLabel(
        text=text,
        name=canonical or name,
        points=parse_decimal(points) if points else None,
        anchor=anchor,
        line=line,
    )


def _read_indicator(table: TableParse, row: Row, values: list[str], pair: int) -> None:
    label, rest = take_group_label(values[:pair])
    if label is not None:
        table.labels.append(_group_label(label, len(table.indicators), row.line))
        if level1_label(label, TEMPLATE_LEGACY) is None:
            message = f"group label '{label}' is not a known level-1 label"
            table.notes.append(ParseNote("level1_label_not_in_vocabulary", message, row.line))
    if not rest:
        raise ReportRejected("indicator row without a name", row.line)
    weight_raw, score_raw = values[pair], values[pair + 1]
    remark = clean_text(" ".join(values[pair + 2:]))
    description = clean_text(" ".join(rest[1:]))
    table.indicators.append(
        IndicatorRecord(
            seq=len(table.indicators) + 1,
            name=clean_text(rest[0]),
            source_line=row.line,
            description=description or None,
            weight=parse_decimal(weight_raw),
            weight_raw=weight_raw,
            score=parse_decimal(score_raw),
            score_raw=score_raw,
            remark=remark or None,
        )
    )


def _attach_points(table: TableParse, token: str) -> bool:
    """A ``(36分)`` alone on a line completes the last group label that lacks points."""
    if not table.labels or table.labels[-1].points is not None:
        return False
    label = table.labels[-1]
    label.text = f"{label.text} {clean_text(token)}"
    label.points = parse_decimal(split_group_points(label.text)[1])
    return True


def _fragment_columns(table: TableParse, row: Row) -> dict[str, str] | None:
    """The row's text by the column it is printed in (name / description / remark).

    Only for a pipe or tab row laid out like the table header (a tab row may
    lack trailing empty cells); None when the columns are unknown (PDF text) or
    a cell sits in a column that text cannot continue.
    """
    layout = table.layout
    if layout is None or row.form is not layout.form:
        return None
    if len(row.cells) > layout.width or (row.form is Form.PIPE and len(row.cells) != layout.width):
        return None
    parts: dict[str, list[str]] = {}
    for index, cell in enumerate(row.cells):
        if not cell:
            continue
        what = layout.fields.get(index)
        if what is None:
            return None
        parts.setdefault(what, []).append(cell)
    return {what: " ".join(cells) for what, cells in parts.items()} or None


def _continue_previous(table: TableParse, row: Row, values: list[str]) -> None:
    """Text without numbers continues the previous indicator (page break or wrap).

    In pipe and tab rows each fragment continues the column it is printed in.
    In PDF text the columns are lost: two or more cells continue the name and
    the description; a single cell continues the description when the
    indicator has one (the longer cell is the one that wraps), the name
    otherwise.
    """
    if not table.indicators:
        table.notes.append(
            ParseNote("unparsed_table_row", f"text before the first indicator ignored: {' '.join(values)}", row.line)
        )
        return
    indicator = table.indicators[-1]
    columns = _fragment_columns(table, row)
    if columns is None:
        if len(values) == 1 and indicator.description:
            columns = {"description": values[0]}
        else:
            columns = {"name": values[0]}
            if len(values) > 1:
                columns["description"] = " ".join(values[1:])
    if "name" in columns:
        indicator.name = join_wrapped([indicator.name, columns["name"]])
    if "description" in columns:
        indicator.description = join_wrapped([indicator.description or "", columns["description"]])
    if "remark" in columns:
        indicator.remark = join_wrapped([indicator.remark or "", columns["remark"]])
    what = next(w for w in ("name", "description", "remark") if w in columns)
    code = f"{what}_split_across_page_break"
    indicator.source_line_end = row.line
    message = f"line {row.line} continues the {what} of indicator '{indicator.name}' (line {indicator.source_line})"
    table.notes.append(ParseNote(code, message, row.line))
