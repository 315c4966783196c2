"""Grade bands: which grade a total earns, under the bands a report is bound by.

Bands are a parameter (DOMAIN-RULES §1: deployments differ): the national
90/80/60 for the current template, the bands printed on an older-template
report (its footnote, kept in ``projects.grade_bands``), else Shanghai's
printed default 90/75/60.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.vocabulary import LEGACY_GRADE_BANDS, NATIONAL_GRADE_BANDS, TEMPLATE_CURRENT

Bands = tuple[tuple[float, str], ...]  # (lower bound inclusive, grade), highest first

NATIONAL: Bands = tuple((float(low), name) for low, name in NATIONAL_GRADE_BANDS)
LEGACY: Bands = tuple((float(low), name) for low, name in LEGACY_GRADE_BANDS)

#: Printed grade words folded onto the four national ranks.
SYNONYMS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "及格": "中", "一般": "中", "不合格": "差", "较差": "差"}

_LOWER_BOUND = re.compile(r"(?P<name>[^\s;,，；。、:：>=≥]+?)\s*(?:>=|≥)\s*(?P<low>\d+(?:\.\d+)?)")
_RANGE = re.compile(
    r"(?P<low>\d+(?:\.\d+)?)\s*(?:\(含\))?\s*(?:分)?\s*[-–—~～至]\s*(?P<high>\d+(?:\.\d+)?)\s*(?:\(含\))?\s*分?\s*(?:为|是)\s*"
    r"(?P<name>[^\s,，;；。、:：()]+)"
)


def parse_bands(text: str | None) -> Bands | None:
    """Bands from ``优秀>=90;良好>=75;…`` or the printed footnote
    ``90（含）-100分为优秀，75（含）-90分为良好，…``; None if fewer than two are found."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text)
    found = {m.group("name"): float(m.group("low")) for m in _RANGE.finditer(folded)}
    if len(found) < 2:
        found = {m.group("name"): float(m.group("low")) for m in _LOWER_BOUND.finditer(folded)}
    if len(found) < 2:
        return None
    return tuple(sorted(((low, name) for name, low in found.items()), reverse=True))


def bands_for(template: str | None, printed: str | None) -> Bands:
    if template == TEMPLATE_CURRENT:
        return NATIONAL
    return parse_bands(printed) or LEGACY


def grade_of(total: float, bands: Bands) -> str | None:
    """The grade of ``total``; None when the bands stop above it (incomplete bands)."""
    for low, name in bands:
        if total >= low - 1e-9:
            return name
    return None


def canonical(grade: str | None) -> str | None:
    if grade is None:
        return None
    key = unicodedata.normalize("NFKC", grade).strip()
    return SYNONYMS.get(key, key)


def describe(bands: Bands) -> str:
    return " / ".join(f"{name}>={low:g}" for low, name in bands)
