"""The total row closing the current template's indicator table (printed
maximum and total, optionally labelled) and the grade a row may end in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipeline.document import Form, Row
from pipeline.families.current_rows import Columns
from pipeline.numbers import is_number
from pipeline.text import label_key
from pipeline.vocabulary import LEGACY_GRADE_BANDS, NATIONAL_GRADE_BANDS

TOTAL_LABELS = {label_key(t) for t in ("合计", "总分", "总计", "得分合计", "分值合计")}
#: The grade row closes the report; reaching it before a total row means the total is missing.
GRADE_LABELS = {label_key(t) for t in ("评分等级", "绩效等级", "自评等级")}
#: Grades a form prints (national and Shanghai bands); a bare one may end the total row.
GRADE_WORDS = {grade for _, grade in NATIONAL_GRADE_BANDS + LEGACY_GRADE_BANDS}


@dataclass
class TotalRow:
    line: int
    max_points_raw: str | None
    total_raw: str
    grade: str | None = None  # the grade printed on the total row itself


@lru_cache(maxsize=1 << 14)
def grade_cell(text: str) -> str | None:
    """The grade in a cell printing the grade label and the grade (``评分等级：良``)."""
    key = label_key(text)
    for label in GRADE_LABELS:
        if key.startswith(label + ":"):
            return key[len(label) + 1 :] or None
    return None


#: What every grade label shares: a row without it in any cell holds no grade label.
_GRADE_LABEL_CORE = "等级"
assert all(_GRADE_LABEL_CORE in label for label in GRADE_LABELS)


def is_grade_row(row: Row) -> bool:
    """True when a cell of the row is a grade label, alone or with its grade (``评分等级：良``)."""
    keys = row.keys
    if _GRADE_LABEL_CORE not in "\n".join(keys):
        return False  # the common case, decided in one scan
    return any(key in GRADE_LABELS or grade_cell(key) for key in keys)


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
    keys = row.keys  # label_key of each value, computed once per row
    if TOTAL_LABELS.isdisjoint(keys):
        values = list(row.values)
    else:
        values = [v for v, key in zip(row.values, keys) if key not in TOTAL_LABELS]
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
