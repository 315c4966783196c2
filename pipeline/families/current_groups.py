"""The categories a run of indicator rows belongs to (current template), the name
keywords that point to a level-2 category, and the note a row moved to the label
below it gets: what ``current_labels`` and ``current_layout`` share."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.families.current_rows import Entry, PrintedRow
from pipeline.records import ParseNote

#: Name fragments that point to a level-2 category. Kept small on purpose:
#: only words that name the category itself (DOMAIN-RULES §5 C16).
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("成本", "成本指标"),
    ("及时", "时效指标"),
    ("按时", "时效指标"),
    ("时间", "时效指标"),
    ("时效", "时效指标"),
    ("满意", "服务对象满意度指标"),
    ("数量", "数量指标"),
    ("次数", "数量指标"),
    ("份数", "数量指标"),
    ("人数", "数量指标"),
    ("合格率", "质量指标"),
    ("准确率", "质量指标"),
    ("达标率", "质量指标"),
    ("质量", "质量指标"),
)


@dataclass(frozen=True)
class Group:
    """The categories a run of rows belongs to, with the labels as printed."""

    level1: str | None
    level2: str | None
    level1_raw: str | None
    level2_raw: str | None


NO_GROUP = Group(None, None, None, None)


def keyword_categories(name: str) -> set[str]:
    """Level-2 categories the name's keywords point to."""
    return {level2 for word, level2 in KEYWORDS if word in name}


def moved_note(code: str, entry: Entry, lower: Group, why: str) -> ParseNote:
    name = entry.name if isinstance(entry, PrintedRow) else ""
    return ParseNote(
        code,
        f"row {name} prints no category; assigned to the label below it ({lower.level2 or lower.level1}) because {why}",
        entry.line,
    )
