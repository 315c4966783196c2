"""Helpers every family parser shares: key/value headers, title matching, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from functools import lru_cache

from pipeline.document import Row, Segment
from pipeline.text import clean_text, label_key

_COLON = re.compile(r"[:：]")
#: The header label that opens a report's key/value block.
PROJECT_NAME_LABEL = "项目名称"
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YEAR_IN_TITLE = re.compile(r"[(（]?\s*(\d{4})\s*年度?\s*[)）]?")


@dataclass(frozen=True)
class Field:
    """A header value with the line it was read from."""

    value: str
    line: int


def title_matches(row: Row, titles: tuple[str, ...], forbidden: tuple[str, ...] = ()) -> bool:
    """True when the row's text (all cells joined) is one of ``titles``.

    Leading markdown (``#``), an embedded fiscal year such as ``(2023年度)``
    and surrounding whitespace are ignored.
    """
    values = row.values
    if not values or len(values) > 2:
        return False
    key = _title_key(row.joined_key)
    return key in titles and not any(f in key for f in forbidden)


@lru_cache(maxsize=4096)
def _title_key(joined_key: str) -> str:
    """A row's joined label key without leading ``#`` and embedded fiscal year."""
    return _YEAR_IN_TITLE.sub("", joined_key.lstrip("#"))


def year_in_text(text: str) -> int | None:
    """A fiscal year printed as ``(2023年度)`` / ``（2020年度）`` / ``2020年``."""
    match = re.search(r"(\d{4})\s*年", text)
    return int(match.group(1)) if match else None


def parse_date(text: str | None) -> date | None:
    """``2020-04-10``, ``2020/4/10``, ``2020年4月10日`` -> date; anything else -> None."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_yes_no(text: str | None) -> bool | None:
    key = label_key(text)
    if key in {"是", "有", "Y", "y", "yes"}:
        return True
    if key in {"否", "无", "N", "n", "no"}:
        return False
    return None


def key_values(rows: list[Row], labels: dict[str, str]) -> dict[str, Field]:
    """Read ``label | value`` pairs wherever they sit in the rows.

    ``labels`` maps a label's ``label_key`` (no colon) to a field name. A cell
    that is a label takes the following non-label cells of the row as its
    value; a cell such as ``申报单位名称：上海市…`` carries both. The first
    occurrence of a field wins.
    """
    found: dict[str, Field] = {}
    for row in rows:
        values = list(row.values)
        i = 0
        while i < len(values):
            label, inline = _split_label(values[i], labels)
            if label is None:
                i += 1
                continue
            parts = [inline] if inline else []
            j = i + 1
            while j < len(values) and _split_label(values[j], labels)[0] is None:
                parts.append(values[j])
                j += 1
            field = labels[label]
            if field not in found:
                found[field] = Field(clean_text(" ".join(p for p in parts if p)), row.line)
            i = j
    return found


def _split_label(cell: str, labels: dict[str, str]) -> tuple[str | None, str]:
    key = label_key(cell)
    if key in labels:
        return key, ""
    parts = _COLON.split(cell, maxsplit=1)
    if len(parts) == 2 and label_key(parts[0]) in labels:
        return label_key(parts[0]), clean_text(parts[1])
    return None, ""


def opens_project(row: Row) -> bool:
    """True when the row starts with the 项目名称 label (the first row of a report's header)."""
    if not row.values:
        return False
    label = _COLON.split(row.values[0], maxsplit=1)[0]
    return label_key(label) == PROJECT_NAME_LABEL


def split_at_untitled_reports(segment: Segment, is_table_header: Callable[[Row], bool]) -> list[Segment]:
    """Cut the segment where a 项目名称 block follows an indicator table header.

    That block is the next project's report printed without its title line;
    left in place its header and table would be read as the first report's tail.
    """
    parts: list[list[Row]] = [[]]
    table_seen = False
    for row in segment.rows:
        if table_seen and opens_project(row):
            parts.append([])
            table_seen = False
        parts[-1].append(row)
        table_seen = table_seen or is_table_header(row)
    return [Segment(segment.document, rows, segment.family) for rows in parts]
