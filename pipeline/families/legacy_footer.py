"""The 说明 block printed under the scoring table, and the grade bands it states.

``2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，…`` becomes
``优秀>=90;良好>=75;…``: each band by its lower bound, ``>=`` when the lower
bound is inclusive (or neither bound is marked), ``>`` when only the upper one
is; ``60分以下为不合格`` becomes ``不合格<60``.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.document import Row
from pipeline.text import clean_text, label_key

_NUM = r"(\d+(?:\.\d+)?)"
_INCLUDED = r"(\(含\))?"
_GRADE = r"([\u4e00-\u9fff]+)"
_RANGE_BAND = re.compile(
    _NUM + r"\s*分?\s*" + _INCLUDED + r"\s*(?:-|–|—|~|～|至|到)+\s*" + _NUM + r"\s*分?\s*" + _INCLUDED
    + r"\s*(?:分)?\s*(?:为|是|:)?\s*" + _GRADE
)
_OPEN_BAND = re.compile(_NUM + r"\s*分?\s*(以下|以上|及以上|\(含\)以上)\s*(?:为|是|:)?\s*" + _GRADE)
_NOTES_PREFIX = "说明"


def notes_block(rows: list[Row]) -> tuple[str | None, int | None]:
    """The 说明 block verbatim (its lines joined by newlines) and its first line."""
    start = next((i for i, row in enumerate(rows) if row.values and label_key(row.values[0]).startswith(_NOTES_PREFIX)), None)
    if start is None:
        return None, None
    lines = [clean_text(" ".join(row.values)) for row in rows[start:] if not row.is_blank]
    return "\n".join(lines), rows[start].line


def grade_bands(text: str | None) -> str | None:
    """The grade bands a printed sentence states, normalized, or None."""
    if not text:
        return None
    for line in text.splitlines():
        folded = unicodedata.normalize("NFKC", line)
        if "等级" not in folded and "分为" not in folded:
            continue
        bands = _bands_in(folded)
        if len(bands) >= 2:
            return ";".join(bands)
    return None


def _bands_in(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _RANGE_BAND.finditer(text):
        low, low_included, _high, high_included, grade = match.groups()
        operator = ">" if high_included and not low_included else ">="
        found.append((match.start(), f"{grade}{operator}{low}"))
    for match in _OPEN_BAND.finditer(text):
        bound, side, grade = match.groups()
        operator = "<" if side == "以下" else ">="
        found.append((match.start(), f"{grade}{operator}{bound}"))
    return [band for _, band in sorted(found)]
