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

Rows are read in ``current_rows``, the total row and the grade in
``current_total``; this module holds the table loop and the page-break
fragments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Form, Row
from pipeline.families.current_rows import (
    HEADER_KEYS,
    Columns,
    Entry,
    PrintedRow,
    is_table_header,
    read_entry,
)
from pipeline.families.current_total import GRADE_LABELS, TOTAL_LABELS, TotalRow, is_grade_row, total_row
from pipeline.numbers import is_not_applicable, is_number
from pipeline.records import ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import TEMPLATE_CURRENT, achievement_status, level1_label, level2_label

#: Longest text (label_key characters) read as the tail of a name split across a page break.
NAME_TAIL_MAX_CHARS = 12


@dataclass
class IndicatorTable:
    entries: list[Entry]
    total: TotalRow
    end_index: int  # index (in the rows given) of the total row
    notes: list[ParseNote] = field(default_factory=list)

    @property
    def printed_rows(self) -> list[PrintedRow]:
        return [e for e in self.entries if isinstance(e, PrintedRow)]


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
        if is_grade_row(row):
            break
        entry = read_entry(row, columns)
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
    return is_grade_row(rows[index + 1])


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
        return isinstance(read_entry(nxt, columns), PrintedRow)
    except ReportRejected:
        return False


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
        nxt = read_entry(rows[following], columns)
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
    if achievement_status(text) or key in HEADER_KEYS or key in TOTAL_LABELS or key in GRADE_LABELS:
        return False
    return not (level1_label(text, TEMPLATE_CURRENT) or level2_label(text, TEMPLATE_CURRENT))
