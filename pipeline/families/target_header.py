"""Header fields, money fields and narrative sections of a 财政项目支出绩效目标表.

Everything above the target grid is read in one pass over the content rows
(blank lines and page-break runs never matter). Each row is one of:

* a **header row** - its first cell is a header or money label
  (``项目名称： 12333热线咨询平台项``); its ``label value`` pairs are read with
  ``common.key_values``;
* a **section row** - its first cell is a narrative section label
  (``项目概况：``, possibly with text after the colon); the section runs until
  the next header, section or terminator row;
* a **terminator** - a heading that ends a section but is no field itself
  (``本项目上年度市级财政资金使用情况``, ``2020年绩效目标``);
* anything else - the body of the open section, or, when no section is open,
  the hard-wrapped continuation of the last text field of the previous header
  row (``项目名称： 12333热线咨询平台项`` + ``目经费``). Other rows are ignored.

Money values wrap too: a money label printed last on its line with no value
takes an amount that opens the next line (``项目当年预算（元）：`` +
``3,256,800.00``; the rest of that line is read as usual). A header, section
or terminator line next means the value is printed blank (a new project has
no 同名项目上年预算额). Any other line leaves a ``money_value_missing`` note,
and a value that is no amount a ``money_value_unreadable`` note: a money
label never vanishes silently. An amount printed last on its line may also be
cut mid-digits (``项目总预算（元）： 1,234,5`` + ``67.89 项目当年预算（元）： …``):
when the piece ends in a digit or separator, the next line opens with a bare
number, the two joined make a well-formed amount and the rest of that line is
empty or another header row, they are joined.

A line that opens with stray text but holds a header label further on
(outside any section) has its labels read all the same, with a
``header_text_ignored`` note naming the text before them.

Whitespace rule for text: the cells of one line are joined with one space
(runs of printed spaces collapse to one, as the PDF printed them between
words); the lines of one value are joined with ``text.join_wrapped``, so a
wrap between CJK characters or digits leaves no space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.document import Row
from pipeline.families.common import Field, key_values
from pipeline.numbers import UNIT_FACTORS, is_not_applicable, to_yuan
from pipeline.records import FUND_TOTAL, FundRecord, ParseNote
from pipeline.text import clean_text, join_wrapped, label_key

#: Header label -> ProjectRecord field.
HEADER_LABELS = {
    "申报单位名称": "implementing_unit",
    "主管部门": "department",
    "项目名称": "project_name",
    "项目类别": "project_category",
    "计划开始日期": "planned_start_date",
    "计划完成日期": "planned_end_date",
    "是否含有政府购买服务": "includes_government_purchase",
    "绩效类型": "performance_type",
}

#: Text fields whose value may wrap onto the next line(s).
WRAPPABLE_FIELDS = {"implementing_unit", "department", "project_name", "project_category", "performance_type"}

#: Money label (printed with its unit, e.g. ``项目总预算（元）``) -> money field.
MONEY_LABELS = {
    "项目总预算": "project_total_budget",
    "项目当年预算": "current_budget",
    "同名项目上年预算额": "prior_budget",
    "同名项目上年预算执行数": "prior_executed",
}

#: Narrative section label -> ProjectRecord field.
SECTION_LABELS = {
    "项目概况": "project_overview",
    "立项依据": "legal_basis",
    "项目设立的必要性": "necessity",
    "保证项目实施的制度、措施": "implementation_measures",
    "项目实施计划": "implementation_plan",
    "总目标及阶段性目标": "overall_and_phase_goals",
}

_TERMINATORS = (re.compile(r"资金使用情况$"), re.compile(r"^\d{4}年度?绩效目标$"))
_COLON = re.compile(r"[:：]")
_UNIT_SEP = "@"
#: A cell that can be the wrapped rest of an amount cut mid-digits.
_AMOUNT_PIECE = re.compile(r"^\d[\d,.]*$")


def _label_index() -> dict[str, str]:
    """label_key -> field; money fields are ``field@unit`` so the unit is known."""
    index = {label_key(label): name for label, name in HEADER_LABELS.items()}
    for label, name in MONEY_LABELS.items():
        for unit in UNIT_FACTORS:
            index[label_key(f"{label}（{unit}）")] = f"{name}{_UNIT_SEP}{unit}"
    return index


LABELS = _label_index()
_SECTION_KEYS = {label_key(label): name for label, name in SECTION_LABELS.items()}


@dataclass(frozen=True)
class MoneyField:
    """A money value as printed, with its unit and label."""

    raw: str
    unit: str
    label: str
    line: int

    @property
    def yuan(self) -> Decimal | None:
        return to_yuan(self.raw, self.unit)


@dataclass
class HeaderParse:
    """What the rows above the target grid yield."""

    fields: dict[str, Field] = field(default_factory=dict)
    money: dict[str, MoneyField] = field(default_factory=dict)
    sections: dict[str, Field] = field(default_factory=dict)
    notes: list[ParseNote] = field(default_factory=list)
    first_header_line: int | None = None


def split_first_cell(cell: str, keys: dict[str, str]) -> tuple[str | None, str]:
    """(field, text after the colon) when ``cell`` starts with one of ``keys``."""
    key = label_key(cell)
    if key in keys:
        return keys[key], ""
    parts = _COLON.split(cell, maxsplit=1)
    if len(parts) == 2 and label_key(parts[0]) in keys:
        return keys[label_key(parts[0])], clean_text(parts[1])
    return None, ""


def is_header_row(row: Row) -> bool:
    return bool(row.values) and split_first_cell(row.values[0], LABELS)[0] is not None


def is_terminator(row: Row) -> bool:
    key = label_key("".join(row.values))
    return any(pattern.search(key) for pattern in _TERMINATORS)


def line_text(row: Row) -> str:
    """One printed line as text: its cells joined by one space."""
    return " ".join(row.values)


class _Reader:
    """The state of the single pass over the header rows."""

    def __init__(self) -> None:
        self.result = HeaderParse()
        self.section: str | None = None
        self.section_parts: list[str] = []
        self.section_line = 0
        self.wrap_field: str | None = None
        self.wrap_money: str | None = None  # money field whose value the next line may carry
        self.split_money: str | None = None  # money field whose amount the next line may complete

    def feed(self, row: Row) -> None:
        if self.split_money is not None:
            row = self._join_split_money(row)
            if row is None:
                return
        if self.wrap_money is not None:
            row = self._continue_money(row)
            if row is None:
                return
        section, inline = split_first_cell(row.values[0], _SECTION_KEYS)
        if section is not None:
            self._close_section()
            self.wrap_field = None
            self.section, self.section_line = section, row.line
            self.section_parts = [" ".join([inline, *row.values[1:]]).strip()]
        elif is_header_row(row):
            self._close_section()
            self._read_header_row(row)
        elif is_terminator(row):
            self._close_section()
            self.wrap_field = None
        elif self.section is not None:
            self.section_parts.append(line_text(row))
        elif self.wrap_field is not None:
            self._continue_field(row)
        else:
            self._read_labels_after_text(row)

    def finish(self) -> HeaderParse:
        self._close_section()
        for name, money in self.result.money.items():
            if money.raw and not is_not_applicable(money.raw) and money.yuan is None:
                self.result.notes.append(
                    ParseNote("money_value_unreadable", f"{money.label} holds no amount: {money.raw!r}", money.line)
                )
        self.result.notes.sort(key=lambda note: note.source_line)
        return self.result

    def _close_section(self) -> None:
        if self.section is not None and self.section not in self.result.sections:
            text = join_wrapped(self.section_parts)
            if text:
                self.result.sections[self.section] = Field(text, self.section_line)
        self.section, self.section_parts = None, []

    def _read_header_row(self, row: Row) -> None:
        if self.result.first_header_line is None:
            self.result.first_header_line = row.line
        found = key_values([row], LABELS)
        stored: set[str] = set()
        for name, value in found.items():
            if _UNIT_SEP in name:
                self._store_money(name, value, row)
            elif name not in self.result.fields:
                self.result.fields[name] = value
                stored.add(name)
        # only the row's last field, read from this row, can run on into the next line
        last = list(found)[-1] if found else None
        self.wrap_field = last if last in stored and last in WRAPPABLE_FIELDS else None
        self.wrap_money = self.split_money = None
        if last is not None and _UNIT_SEP in last:
            money_name = last.split(_UNIT_SEP)[0]
            money = self.result.money.get(money_name)
            if money is not None and money.line == row.line and not money.raw:
                self.wrap_money = money_name
            elif money is not None and money.line == row.line and (money.raw[-1].isdigit() or money.raw[-1] in ",."):
                self.split_money = money_name

    def _store_money(self, name: str, value: Field, row: Row) -> None:
        field_name, unit = name.split(_UNIT_SEP)
        if field_name in self.result.money:
            return
        label = next((_printed_label(c) for c in row.values if LABELS.get(_key_of(c)) == name), field_name)
        self.result.money[field_name] = MoneyField(value.value, unit, label, value.line)

    def _continue_money(self, row: Row) -> Row | None:
        """A money label printed last on its line with no value: the value may be
        the first cell of the next line (``项目当年预算（元）：`` + ``3,256,800.00``).

        Returns what is left of ``row`` to read, or None when nothing is left.
        A header, section or terminator row next means the value is printed
        blank. Any other row that does not start with an amount leaves the
        label without a value and a ``money_value_missing`` note.
        """
        name, self.wrap_money = self.wrap_money, None
        money = self.result.money[name]
        first = row.values[0]
        if to_yuan(first, money.unit) is not None or is_not_applicable(first):
            self.result.money[name] = MoneyField(clean_text(first), money.unit, money.label, money.line)
            self.result.notes.append(
                ParseNote("header_value_wrapped", f"{name} continues on the next line: {first!r}", row.line)
            )
            rest = row.values[1:]
            return Row(row.line, row.text, row.form, tuple(rest)) if rest else None
        if not (is_header_row(row) or is_terminator(row) or split_first_cell(first, _SECTION_KEYS)[0]):
            self.result.notes.append(
                ParseNote(
                    "money_value_missing",
                    f"{money.label} prints no amount on its line or the next ({line_text(row)!r})",
                    money.line,
                )
            )
        return row

    def _join_split_money(self, row: Row) -> Row | None:
        """An amount cut mid-digits at the end of its line (``1,087,6`` + ``54.32``).

        The next line's first cell completes it when it is a bare number, the
        two joined make a well-formed amount and the rest of the line is empty
        or another header row. Returns what is left of ``row`` to read.
        """
        name, self.split_money = self.split_money, None
        money = self.result.money[name]
        first, rest = row.values[0], row.values[1:]
        if not _AMOUNT_PIECE.match(first):
            return row
        joined = money.raw + first
        rest_row = Row(row.line, row.text, row.form, tuple(rest)) if rest else None
        if to_yuan(joined, money.unit) is None or (rest_row is not None and not is_header_row(rest_row)):
            return row
        self.result.money[name] = MoneyField(joined, money.unit, money.label, money.line)
        self.result.notes.append(
            ParseNote(
                "header_value_wrapped",
                f"{name} is cut mid-number and continues on the next line: {money.raw!r} + {first!r}",
                row.line,
            )
        )
        return rest_row

    def _read_labels_after_text(self, row: Row) -> None:
        """Stray text followed by header labels: the labels are read, the text noted."""
        at = next((i for i, cell in enumerate(row.values) if i and split_first_cell(cell, LABELS)[0]), None)
        if at is None:
            return
        ignored = " ".join(row.values[:at])
        self.result.notes.append(
            ParseNote("header_text_ignored", f"text before a header label belongs to no field: {ignored!r}", row.line)
        )
        self._read_header_row(Row(row.line, row.text, row.form, tuple(row.values[at:])))

    def _continue_field(self, row: Row) -> None:
        name = self.wrap_field
        old = self.result.fields[name]
        self.result.fields[name] = Field(join_wrapped([old.value, line_text(row)]), old.line)
        self.result.notes.append(
            ParseNote("header_value_wrapped", f"{name} continues on the next line: {line_text(row)!r}", row.line)
        )


def _printed_label(cell: str) -> str:
    """A label cell as printed, without its colon and any inline value."""
    return clean_text(_COLON.split(cell, maxsplit=1)[0])


def _key_of(cell: str) -> str:
    """The label key a label cell (possibly ``label：value``) carries."""
    key = label_key(cell)
    if key in LABELS:
        return key
    return label_key(_COLON.split(cell, maxsplit=1)[0])


def read_header(rows: list[Row]) -> HeaderParse:
    """Read the header, money fields and narrative sections from content rows."""
    reader = _Reader()
    for row in rows:
        if row.values:
            reader.feed(row)
    return reader.finish()


def fund_records(money: dict[str, MoneyField]) -> list[FundRecord]:
    """This year's budget (offset 0) and last year's budget/execution (offset -1).

    A row is emitted only when at least one of its amounts is printed.
    """
    funds: list[FundRecord] = []
    current = money.get("current_budget")
    if current is not None and _printed(current):
        funds.append(
            FundRecord(
                fund_source=FUND_TOTAL,
                source_line=current.line,
                fiscal_year_offset=0,
                amount_unit=current.unit,
                budget_full_year_yuan=current.yuan,
                budget_full_year_raw=current.raw,
                label_raw=current.label,
            )
        )
    budget, executed = money.get("prior_budget"), money.get("prior_executed")
    printed = [m for m in (budget, executed) if m is not None and _printed(m)]
    if printed:
        labels = [m.label for m in (budget, executed) if m is not None]
        funds.append(
            FundRecord(
                fund_source=FUND_TOTAL,
                source_line=min(m.line for m in printed),
                fiscal_year_offset=-1,
                amount_unit=printed[0].unit,
                budget_full_year_yuan=budget.yuan if budget else None,
                budget_full_year_raw=(budget.raw or None) if budget else None,
                executed_yuan=executed.yuan if executed else None,
                executed_raw=(executed.raw or None) if executed else None,
                label_raw=" / ".join(labels),
            )
        )
    return funds


def _printed(money: MoneyField) -> bool:
    return not is_not_applicable(money.raw)
