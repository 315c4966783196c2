"""The indicator table of the current self-evaluation template, row by row.

Header: 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析.

Rows are read by content, never by column (empty cells vanish in PDF text and
rows are printed shifted):

* the weight/score pair anchors the row from the right: the last two
  consecutive numeric cells (a deviation reason may follow them);
* the cell before the pair is the actual value, the one before that the target;
* the remaining prefix holds the printed category labels and the name. Labels
  are consumed by VOCABULARY (a level-1 label, then a level-2 label), never by
  position, and at least one prefix cell always remains as the name (an
  indicator may be named like a category, e.g. ``满意度``).

The table ends at the total row: just two numbers (the printed maximum, 100,
and the printed total), optionally with a 合计/总分 label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Row
from pipeline.numbers import is_not_applicable, is_number
from pipeline.records import ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import TEMPLATE_CURRENT, level1_label, level2_label

#: label_key of header cells; a row holding two of them is the (repeated) header.
HEADER_KEYS = {label_key(t) for t in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "偏差原因分析")}
_TOTAL_LABELS = {label_key(t) for t in ("合计", "总分", "总计", "得分合计", "分值合计")}
#: The grade row closes the report; reaching it before a total row means the total is missing.
GRADE_LABELS = {label_key(t) for t in ("评分等级", "绩效等级", "自评等级")}


@dataclass
class PrintedRow:
    """One indicator row as printed, before its categories are resolved."""

    line: int
    level1_raw: str | None
    level2_raw: str | None
    name: str
    target: str
    actual: str
    weight: str
    score: str
    deviation: str | None

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


@dataclass
class TotalRow:
    line: int
    max_points_raw: str
    total_raw: str


@dataclass
class IndicatorTable:
    entries: list[Entry]
    total: TotalRow
    end_index: int  # index (in the rows given) of the total row
    notes: list[ParseNote] = field(default_factory=list)

    @property
    def printed_rows(self) -> list[PrintedRow]:
        return [e for e in self.entries if isinstance(e, PrintedRow)]


def is_table_header(row: Row) -> bool:
    return sum(1 for key in row.keys if key in HEADER_KEYS) >= 2


def find_table_header(rows: list[Row], start: int = 0) -> int | None:
    for index in range(start, len(rows)):
        if is_table_header(rows[index]):
            return index
    return None


def total_row(row: Row) -> TotalRow | None:
    """The total row: exactly two numbers, optionally after a total label."""
    values = [v for v in row.values if label_key(v) not in _TOTAL_LABELS]
    if len(values) != 2 or not all(is_number(v) for v in values):
        return None
    if len(row.values) - len(values) > 1:
        return None
    return TotalRow(line=row.line, max_points_raw=values[0], total_raw=values[1])


def parse_table(rows: list[Row], header_index: int) -> IndicatorTable:
    """Read entries from the row after the header up to the total row."""
    entries: list[Entry] = []
    notes: list[ParseNote] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if is_table_header(row):
            continue  # header repeated after a page break
        total = total_row(row)
        if total is not None:
            return IndicatorTable(entries=entries, total=total, end_index=index, notes=notes)
        if any(key in GRADE_LABELS for key in row.keys):
            break
        entry = _entry(row)
        if entry is not None:
            entries.append(entry)
            continue
        _continue_previous(row, entries, notes)
    raise ReportRejected("indicator table has no total row (100 | total score)", rows[header_index].line)


def _entry(row: Row) -> Entry | None:
    values = list(row.values)
    anchor = weight_score_index(values)
    if anchor is None:
        labels = _labels_only(values)
        return LabelRow(row.line, *labels) if labels else None
    if anchor < 3:
        raise ReportRejected("indicator row lacks a name, target or actual value", row.line)
    level1, level2, name_cells = split_labels(values[: anchor - 2])
    deviation = " ".join(values[anchor + 2 :])
    return PrintedRow(
        line=row.line,
        level1_raw=level1,
        level2_raw=level2,
        name=" ".join(name_cells),
        target=values[anchor - 2],
        actual=values[anchor - 1],
        weight=values[anchor],
        score=values[anchor + 1],
        deviation=None if is_not_applicable(deviation) else deviation,
    )


def weight_score_index(values: list[str]) -> int | None:
    """Index of the weight cell: the last two consecutive numeric cells."""
    for index in range(len(values) - 2, -1, -1):
        if is_number(values[index]) and is_number(values[index + 1]):
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


def _continue_previous(row: Row, entries: list[Entry], notes: list[ParseNote]) -> None:
    """A text-only row continues the previous row's deviation reason (a wrapped cell)."""
    previous = entries[-1] if entries else None
    if not isinstance(previous, PrintedRow) or previous.deviation is None:
        raise ReportRejected("unrecognized row in the indicator table", row.line)
    previous.deviation = join_wrapped([previous.deviation, " ".join(row.values)])
    notes.append(
        ParseNote(
            "deviation_reason_wrapped",
            f"text-only row joined to the deviation reason of the row on line {previous.line}",
            row.line,
        )
    )
