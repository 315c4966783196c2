"""Key/value header of the older self-evaluation template (项目绩效自我评价).

The header is a grid of ``label： | value`` pairs. ``read_header`` returns the
pairs in reading order (row by row, left to right) with the label as printed,
so later steps can reason about neighbouring fields (a value spilling into the
next cell) and keep the printed label beside the parsed number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Row
from pipeline.families.common import key_values
from pipeline.records import ParseNote
from pipeline.text import clean_text, join_wrapped, label_key

# --- labels ----------------------------------------------------------------------

#: Money labels: printed base label -> field. The unit in brackets varies.
MONEY_LABELS = {
    "当年预算数": "budget",
    "预算执行数": "executed",
    "上年预算金额": "prior_budget",
}
MONEY_UNITS = ("元", "万元", "亿元")

#: Other labels (as printed, without the trailing colon) -> field.
TEXT_LABELS = {
    "项目名称": "project_name",
    "预算单位": "implementing_unit",
    "实施单位": "implementing_unit",
    "具体实施处（科室）": "division",
    "具体实施处": "division",
    "是否为经常性项目": "is_recurring",
    "预算执行率（%）": "execution_rate",
    "预算执行率": "execution_rate",
    "项目年度总目标": "goal_expected",
    "自评时间": "evaluation_date",
    "绩效等级": "grade",
    "主要绩效": "main_results",
    "主要问题": "main_problems",
    "改进措施": "improvement_measures",
}

#: Long narrative fields whose text may wrap onto following lines.
NARRATIVE_FIELDS = {"goal_expected", "main_results", "main_problems", "improvement_measures"}

#: Fields that hold an organisation name.
ORGANISATION_FIELDS = ("implementing_unit", "division")


def _label_index() -> dict[str, str]:
    index = {label_key(label): name for label, name in TEXT_LABELS.items()}
    for base, name in MONEY_LABELS.items():
        index[label_key(base)] = name
        for unit in MONEY_UNITS:
            index[label_key(f"{base}（{unit}）")] = name
    return index


LABELS = _label_index()
_COLON = re.compile(r"[:：]")


@dataclass
class HeaderEntry:
    """One header field: its printed label, its value and the line of both."""

    field: str
    label: str
    value: str
    line: int


# --- reading ---------------------------------------------------------------------


def read_header(rows: list[Row]) -> list[HeaderEntry]:
    """Header fields in reading order; the first occurrence of a field wins.

    A row without any label that follows a narrative field continues that
    field's text (a hard line wrap in PDF text).
    """
    entries: list[HeaderEntry] = []
    seen: set[str] = set()
    last_on_previous_row: HeaderEntry | None = None
    for row in rows:
        if row.is_blank:
            continue
        found = key_values([row], LABELS)
        if not found:
            if last_on_previous_row is not None and last_on_previous_row.field in NARRATIVE_FIELDS:
                extra = clean_text(" ".join(row.values))
                last_on_previous_row.value = join_wrapped([last_on_previous_row.value, extra])
            continue
        last_on_previous_row = None
        for name, field in found.items():
            entry = HeaderEntry(name, printed_label(row, name), field.value, field.line)
            if name not in seen:
                seen.add(name)
                entries.append(entry)
                last_on_previous_row = entry
            else:
                last_on_previous_row = None
    return entries


def printed_label(row: Row, field: str) -> str:
    """The label cell of ``field`` in ``row`` as printed, without its colon."""
    for cell in row.values:
        if LABELS.get(label_key(cell)) == field:
            return clean_text(cell).rstrip(":：").strip()
        parts = _COLON.split(cell, maxsplit=1)
        if len(parts) == 2 and LABELS.get(label_key(parts[0])) == field:
            return clean_text(parts[0])
    return ""


def by_field(entries: list[HeaderEntry]) -> dict[str, HeaderEntry]:
    return {entry.field: entry for entry in entries}


# --- a value spilling into the next cell ------------------------------------------

#: Endings of an organisation name (longest first does not matter: any match counts).
ORGANISATION_SUFFIXES = (
    "中心", "局", "办公室", "委员会", "院", "所", "站", "队", "馆", "会", "处", "科",
    "室", "部", "组", "公司", "学校", "校", "政府", "委", "办", "厅", "署", "团", "社",
    "园", "台", "厂", "基地", "集团", "研究院", "协会", "学会",
)
#: The longest prefix a spilled tail can have.
MAX_SPILL = 4


def is_organisation_name(text: str) -> bool:
    """True when ``text`` ends with an organisational suffix (中心, 局, 处, …)."""
    return label_key(text).endswith(ORGANISATION_SUFFIXES)


def spilled_prefix(value: str, next_value: str) -> str | None:
    """The shortest start of ``next_value`` that completes ``value`` into an organisation name.

    Only when ``value`` is not already one, and what stays behind in the next
    cell is still a complete organisation name.
    """
    if not value or is_organisation_name(value):
        return None
    for size in range(1, min(MAX_SPILL, len(next_value) - 1) + 1):
        prefix, rest = next_value[:size], next_value[size:]
        if is_organisation_name(value + prefix) and is_organisation_name(rest):
            return prefix
    return None


def repair_spills(entries: list[HeaderEntry]) -> list[ParseNote]:
    """Move the tail of an organisation name back from the next field's cell."""
    notes = []
    for position, entry in enumerate(entries[:-1]):
        if entry.field not in ORGANISATION_FIELDS:
            continue
        following = entries[position + 1]
        prefix = spilled_prefix(entry.value, following.value)
        if prefix is None:
            continue
        message = (
            f"'{prefix}' printed at the start of {following.label} belongs to {entry.label}: "
            f"'{entry.value}' + '{prefix}'"
        )
        entry.value += prefix
        following.value = following.value[len(prefix):]
        notes.append(ParseNote("value_spilled_into_next_cell", message, following.line))
    return notes
