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
  (``current_layout.place_by_layout``); a moved row gets ``orphan_row_assigned_by_layout``,
  and rows no evidence places stay with the group above them with a
  ``category_uncertain`` note.
"""

from __future__ import annotations

from pipeline.families.current_groups import NO_GROUP, Group, keyword_categories, moved_note
from pipeline.families.current_layout import centred_layout, place_by_layout
from pipeline.families.current_rows import Entry, PrintedRow
from pipeline.records import ParseNote
from pipeline.vocabulary import CURRENT_TREE, TEMPLATE_CURRENT, level1_label, level2_label, only_level2, parent_of


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
    centred = centred_layout(entries, [i for i, _ in anchors])
    run_notes: list[ParseNote] = []
    for upper, lower, run in orphans:
        if upper is None and lower is None:
            groups = [NO_GROUP] * len(run)
        elif upper is None:
            groups = [by_index[lower]] * len(run)
            notes.extend(
                moved_note("orphan_row_assigned_to_next_label", entries[i], by_index[lower], "no label is printed above it")
                for i in run
            )
        elif lower is None:
            groups = [by_index[upper]] * len(run)
        else:
            groups = _split_run(entries, run, by_index[upper], by_index[lower], run_notes if not centred else [])
        assigned.update(zip(run, groups))
    if centred:
        assigned = place_by_layout(entries, orphans, by_index, assigned, run_notes)
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
    current = NO_GROUP
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
        notes.append(moved_note("orphan_row_assigned_by_keyword", entries[i], lower, "its name's keywords fit it better"))
    return [upper] * best_cut + [lower] * (len(run) - best_cut)
