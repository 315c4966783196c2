"""The indicator table of the current self-evaluation template, row by row.

Header: 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析.

Rows are read by content (empty cells vanish in PDF text and rows are printed
shifted), except a tab or pipe row that sits in the header's columns
(``Columns``, ``_aligned_entry``): its cells keep their positions, so a blank
实际完成值 stays blank instead of pulling the cells left of it one column over.
Reading by content:

* the weight/score pair anchors the row from the right: the last two
  consecutive numeric cells (a deviation reason may follow them); failing
  that, a number followed by a not-applicable mark (得分 printed as ``-``);
* the cell before the pair is the actual value, the one before that the target;
* the remaining prefix holds the printed category labels and the name. Labels
  are consumed by VOCABULARY (a level-1 label, then a level-2 label), never by
  position, and at least one prefix cell always remains as the name (an
  indicator may be named like a category, e.g. ``满意度``).

A row with text but no weight/score pair continues an indicator row
(``_continue_previous``): a wrapped deviation reason, the tail of a name split
across a page break, or (tab/pipe, in the name column) the head of the next
row's name when the page break falls after the fragment.

The table ends at the total row: just two numbers (the printed maximum, 100,
and the printed total), optionally with a 合计/总分 label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.document import Form, Row
from pipeline.numbers import is_not_applicable, is_number
from pipeline.records import ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import (
    LEGACY_GRADE_BANDS,
    NATIONAL_GRADE_BANDS,
    TEMPLATE_CURRENT,
    achievement_status,
    level1_label,
    level2_label,
)

#: label_key of header cells; a row holding two of them is the (repeated) header.
HEADER_KEYS = {label_key(t) for t in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "偏差原因分析")}
_TOTAL_LABELS = {label_key(t) for t in ("合计", "总分", "总计", "得分合计", "分值合计")}
#: The grade row closes the report; reaching it before a total row means the total is missing.
GRADE_LABELS = {label_key(t) for t in ("评分等级", "绩效等级", "自评等级")}
#: Grades a form prints (national and Shanghai bands); a bare one may end the total row.
GRADE_WORDS = {grade for _, grade in NATIONAL_GRADE_BANDS + LEGACY_GRADE_BANDS}
#: Longest text (label_key characters) read as the tail of a name split across a page break.
NAME_TAIL_MAX_CHARS = 12


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


@dataclass
class TotalRow:
    line: int
    max_points_raw: str | None
    total_raw: str
    grade: str | None = None  # the grade printed on the total row itself


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


def grade_cell(text: str) -> str | None:
    """The grade in a cell printing the grade label and the grade (``评分等级：良``)."""
    key = label_key(text)
    for label in GRADE_LABELS:
        if key.startswith(label + ":"):
            return key[len(label) + 1 :] or None
    return None


def split_grade(values: list[str]) -> tuple[list[str], str | None]:
    """(values before it, grade) when a row ends in a printed grade, else (values, None).

    The grade ends a row as a label cell and the grade (``评分等级 | 良``), one
    cell holding both (``评分等级：良``) or, after a number, a bare grade of the
    closed list (``… | 100 | 89.57 | 良``).
    """
    if len(values) >= 2 and label_key(values[-2]) in GRADE_LABELS:
        return values[:-2], values[-1]
    if values and grade_cell(values[-1]):
        return values[:-1], grade_cell(values[-1])
    if len(values) >= 2 and label_key(values[-1]) in GRADE_WORDS and is_number(values[-2]):
        return values[:-1], label_key(values[-1])
    return values, None


def total_row(row: Row, columns: "Columns | None" = None, closes_table: bool = False) -> TotalRow | None:
    """The total row: exactly two numbers (printed maximum, total), optionally
    after a total label and before the grade (``split_grade``).

    A total row may leave its maximum (分值) blank and print the total alone. A
    single number is read as the total (maximum None) only with evidence that
    the row is the total row: a total label, the number in the 得分 column with
    分值 blank (tab or pipe row), or the row closing the table (the grade row or
    the end of the report follows; ``closes_table``).
    """
    values = [v for v in row.values if label_key(v) not in _TOTAL_LABELS]
    labelled = len(row.values) - len(values)
    if labelled > 1:
        return None
    values, grade = split_grade(values)
    if len(values) == 2 and all(is_number(v) for v in values):
        return TotalRow(line=row.line, max_points_raw=values[0], total_raw=values[1], grade=grade)
    if len(values) == 1 and is_number(values[0]):
        if labelled or closes_table or _in_score_column(row, columns, values[0]):
            return TotalRow(line=row.line, max_points_raw=None, total_raw=values[0], grade=grade)
    return None


def _in_score_column(row: Row, columns: "Columns | None", value: str) -> bool:
    """True when a tab or pipe row prints ``value`` in the 得分 column and leaves 分值 blank."""
    if columns is None or row.form == Form.TEXT or len(row.cells) <= columns.score:
        return False
    return row.cells[columns.score] == value and not row.cells[columns.weight]


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


def parse_table(rows: list[Row], header_index: int) -> IndicatorTable:
    """Read entries from the row after the header up to the total row."""
    entries: list[Entry] = []
    notes: list[ParseNote] = []
    columns = Columns.of(rows[header_index])
    head: Row | None = None  # a name fragment that starts the next row's name
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if is_table_header(row):
            columns = Columns.of(row) or columns
            continue  # header repeated after a page break
        total = total_row(row, columns, _closes_table(rows, index))
        if total is not None and (total.max_points_raw is not None or not _table_goes_on(rows, index, columns)):
            if total.max_points_raw is None:
                notes.append(ParseNote(
                    "total_max_points_blank",
                    f"the total row prints the total {total.total_raw} but leaves its maximum (分值) blank",
                    row.line,
                ))
            return IndicatorTable(entries=entries, total=total, end_index=index, notes=notes)
        if any(key in GRADE_LABELS or grade_cell(key) for key in row.keys):
            break
        entry = _entry(row, columns)
        if entry is not None:
            if head is not None and isinstance(entry, PrintedRow):
                _prepend_head(head, entry, notes)
            elif head is not None:  # pragma: no cover - _is_name_head looked ahead
                _continue_previous(head, entries, notes, columns)
            head = None
            entries.append(entry)
            continue
        if _is_name_head(rows, index, entries, columns):
            head = row
            continue
        _continue_previous(row, entries, notes, columns)
    raise ReportRejected("indicator table has no total row (100 | total score)", rows[header_index].line)


def _closes_table(rows: list[Row], index: int) -> bool:
    """True when rows[index] is the last row or the grade row follows it."""
    if index + 1 >= len(rows):
        return True
    return any(key in GRADE_LABELS or grade_cell(key) for key in rows[index + 1].keys)


def _table_goes_on(rows: list[Row], index: int, columns: Columns | None) -> bool:
    """True when the row after rows[index] (past a repeated header) is an indicator row
    or a full total row: a lone number before it is no total row."""
    following = index + 1
    while following < len(rows) and is_table_header(rows[following]):
        following += 1
    if following >= len(rows):
        return False
    nxt = rows[following]
    total = total_row(nxt)
    if total is not None and total.max_points_raw is not None:
        return True
    try:
        return isinstance(_entry(nxt, columns), PrintedRow)
    except ReportRejected:
        return False


def _entry(row: Row, columns: Columns | None = None) -> Entry | None:
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
    used = {columns.level1, columns.level2, columns.name, columns.target, columns.actual, columns.weight}
    if any(c for i, c in enumerate(cells[: columns.weight]) if i not in used):
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


def _fragment_column(row: Row, columns: Columns | None) -> int | None:
    """The header column of a tab or pipe row's single filled cell (None for PDF text)."""
    if columns is None or row.form == Form.TEXT:
        return None
    filled = [i for i, cell in enumerate(row.cells) if cell]
    return filled[0] if len(filled) == 1 else None


def _page_break_between(rows: list[Row], first: int, last: int) -> bool:
    """True when blank lines or a repeated header separate rows[first] and rows[last]."""
    if rows[last].line - rows[first].line > 1:
        return True
    return any(is_table_header(r) for r in rows[first + 1 : last])


def _is_name_head(rows: list[Row], index: int, entries: list[Entry], columns: Columns | None) -> bool:
    """True for a name fragment in the name column that starts the NEXT row's name.

    A row split by a page break leaves one part on each page; the fragment
    belongs to the row on the other side of the break. So a fragment followed
    by the break, with the next row printing no category labels (a row whose
    labels are printed starts a new group), is the head of the next name; a
    fragment preceded by the break is the tail of the previous name, also when a
    break follows it too. With no break at all, the next row gets it when it
    prints no labels (its name continues the fragment); else the previous row does.
    """
    row = rows[index]
    if columns is None or _fragment_column(row, columns) != columns.name or not is_name_tail(row.values):
        return False
    following = index + 1
    while following < len(rows) and is_table_header(rows[following]):
        following += 1
    if following >= len(rows):
        return False
    try:
        nxt = _entry(rows[following], columns)
    except ReportRejected:
        return False
    if not isinstance(nxt, PrintedRow) or nxt.has_labels:
        return False
    if not any(isinstance(e, PrintedRow) for e in entries):
        return True
    before = _page_break_between(rows, index - 1, index)
    return not before


def _prepend_head(head: Row, entry: PrintedRow, notes: list[ParseNote]) -> None:
    entry.name = join_wrapped([head.values[0], entry.name])
    entry.line_end = entry.line_end or entry.line
    entry.line = head.line
    notes.append(ParseNote(
        "name_split_across_page_break",
        f"line {head.line} holds the head of the name of indicator '{entry.name}' (line {entry.line_end})",
        head.line,
    ))


def _continue_previous(
    row: Row, entries: list[Entry], notes: list[ParseNote], columns: Columns | None = None
) -> None:
    """A text-only row continues the previous indicator row (a wrapped cell or a page break).

    A tab or pipe row's single cell continues the cell of its column: the
    deviation reason from the 偏差原因分析 column, the name from the 三级指标
    column. Otherwise (PDF text, or another column) the previous row decides:

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
    column = _fragment_column(row, columns)
    in_deviation = column is not None and columns is not None and column > columns.score
    in_name = column is not None and columns is not None and column == columns.name and is_name_tail(row.values)
    if in_deviation or (not in_name and previous.deviation is not None):
        previous.deviation = join_wrapped([previous.deviation or "", " ".join(row.values)])
        code = "deviation_reason_wrapped"
        message = f"text-only row joined to the deviation reason of the row on line {previous.line}"
    elif in_name or is_name_tail(row.values):
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
