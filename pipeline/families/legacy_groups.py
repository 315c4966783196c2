"""Assign indicators to level-1 groups using the points each group declares.

In the printed table a group label sits in a merged cell, so it can be printed
on any row of its span (top, middle, or after a page break). The groups are
consecutive runs in label order; each cut between two consecutive labels lies
somewhere between them. We choose the cuts so that every group's weights add
up to its declared points (``投入与管理 (36分)``), preferring the cut nearest
to plain forward fill. Rows above the first label belong to the first group.
When no choice of cuts matches the points, forward fill is kept and a note
says so.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.families.legacy_table import GroupLabel
from pipeline.numbers import parse_decimal
from pipeline.records import COMPONENT_TOTAL, IndicatorRecord, ParseNote, ScoreRecord


def merge_repeated_labels(labels: list[GroupLabel]) -> list[GroupLabel]:
    """A label printed again for the same group (e.g. after a page break) adds nothing."""
    merged: list[GroupLabel] = []
    for label in labels:
        if merged and merged[-1].name == label.name:
            if merged[-1].points is None:
                merged[-1].points = label.points
            continue
        merged.append(label)
    return merged


def forward_fill(count: int, labels: list[GroupLabel]) -> list[int | None]:
    """Group index of each indicator when every label is carried down (None above the first)."""
    groups: list[int | None] = []
    for index in range(count):
        group = None
        for position, label in enumerate(labels):
            if label.anchor <= index:
                group = position
        groups.append(group)
    return groups


def cuts_matching_points(weights: list[Decimal], labels: list[GroupLabel]) -> list[int] | None:
    """Start index of every group so that each group's weights sum to its points.

    Group k starts after the previous label's row and no later than its own
    label's row; the first group starts at 0. Among the solutions, the one
    closest to forward fill (latest cuts) wins. None when there is none.
    """
    count = len(weights)
    prefix = [Decimal(0)]
    for weight in weights:
        prefix.append(prefix[-1] + weight)
    failed: set[tuple[int, int]] = set()

    def fits(k: int, start: int, end: int) -> bool:
        points = labels[k].points
        return points is None or prefix[end] - prefix[start] == points

    def search(k: int, start: int) -> list[int] | None:
        if (k, start) in failed:
            return None
        if k == len(labels) - 1:
            return [start] if fits(k, start, count) else None
        lowest = max(labels[k].anchor + 1, start)
        for end in range(labels[k + 1].anchor, lowest - 1, -1):
            if fits(k, start, end):
                rest = search(k + 1, end)
                if rest is not None:
                    return [start, *rest]
        failed.add((k, start))
        return None

    return search(0, 0) if labels else None


def groups_from_cuts(count: int, starts: list[int]) -> list[int]:
    groups = []
    for index in range(count):
        groups.append(max(k for k, start in enumerate(starts) if start <= index))
    return groups


def assign_groups(indicators: list[IndicatorRecord], labels: list[GroupLabel]) -> tuple[list[int], list[ParseNote]]:
    """Set ``level1``/``level1_raw`` of every indicator.

    Returns the group index of every indicator and the repairs made.
    """
    if not labels or not indicators:
        return [], []
    weights = [ind.weight if ind.weight is not None else Decimal(0) for ind in indicators]
    filled = forward_fill(len(indicators), labels)
    starts = cuts_matching_points(weights, labels)
    notes: list[ParseNote] = []
    if starts is None:
        groups = [0 if g is None else g for g in filled]
        notes.append(_points_not_matched_note(labels))
    else:
        groups = groups_from_cuts(len(indicators), starts)
        notes.extend(_moved_rows_notes(indicators, labels, filled, groups))
    for indicator, group in zip(indicators, groups):
        indicator.level1 = labels[group].name
        indicator.level1_raw = labels[group].text
    return groups, notes


def _points_not_matched_note(labels: list[GroupLabel]) -> ParseNote:
    declared = ", ".join(f"{label.name} {label.points}" for label in labels)
    return ParseNote(
        "declared_points_not_matched",
        f"no grouping of the rows matches the declared group points ({declared}); labels carried forward",
        labels[0].line,
    )


def _moved_rows_notes(
    indicators: list[IndicatorRecord], labels: list[GroupLabel], filled: list[int | None], groups: list[int]
) -> list[ParseNote]:
    """One note per group that received rows printed above its label."""
    verified = all(label.points is not None for label in labels)
    code = "orphan_rows_assigned_by_declared_points" if verified else "orphan_rows_assigned_to_following_label"
    notes = []
    for position, label in enumerate(labels):
        moved = [ind for ind, f, g in zip(indicators, filled, groups) if g == position and f != position]
        if not moved:
            continue
        names = "、".join(ind.name for ind in moved)
        notes.append(
            ParseNote(
                code,
                f"{len(moved)} row(s) above the label '{label.text}' (line {label.line}) belong to it: {names}",
                moved[0].source_line,
            )
        )
    return notes


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def group_score_records(
    indicators: list[IndicatorRecord], labels: list[GroupLabel], groups: list[int]
) -> list[ScoreRecord]:
    """One ScoreRecord per level-1 group, in label order (``groups``: group index per indicator)."""
    scores = []
    for position, label in enumerate(labels):
        members = [ind for ind, group in zip(indicators, groups) if group == position]
        scores.append(
            ScoreRecord(
                component=label.name,
                source_line=label.line,
                max_points=label.points,
                weight_sum=_sum([ind.weight for ind in members]),
                score_sum=_sum([ind.score for ind in members]),
            )
        )
    return scores


def total_score_record(
    indicators: list[IndicatorRecord], line: int, weight_raw: str | None, score_raw: str | None
) -> ScoreRecord:
    return ScoreRecord(
        component=COMPONENT_TOTAL,
        source_line=line,
        max_points=parse_decimal(weight_raw),
        weight_sum=_sum([ind.weight for ind in indicators]),
        score_sum=_sum([ind.score for ind in indicators]),
        reported_score=parse_decimal(score_raw),
        reported_score_raw=score_raw,
    )
