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

A row with text but no weight/score pair continues the previous indicator
row (``_continue_previous``): a wrapped deviation reason, or the tail of a name
split across a page break.

The table ends at the total row: just two numbers (the printed maximum, 100,
and the printed total), optionally with a 合计/总分 label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Row
from pipeline.numbers import is_not_applicable, is_number
from pipeline.records import ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import TEMPLATE_CURRENT, achievement_status, level1_label, level2_label

#: label_key of header cells; a row holding two of them is the (repeated) header.
HEADER_KEYS = {label_key(t) for t in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "偏差原因分析")}
_TOTAL_LABELS = {label_key(t) for t in ("合计", "总分", "总计", "得分合计", "分值合计")}
#: The grade row closes the report; reaching it before a total row means the total is missing.
GRADE_LABELS = {label_key(t) for t in ("评分等级", "绩效等级", "自评等级")}
#: Longest text (label_key characters) read as the tail of a name split across a page break.
NAME_TAIL_MAX_CHARS = 12


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
    """A text-only row continues the previous indicator row (a wrapped cell or a page break).

    Which cell it continues is decided by the previous row, never by column:

    * the previous row has a deviation reason: the text continues the reason.
      The reason is the row's last text cell, so a wrap or a page break cuts it
      first; a short tail here could also end the name, but the reason is the
      likelier cell and nothing else tells them apart;
    * no deviation reason: a single short text cell (``is_name_tail``) is the
      tail of the indicator name, split across a page break (the name is then
      the row's last text cell).

    Anything else is rejected: the row cannot be placed with confidence.
    """
    previous = entries[-1] if entries else None
    if not isinstance(previous, PrintedRow):
        raise ReportRejected("unrecognized row in the indicator table", row.line)
    if previous.deviation is not None:
        previous.deviation = join_wrapped([previous.deviation, " ".join(row.values)])
        code = "deviation_reason_wrapped"
        message = f"text-only row joined to the deviation reason of the row on line {previous.line}"
    elif is_name_tail(row.values):
        previous.name = join_wrapped([previous.name, row.values[0]])
        code = "name_split_across_page_break"
        message = f"line {row.line} continues the name of indicator '{previous.name}' (line {previous.line})"
    else:
        raise ReportRejected("unrecognized row in the indicator table", row.line)
    previous.line_end = row.line
    notes.append(ParseNote(code, message, row.line))


def is_name_tail(values: tuple[str, ...] | list[str]) -> bool:
    """True for a row that can only be the tail of a name: one short text cell.

    Not a number or placeholder, not a status phrase (a spilled actual value),
    not a category label (``_labels_only`` reads those first) and not a header.
    """
    if len(values) != 1:
        return False
    text = values[0]
    key = label_key(text)
    if not key or len(key) > NAME_TAIL_MAX_CHARS or is_number(text) or is_not_applicable(text):
        return False
    if achievement_status(text) or key in HEADER_KEYS or key in _TOTAL_LABELS or key in GRADE_LABELS:
        return False
    return not (level1_label(text, TEMPLATE_CURRENT) or level2_label(text, TEMPLATE_CURRENT))
