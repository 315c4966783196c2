"""Resolve every indicator row's level-1 / level-2 categories (current template).

Category labels sit in merged cells, so most rows print none and inherit one.
Rules, all general:

* A row printing a label is an *anchor*; its group is fixed by what it prints.
  Level 1 always follows from level 2 (``parent_of``): when the printed or
  inherited level-1 label disagrees, level 2 wins and a ParseNote records it.
* Unlabelled rows after the last anchor inherit its group (forward fill).
* Unlabelled rows between two anchors of the same level-1 group are ambiguous:
  a merged cell's label may be printed anywhere in its span (centred, or pushed
  below a page break). They are split between the upper and the lower group at
  the single cut point that maximizes agreement of indicator names with level-2
  keywords (``KEYWORDS``); ties go to forward fill. Rows moved to the lower
  group get a ParseNote. Keywords are only evidence inside such a run: they
  never move a row across a level-1 boundary (the lower anchor's level 1
  differs), where the rows are forward filled.
* A row printing only the level-1 label it already inherits (the level-1
  merged cell's label centred in its span) is no level-2 anchor: it joins the
  run of unlabelled rows around it, keeping its printed level-1 label.
* Unlabelled rows before the first anchor belong to it (its label was printed
  lower in the span).
* Such rows are also evidence of the layout: the labels sit inside their spans
  (centred), not at their tops. In such a table every run between two anchors,
  across a level-1 boundary too, is cut where the labels printed once come out
  centred in their spans and the names' keywords agree
  (``_place_by_layout``); a moved row gets ``orphan_row_assigned_by_layout``,
  and rows no evidence places stay with the group above them with a
  ``category_uncertain`` note.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.families.current_rows import Entry, PrintedRow
from pipeline.records import ParseNote
from pipeline.vocabulary import CURRENT_TREE, TEMPLATE_CURRENT, level1_label, level2_label, only_level2, parent_of

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


_NO_GROUP = Group(None, None, None, None)


def keyword_categories(name: str) -> set[str]:
    """Level-2 categories the name's keywords point to."""
    return {level2 for word, level2 in KEYWORDS if word in name}


def resolve_groups(entries: list[Entry]) -> tuple[dict[int, Group], list[ParseNote]]:
    """Group of every PrintedRow (keyed by its index in ``entries``) and the notes."""
    notes: list[ParseNote] = []
    anchors = _anchor_groups(entries, notes)
    assigned: dict[int, Group] = {}
    for index, group in anchors:
        if isinstance(entries[index], PrintedRow):
            assigned[index] = group
    weak = _weak_anchors(entries, anchors)
    anchors = [(i, g) for i, g in anchors if i not in weak]
    assigned = {i: g for i, g in assigned.items() if i not in weak}
    orphans = _orphan_runs(entries, [i for i, _ in anchors])
    by_index = dict(anchors)
    centred = _centred_layout(entries, [i for i, _ in anchors])
    run_notes: list[ParseNote] = []
    for upper, lower, run in orphans:
        if upper is None and lower is None:
            groups = [_NO_GROUP] * len(run)
        elif upper is None:
            groups = [by_index[lower]] * len(run)
            notes.extend(
                _moved_note("orphan_row_assigned_to_next_label", entries[i], by_index[lower], "no label is printed above it")
                for i in run
            )
        elif lower is None:
            groups = [by_index[upper]] * len(run)
        else:
            groups = _split_run(entries, run, by_index[upper], by_index[lower], run_notes if not centred else [])
        assigned.update(zip(run, groups))
    if centred:
        assigned = _place_by_layout(entries, orphans, by_index, assigned, run_notes)
    notes.extend(run_notes)
    for index in weak:
        if index in assigned:  # keeps the level-1 label it prints
            group = assigned[index]
            assigned[index] = Group(group.level1, group.level2, entries[index].level1_raw, group.level2_raw)
    return assigned, notes


def _weak_anchors(entries: list[Entry], anchors: list[tuple[int, Group]]) -> set[int]:
    """Entries printing only the level-1 label of the group they inherit (no level 2)."""
    weak: set[int] = set()
    previous: Group | None = None
    for index, group in anchors:
        entry = entries[index]
        if (
            previous is not None
            and entry.level2_raw is None
            and previous.level2 is not None
            and group.level1 == previous.level1
            and group.level2 == previous.level2
        ):
            weak.add(index)
        else:
            previous = group
    return weak


def _anchor_groups(entries: list[Entry], notes: list[ParseNote]) -> list[tuple[int, Group]]:
    """(index, group) of every entry printing a label, with inherited labels applied."""
    anchors: list[tuple[int, Group]] = []
    current = _NO_GROUP
    for index, entry in enumerate(entries):
        if not entry.has_labels:
            continue
        current = _group_at(entry, current, notes)
        anchors.append((index, current))
    return anchors


def _group_at(entry: Entry, carried: Group, notes: list[ParseNote]) -> Group:
    level1 = level1_label(entry.level1_raw, TEMPLATE_CURRENT) if entry.level1_raw else None
    level2 = level2_label(entry.level2_raw, TEMPLATE_CURRENT) if entry.level2_raw else None
    if level2 is not None:
        return _from_level2(entry, level1, level2, carried, notes)
    return _from_level1(entry, level1, carried, notes)


def _from_level2(entry: Entry, level1: str | None, level2: str, carried: Group, notes: list[ParseNote]) -> Group:
    parent = parent_of(level2, TEMPLATE_CURRENT)
    if level1 is not None and level1 != parent:
        notes.append(ParseNote(
            "level1_inconsistent_with_level2",
            f"printed level-1 {entry.level1_raw} does not hold level-2 {level2}; level 1 set to {parent}",
            entry.line,
        ))
        return Group(parent, level2, None, entry.level2_raw)
    if level1 is not None:
        return Group(parent, level2, entry.level1_raw, entry.level2_raw)
    if carried.level1 == parent:
        return Group(parent, level2, carried.level1_raw, entry.level2_raw)
    notes.append(ParseNote(
        "level1_derived_from_level2",
        f"level-2 {entry.level2_raw} printed without its level-1 label (possibly in the level-1 column); "
        f"level 1 set to {parent}" + (f" instead of the inherited {carried.level1}" if carried.level1 else ""),
        entry.line,
    ))
    return Group(parent, level2, None, entry.level2_raw)


def _from_level1(entry: Entry, level1: str | None, carried: Group, notes: list[ParseNote]) -> Group:
    if level1 is None:  # pragma: no cover - has_labels guarantees a label
        return carried
    if carried.level2 is not None and carried.level1 == level1:
        return Group(level1, carried.level2, entry.level1_raw, carried.level2_raw)
    only_child = only_level2(CURRENT_TREE, level1)
    notes.append(ParseNote(
        "level2_missing",
        f"level-1 {entry.level1_raw} printed without a level-2 label"
        + (f"; level 2 set to its only category {only_child}" if only_child else ""),
        entry.line,
    ))
    return Group(level1, only_child, entry.level1_raw, None)


def _orphan_runs(entries: list[Entry], anchor_indexes: list[int]) -> list[tuple[int | None, int | None, list[int]]]:
    """Runs of unlabelled rows with the anchors above and below them."""
    runs: list[tuple[int | None, int | None, list[int]]] = []
    upper: int | None = None
    run: list[int] = []
    anchor_set = set(anchor_indexes)
    for index, entry in enumerate(entries):
        if index in anchor_set:
            if run:
                runs.append((upper, index, run))
            upper, run = index, []
        elif isinstance(entry, PrintedRow):
            run.append(index)
    if run:
        runs.append((upper, None, run))
    return runs


def _split_run(entries: list[Entry], run: list[int], upper: Group, lower: Group, notes: list[ParseNote]) -> list[Group]:
    """Assign a run between two anchors at the cut that best fits the names' keywords."""
    if upper.level2 == lower.level2 or upper.level1 != lower.level1:
        return [upper] * len(run)  # no cut to choose, or never across a level-1 boundary
    hints = [keyword_categories(entries[i].name) for i in run]

    def agreement(cut: int) -> int:
        above = sum(upper.level2 in h for h in hints[:cut])
        below = sum(lower.level2 in h for h in hints[cut:])
        return above + below

    best_cut, best = len(run), agreement(len(run))
    for cut in range(len(run) - 1, -1, -1):
        score = agreement(cut)
        if score > best:
            best_cut, best = cut, score
    for i in run[best_cut:]:
        notes.append(_moved_note("orphan_row_assigned_by_keyword", entries[i], lower, "its name's keywords fit it better"))
    return [upper] * best_cut + [lower] * (len(run) - best_cut)


def _centred_layout(entries: list[Entry], anchor_indexes: list[int]) -> bool:
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


def _place_by_layout(
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
        notes.append(_moved_note(
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


def _moved_note(code: str, entry: Entry, lower: Group, why: str) -> ParseNote:
    name = entry.name if isinstance(entry, PrintedRow) else ""
    return ParseNote(
        code,
        f"row {name} prints no category; assigned to the label below it ({lower.level2 or lower.level1}) because {why}",
        entry.line,
    )
