"""The 年度总体目标 block of the current self-evaluation template.

Two texts, 预期目标 (expected) and 实际完成情况 (actually achieved), printed in
one of these layouts (label variants such as ``年度 总体 目标`` fold together):

* labels on one row, the two texts on the next (or on the 年度总体目标 row):
  the texts are taken in order, expected first;
* inline, ``预期目标 | text | 实际完成情况 | text``: each text follows its label.

A PDF text line loses cell boundaries: a text that itself holds spaces (two
``<p>`` paragraphs) arrives as several pieces. With more than two positional
pieces the last piece is taken as the achieved text and the others as the
expected goal (the expected goal is the one usually written in paragraphs);
this guess is recorded as a ParseNote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Row
from pipeline.records import ParseNote
from pipeline.text import label_key

EXPECTED = "expected"
ACTUAL = "actual"

_SLOT_LABELS = {label_key("预期目标"): EXPECTED, label_key("实际完成情况"): ACTUAL}
#: Cells that only label the block (``年度 总体 目标`` may be split into words).
_BLOCK_LABELS = {label_key(t) for t in ("年度总体目标", "总体目标", "年度", "总体", "目标")}


@dataclass
class Goals:
    expected: str | None = None
    actual: str | None = None
    notes: list[ParseNote] = field(default_factory=list)


def parse_goals(rows: list[Row]) -> Goals:
    """Read the expected and achieved goal texts from the rows of the block."""
    hinted: dict[str, list[str]] = {EXPECTED: [], ACTUAL: []}
    positional: list[tuple[str, int]] = []
    for row in rows:
        slot = None
        for cell in row.values:
            key = label_key(cell)
            if key in _SLOT_LABELS:
                slot = _SLOT_LABELS[key]
            elif key in _BLOCK_LABELS:
                continue
            elif slot is not None:
                hinted[slot].append(cell)
            else:
                positional.append((cell, row.line))
    goals = _from_positions(positional)
    if hinted[EXPECTED]:
        goals.expected = " ".join(hinted[EXPECTED])
    if hinted[ACTUAL]:
        goals.actual = " ".join(hinted[ACTUAL])
    return goals


def _from_positions(pieces: list[tuple[str, int]]) -> Goals:
    """Texts with no label before them on their row: expected first, then actual."""
    texts = [text for text, _ in pieces]
    if not texts:
        return Goals()
    if len(texts) == 1:
        return Goals(expected=texts[0])
    if len(texts) == 2:
        return Goals(expected=texts[0], actual=texts[1])
    note = ParseNote(
        "goal_split_guessed",
        f"年度总体目标 arrived in {len(texts)} pieces; the last is taken as 实际完成情况, "
        "the others as 预期目标",
        pieces[0][1],
    )
    return Goals(expected=" ".join(texts[:-1]), actual=texts[-1], notes=[note])
