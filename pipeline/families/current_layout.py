"""Placing unlabelled indicator rows by where the category labels sit (current
template): when the labels are printed inside their spans (centred) rather than at
their tops, every run of unlabelled rows between two labels is cut where the labels
printed once come out centred in their spans and the names' keywords agree.
``current_labels`` decides when this applies (see its docstring).
"""

from __future__ import annotations

from pipeline.families.current_groups import Group, keyword_categories, moved_note
from pipeline.families.current_rows import Entry, PrintedRow
from pipeline.records import ParseNote
from pipeline.vocabulary import TEMPLATE_CURRENT, level1_label, level2_label, parent_of


def centred_layout(entries: list[Entry], anchor_indexes: list[int]) -> bool:
    """True when the labels are printed inside their spans, not at their tops:
    an indicator row precedes the table's first label.

    A level-1 label printed alone inside a running level-2 group is no such
    evidence: it shows only that level-1 label mid-span, the level-2 labels may
    still sit at the tops of theirs."""
    first_row = next((i for i, e in enumerate(entries) if isinstance(e, PrintedRow)), None)
    return bool(anchor_indexes) and first_row is not None and first_row < anchor_indexes[0]


def _positions(entries: list[Entry]) -> dict[int, float]:
    """Vertical position of every entry: indicator rows count 0, 1, 2, ...; a
    label-only row sits half a row above the indicator row after it."""
    positions: dict[int, float] = {}
    count = 0
    for index, entry in enumerate(entries):
        if isinstance(entry, PrintedRow):
            positions[index] = count
            count += 1
        else:
            positions[index] = count - 0.5
    return positions


def _label_position(entries: list[Entry], positions: dict[int, float], level: int, label: str) -> float | None:
    """Position of the single entry printing ``label`` (None: printed never or more than once)."""
    found = []
    for index, entry in enumerate(entries):
        raw = entry.level1_raw if level == 1 else entry.level2_raw
        lookup = level1_label if level == 1 else level2_label
        if raw and lookup(raw, TEMPLATE_CURRENT) == label:
            found.append(positions[index])
    return found[0] if len(found) == 1 else None


def _centred(position: float, span: tuple[float, float] | None, rounding: str) -> bool:
    """True when a label at ``position`` sits in the middle of ``span``. A span of an
    even number of rows has no middle row: the label then sits on the row just
    above the middle (``floor``) or just below it (``ceil``); ``either`` accepts both."""
    if span is None:
        return False
    middle = (span[0] + span[1]) / 2
    if position != int(position) or middle == int(middle):
        return position == middle
    offset = position - middle
    return {"floor": offset == -0.5, "ceil": offset == 0.5}.get(rounding, abs(offset) == 0.5)


def _label_spans(entries: list[Entry], positions: dict[int, float]) -> list[tuple[int, Group, float]]:
    """(level, group, position) of every category label printed exactly once."""
    out: list[tuple[int, Group, float]] = []
    seen: set[tuple[int, str]] = set()
    for entry in entries:
        for level, raw, lookup in ((1, entry.level1_raw, level1_label), (2, entry.level2_raw, level2_label)):
            label = lookup(raw, TEMPLATE_CURRENT) if raw else None
            if label is None or (level, label) in seen:
                continue
            seen.add((level, label))
            position = _label_position(entries, positions, level, label)
            if position is not None:
                parent = label if level == 1 else parent_of(label, TEMPLATE_CURRENT)
                out.append((level, Group(parent, label if level == 2 else None, None, None), position))
    return out


def place_by_layout(
    entries: list[Entry],
    orphans: list[tuple[int | None, int | None, list[int]]],
    by_index: dict[int, Group],
    assigned: dict[int, Group],
    notes: list[ParseNote],
) -> dict[int, Group]:
    """Re-cut every run between two anchors by the centred-label evidence.

    The runs are cut top-down, again until no cut moves (a cut changes the spans
    the next cut is judged by). Spans of an even number of rows put the label on
    one side of the middle, the same side throughout a table: the side whose
    cuts centre more of the table's labels and agree with more names' keywords
    is used, either side when they tie.
    """
    positions = _positions(entries)
    between = [(by_index[u], by_index[l], run) for u, l, run in orphans if u is not None and l is not None]

    def settle(rounding: str) -> dict[int, Group]:
        current = dict(assigned)
        for _ in range(len(between) + 2):
            before = dict(current)
            for upper, lower, run in between:
                current.update(zip(run, _split_run_by_layout(entries, run, upper, lower, current, rounding, None)))
            if current == before:
                break
        return current

    labels = _label_spans(entries, positions)

    def fit(groups: dict[int, Group], rounding: str) -> int:
        centred = sum(_centred(pos, _span(groups, positions, level, group), rounding) for level, group, pos in labels)
        named = sum(g.level2 in keyword_categories(entries[i].name) for i, g in groups.items())
        return centred + named

    floor, ceil = fit(settle("floor"), "floor"), fit(settle("ceil"), "ceil")
    rounding = "floor" if floor > ceil else "ceil" if ceil > floor else "either"
    final = settle(rounding)
    for upper, lower, run in between:
        final.update(zip(run, _split_run_by_layout(entries, run, upper, lower, final, rounding, notes)))
    return final


def _span(groups: dict[int, Group], positions: dict[int, float], level: int, group: Group) -> tuple[float, float] | None:
    key = (group.level1,) if level == 1 else (group.level1, group.level2)
    rows = [positions[i] for i, g in groups.items() if ((g.level1,) if level == 1 else (g.level1, g.level2)) == key]
    return (min(rows), max(rows)) if rows else None


def _split_run_by_layout(
    entries: list[Entry],
    run: list[int],
    upper: Group,
    lower: Group,
    assigned: dict[int, Group],
    rounding: str,
    notes: list[ParseNote] | None,
) -> list[Group]:
    """Cut a run between two anchors where the labels sit centred in their spans.

    Each cut (rows above it to the upper group, the rest to the lower one) is
    scored by the evidence: one point per level-2 / level-1 label of the two
    groups that is centred in the span the cut gives it (the label printed once,
    the level-1 labels only when the run lies on a level-1 boundary), one point
    per row whose name's keywords point to the group it joins. The best cut
    wins; when several cuts tie, the rows they disagree on stay with the upper
    group (forward fill) and get a ``category_uncertain`` note.
    """
    if (upper.level1, upper.level2) == (lower.level1, lower.level2):
        return [upper] * len(run)
    positions = _positions(entries)
    levels = [2] if upper.level1 == lower.level1 else [1, 2]  # lists: Cython types int tuples as C tuples
    labels = []
    for group in (upper, lower):
        for level in levels:
            label = group.level1 if level == 1 else group.level2
            position = _label_position(entries, positions, level, label) if label else None
            if position is not None:
                labels.append((level, group, position))
    hints = [keyword_categories(entries[i].name) for i in run]

    def score(cut: int) -> int:
        trial = dict(assigned)
        trial.update({i: upper for i in run[:cut]})
        trial.update({i: lower for i in run[cut:]})
        points = sum(upper.level2 in h for h in hints[:cut]) + sum(lower.level2 in h for h in hints[cut:])
        for level, group, position in labels:
            span = _span(trial, positions, level, group)
            points += _centred(position, span, rounding)
        return points

    scores = [score(cut) for cut in range(len(run) + 1)]
    tied = [cut for cut, points in enumerate(scores) if points == max(scores)]
    cut = max(tied)
    if notes is None:
        return [upper] * cut + [lower] * (len(run) - cut)
    for i in run[cut:]:
        notes.append(moved_note(
            "orphan_row_assigned_by_layout", entries[i], lower,
            "the labels sit inside their spans, not at their tops, and this cut centres them best"
            + (" (its name's keywords fit it too)" if lower.level2 in hints[run.index(i)] else ""),
        ))
    for i in run[min(tied) : cut]:
        entry = entries[i]
        name = entry.name if isinstance(entry, PrintedRow) else ""
        notes.append(ParseNote(
            "category_uncertain",
            f"row {name} prints no category and may belong to {upper.level2 or upper.level1} above it or "
            f"{lower.level2 or lower.level1} below it (neither the labels' layout nor its name decides); "
            f"kept with {upper.level2 or upper.level1}",
            entry.line,
        ))
    return [upper] * cut + [lower] * (len(run) - cut)
