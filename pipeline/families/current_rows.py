"""Rows of the current template's indicator table: the header and its column
positions (``Columns``), and one printed row read into a PrintedRow (by the
header's positions when it sits in them, else by content) or a LabelRow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pipeline.document import Form, Row
from pipeline.numbers import is_not_applicable, is_number
from pipeline.records import ReportRejected
from pipeline.text import label_key
from pipeline.vocabulary import TEMPLATE_CURRENT, level1_label, level2_label

#: label_key of header cells; a row holding two of them is the (repeated) header.
HEADER_KEYS = {label_key(t) for t in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "偏差原因分析")}


@dataclass
class PrintedRow:
    """One indicator row as printed, before its categories are resolved."""

    line: int
    level1_raw: str | None
    level2_raw: str | None
    name: str
    target: str | None
    actual: str | None  # None: the cell is printed blank (tab/pipe rows read by position)
    weight: str
    score: str
    deviation: str | None
    line_end: int | None = None  # last line when the row wrapped or broke across a page

    @property
    def has_labels(self) -> bool:
        return bool(self.level1_raw or self.level2_raw)


@dataclass
class LabelRow:
    """A row that prints only category labels (a merged cell on its own line)."""

    line: int
    level1_raw: str | None
    level2_raw: str | None

    @property
    def has_labels(self) -> bool:
        return True


Entry = PrintedRow | LabelRow


def is_table_header(row: Row) -> bool:
    return sum(map(_IS_HEADER_KEY, row.keys)) >= 2


_IS_HEADER_KEY = HEADER_KEYS.__contains__


def find_table_header(rows: list[Row], start: int = 0) -> int | None:
    for index in range(start, len(rows)):
        if is_table_header(rows[index]):
            return index
    return None


@dataclass(frozen=True)
class Columns:
    """Cell positions of the header's columns (tab or pipe header only)."""

    level1: int
    level2: int
    name: int
    target: int
    actual: int
    weight: int
    score: int

    @classmethod
    def of(cls, header: Row) -> "Columns | None":
        if header.form == Form.TEXT:
            return None
        keys = [label_key(c) for c in header.cells]
        wanted = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
        positions = []
        for label in wanted:
            key = label_key(label)
            if keys.count(key) != 1:
                return None
            positions.append(keys.index(key))
        if positions != sorted(positions):
            return None
        return cls(*positions)

    @cached_property
    def unused_before_weight(self) -> tuple[int, ...]:
        """Positions left of 分值 that belong to no column (they must stay blank)."""
        used = {self.level1, self.level2, self.name, self.target, self.actual, self.weight}
        return tuple(i for i in range(self.weight) if i not in used)


def read_entry(row: Row, columns: Columns | None = None) -> Entry | None:
    aligned = _aligned_entry(row, columns)
    if aligned is not None:
        return aligned
    values = list(row.values)
    anchor = weight_score_index(values)
    if anchor is None:
        labels = _labels_only(values)
        return LabelRow(row.line, *labels) if labels else None
    if anchor < 3:
        raise ReportRejected("indicator row lacks a name, target or actual value", row.line)
    level1, level2, name_cells = split_labels(values[: anchor - 2])
    return PrintedRow(
        line=row.line,
        level1_raw=level1,
        level2_raw=level2,
        name=" ".join(name_cells),
        target=values[anchor - 2],
        actual=values[anchor - 1],
        weight=values[anchor],
        score=values[anchor + 1],
        deviation=_deviation(values[anchor + 2 :]),
    )


def _deviation(cells: list[str] | tuple[str, ...]) -> str | None:
    deviation = " ".join(c for c in cells if c)
    return None if is_not_applicable(deviation) else deviation


def _aligned_entry(row: Row, columns: Columns | None) -> PrintedRow | None:
    """A tab or pipe row read by the header's cell positions, when it sits in them.

    It sits in them when 分值 holds a number, 得分 a number or a not-applicable
    mark, no number follows 得分 (a row shifted right puts its score there), the
    name column is filled, only category labels precede it and nothing sits
    between the name and the target column. Blank target or actual cells then
    stay blank (None) instead of shifting their neighbours.
    """
    if columns is None or row.form == Form.TEXT or len(row.cells) <= columns.score:
        return None
    cells = row.cells
    weight, score = cells[columns.weight], cells[columns.score]
    if not is_number(weight) or not (is_number(score) or (score and is_not_applicable(score))):
        return None
    if any(is_number(c) for c in cells[columns.score + 1 :]):
        return None
    name = cells[columns.name]
    if not name or is_number(name):
        return None
    if any(cells[i] for i in columns.unused_before_weight):
        return None
    labels = [cells[i] for i in (columns.level1, columns.level2) if cells[i]]
    level1, rest = _take_label(labels, level1_label)
    level2, rest = _take_label(rest, level2_label)
    if rest:
        return None  # text that is no category label in a label column: read by content
    return PrintedRow(
        line=row.line,
        level1_raw=level1,
        level2_raw=level2,
        name=name,
        target=cells[columns.target] or None,
        actual=cells[columns.actual] or None,
        weight=weight,
        score=score,
        deviation=_deviation(cells[columns.score + 1 :]),
    )


def _take_label(cells: list[str], lookup) -> tuple[str | None, list[str]]:
    """Take a label off the front of label cells (no name to keep)."""
    if cells and lookup(cells[0], TEMPLATE_CURRENT):
        return cells[0], cells[1:]
    return None, cells


def weight_score_index(values: list[str]) -> int | None:
    """Index of the weight cell: the last two consecutive numeric cells, or else the
    last number followed by a not-applicable mark (a score printed as ``-``)."""
    for index in range(len(values) - 2, -1, -1):
        if is_number(values[index]) and is_number(values[index + 1]):
            return index
    for index in range(len(values) - 2, -1, -1):
        if is_number(values[index]) and values[index + 1] and is_not_applicable(values[index + 1]):
            return index
    return None


def _take(cells: list[str], lookup) -> tuple[str | None, list[str]]:
    """Take a label off the front (one cell, or two a PDF line split), keeping a name."""
    for width in (1, 2):
        if len(cells) > width and lookup("".join(cells[:width]), TEMPLATE_CURRENT):
            return " ".join(cells[:width]), cells[width:]
    return None, cells


def split_labels(prefix: list[str]) -> tuple[str | None, str | None, list[str]]:
    """(level-1 label, level-2 label, name cells) of a row's prefix, by vocabulary."""
    level1, rest = _take(list(prefix), level1_label)
    level2, rest = _take(rest, level2_label)
    return level1, level2, rest


def _labels_only(values: list[str]) -> tuple[str | None, str | None] | None:
    """(level-1, level-2) when the row prints nothing but category labels."""
    if not values or len(values) > 2:
        return None
    level1 = values[0] if level1_label(values[0], TEMPLATE_CURRENT) else None
    rest = values[1:] if level1 else values
    if not rest:
        return (level1, None) if level1 else None
    if len(rest) == 1 and level2_label(rest[0], TEMPLATE_CURRENT):
        return level1, rest[0]
    return None
