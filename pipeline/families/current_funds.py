"""The funds block of the current self-evaluation template (项目资金（万元）).

Layout::

    项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分数 | 执行率 | 得分
    年度资金总额      | 108.70    | 108.70    | 108.70    | 10.00 | 100.00 | 10.00
    其中：当年财政拨款 | 108.70    | 108.70    | 108.70    | -     | 100.00 | -
    上年结转资金 / 其他资金 ...

Columns are read from the header in the order printed; a fund row's values are
mapped onto them over its NON-EMPTY cells, so a row shifted left or right, or a
PDF text line whose empty cells vanished, reads the same. ``-`` means "not
applicable" and gives ``None`` (the raw ``-`` is kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Form, Row
from pipeline.numbers import is_not_applicable, is_number, money_unit, parse_decimal, to_yuan
from pipeline.records import (
    FUND_CURRENT_APPROPRIATION,
    FUND_OTHER,
    FUND_PRIOR_CARRYOVER,
    FUND_TOTAL,
    FundRecord,
    ReportRejected,
)
from pipeline.text import label_key

BUDGET_INITIAL = "budget_initial"
BUDGET_FULL_YEAR = "budget_full_year"
EXECUTED = "executed"
WEIGHT = "weight"
RATE = "rate"
SCORE = "score"

#: Column labels (label_key) -> the value they hold.
COLUMN_LABELS = {
    label_key(text): column
    for text, column in (
        ("年初预算数", BUDGET_INITIAL),
        ("全年预算数", BUDGET_FULL_YEAR),
        ("调整后预算数", BUDGET_FULL_YEAR),
        ("全年执行数", EXECUTED),
        ("预算执行数", EXECUTED),
        ("分数", WEIGHT),
        ("分值", WEIGHT),
        ("执行率", RATE),
        ("执行率(%)", RATE),
        ("预算执行率", RATE),
        ("预算执行率(%)", RATE),
        ("得分", SCORE),
    )
}
#: A "(%)" cell split off a column label by PDF text (``执行率 (%)``).
_PERCENT_SUFFIX = "(%)"
#: Columns a sub-row may leave blank instead of printing ``-``.
_POINT_COLUMNS = (WEIGHT, SCORE)

#: Row label fragments (label_key) -> fund source.
ROW_LABELS = (
    ("年度资金总额", FUND_TOTAL),
    ("当年财政拨款", FUND_CURRENT_APPROPRIATION),
    ("上年结转", FUND_PRIOR_CARRYOVER),
    ("其他资金", FUND_OTHER),
)


@dataclass
class FundsBlock:
    """The parsed funds block and where it sits among the segment's rows."""

    funds: list[FundRecord]
    header_index: int
    end_index: int  # index of the first row after the block
    unit: str

    @property
    def total(self) -> FundRecord:
        return next(f for f in self.funds if f.fund_source == FUND_TOTAL)


def header_columns(row: Row) -> list[str]:
    """The fund columns a row names, in printed order (empty for other rows)."""
    return [COLUMN_LABELS[key] for key in row.keys if key in COLUMN_LABELS]


def find_funds_header(rows: list[Row]) -> int | None:
    """Index of the funds header: the first row naming at least three fund columns."""
    for index, row in enumerate(rows):
        if len(header_columns(row)) >= 3:
            return index
    return None


def parse_funds(rows: list[Row]) -> FundsBlock:
    """Read the funds header and the fund rows that follow it."""
    header_index = find_funds_header(rows)
    if header_index is None:
        raise ReportRejected("funds table (项目资金 / 年初预算数 / 全年预算数) missing", rows[0].line if rows else None)
    header = rows[header_index]
    columns = header_columns(header)
    if len(set(columns)) != len(columns):
        raise ReportRejected("funds header names a column twice", header.line)
    unit = _header_unit(header) or _unit_line_before(rows, header_index)
    if unit is None:
        raise ReportRejected("funds header prints no money unit (万元 / 元)", header.line)
    funds: list[FundRecord] = []
    index = header_index + 1
    while index < len(rows):
        record = _fund_row(rows[index], columns, unit)
        if record is None:
            break
        if any(f.fund_source == record.fund_source for f in funds):
            raise ReportRejected(f"fund row {record.label_raw} printed twice", rows[index].line)
        funds.append(record)
        index += 1
    if not any(f.fund_source == FUND_TOTAL for f in funds):
        raise ReportRejected("funds table has no 年度资金总额 row", header.line)
    return FundsBlock(funds=funds, header_index=header_index, end_index=index, unit=unit)


def _header_unit(header: Row) -> str | None:
    """The money unit printed in the header's label cells (``项目资金（万元）``)."""
    label = "".join(k for k in header.keys if k not in COLUMN_LABELS and k != _PERCENT_SUFFIX)
    return money_unit(label)


#: A line of its own that states the unit of the table below it: ``单位：万元``, ``金额单位:元``.
_UNIT_LINE = re.compile(r"^(?:金额)?单位:?(?P<unit>亿元|万元|元)$")


def _unit_line_before(rows: list[Row], header_index: int) -> str | None:
    """The unit stated on a line of its own above the funds header (nearest first)."""
    for row in reversed(rows[:header_index]):
        match = _UNIT_LINE.match(row.joined_key)
        if match:
            return match["unit"]
    return None


def fund_source_of(label: str) -> str | None:
    """The fund source a row label names, if any."""
    key = label_key(label)
    for fragment, source in ROW_LABELS:
        if fragment in key:
            return source
    return None


def is_value_cell(text: str) -> bool:
    """A cell a fund row can hold: a number (``79.18%`` too) or a not-applicable mark."""
    return is_number(text) or is_not_applicable(text) or parse_decimal(text) is not None


def _split_label(values: tuple[str, ...]) -> tuple[str, list[str]]:
    """Leading text cells form the label; the rest are the row's values."""
    index = 0
    while index < len(values) and not is_value_cell(values[index]):
        index += 1
    return " ".join(values[:index]), list(values[index:])


def _fund_row(row: Row, columns: list[str], unit: str) -> FundRecord | None:
    """A fund row, or None when the row is not one (the block has ended)."""
    label, cells = _split_label(row.values)
    source = fund_source_of(label) if label else None
    if source is None:
        return None
    if not all(is_value_cell(c) for c in cells):
        raise ReportRejected(f"fund row {label} holds a value that is not a number", row.line)
    mapped = _map_cells(cells, columns, _positional_cells(row, label))
    if mapped is None:
        raise ReportRejected(
            f"fund row {label} has {len(cells)} values for {len(columns)} columns", row.line
        )
    return _record(source, label, mapped, unit, row.line)


def _positional_cells(row: Row, label: str) -> list[str] | None:
    """A tab or pipe row's cells after its label, empty ones included (trailing empties
    dropped); None for PDF text, whose empty cells leave no trace."""
    if row.form == Form.TEXT or not label:
        return None
    cells = list(row.cells)
    last_label_cell = max(i for i, c in enumerate(cells) if c and not is_value_cell(c))
    after = cells[last_label_cell + 1:]
    while after and not after[-1]:
        after.pop()
    return after


def _map_cells(cells: list[str], columns: list[str], positional: list[str] | None) -> dict[str, str] | None:
    """Values by column: all columns in order over the non-empty cells; else, for a tab or
    pipe row whose blank cells stand for values not printed, by position; else all but the
    point columns (sub-rows that leave 分数 / 得分 out)."""
    if len(cells) == len(columns):
        return dict(zip(columns, cells))
    if positional is not None and len(cells) < len(columns) and len(positional) <= len(columns):
        return {column: cell for column, cell in zip(columns, positional) if cell}
    without_points = [c for c in columns if c not in _POINT_COLUMNS]
    if len(cells) == len(without_points) and len(without_points) < len(columns):
        return dict(zip(without_points, cells))
    return None


def _record(source: str, label: str, mapped: dict[str, str], unit: str, line: int) -> FundRecord:
    def raw(column: str) -> str | None:
        return mapped.get(column)

    return FundRecord(
        fund_source=source,
        source_line=line,
        amount_unit=unit,
        budget_initial_yuan=to_yuan(raw(BUDGET_INITIAL), unit),
        budget_initial_raw=raw(BUDGET_INITIAL),
        budget_full_year_yuan=to_yuan(raw(BUDGET_FULL_YEAR), unit),
        budget_full_year_raw=raw(BUDGET_FULL_YEAR),
        executed_yuan=to_yuan(raw(EXECUTED), unit),
        executed_raw=raw(EXECUTED),
        execution_rate_reported_pct=parse_decimal(raw(RATE)),
        execution_rate_raw=raw(RATE),
        weight=parse_decimal(raw(WEIGHT)),
        weight_raw=raw(WEIGHT),
        score=parse_decimal(raw(SCORE)),
        score_raw=raw(SCORE),
        label_raw=label,
    )
