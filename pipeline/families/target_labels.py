"""Category labels of the target grid: the vocabulary they come from, labels a
hard wrap split, the level-2 categories names' keywords point to, and the
GridReader rules that take labels off rows and give rows printing no category
their group (orphan rows, centred labels).
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.document import Row
from pipeline.families.target_cells import looks_like_target
from pipeline.records import IndicatorRecord, ParseNote, ReportRejected
from pipeline.text import label_key
from pipeline.vocabulary import (
    CURRENT_TREE,
    LEGACY_TREE,
    TARGET_TREE,
    TEMPLATE_TARGET,
    level1_label,
    level2_label,
    only_level2,
    parent_of,
)

#: Every level-1 and level-2 label of the template, as label keys.
_LABEL_KEYS = {label_key(label) for parent, children in TARGET_TREE.items() for label in (parent, *children)}

_LEVEL2_LABELS = {child for children in TARGET_TREE.values() for child in children}

#: Name fragments that point to a level-2 category: the label itself (without a
#: national 指标 suffix), and a few words that name the category (kept small on
#: purpose; each also points to its national 指标 form).
_WORDS: tuple[tuple[str, str], ...] = (
    ("财务", "财务管理"),
    ("资产", "资产管理"),
    ("满意", "满意度"),
    ("满意", "服务对象满意度指标"),
    ("及时", "时效"),
    ("按时", "时效"),
    ("次数", "数量"),
    ("合格率", "质量"),
)
KEYWORDS: tuple[tuple[str, str], ...] = (
    tuple((child.removesuffix("指标"), child) for children in TARGET_TREE.values() for child in children)
    + _WORDS
    + tuple((word, f"{level2}指标") for word, level2 in _WORDS if f"{level2}指标" in _LEVEL2_LABELS)
)

INLINE, ABOVE = "inline", "above"


class CategoryLabels:
    """The label rules of GridReader (a mixin: it works on the reader's rows, context,
    open indicator, indicators, anchors and notes)."""

    # --- category labels ------------------------------------------------------

    def _peek_labels(self, row: Row) -> tuple[list[str], bool]:
        tokens = list(row.values)
        taken = 0
        while taken < len(tokens) and label_of(tokens[taken]) is not None:
            taken += 1
        return tokens[taken:], taken > 0

    def _take_labels(self, row: Row) -> tuple[list[str], bool]:
        tokens = list(row.values)
        taken: list[str] = []
        while tokens and label_of(tokens[0]) is not None:
            taken.append(tokens.pop(0))
        if taken and len(tokens) == 1 and looks_like_target(tokens[0]) and not self._awaits_target():
            tokens.insert(0, taken.pop())
            self.notes.append(
                ParseNote("name_equals_category_label", f"indicator named like a category: {tokens[0]!r}", row.line)
            )
        for label in taken:
            self._apply_label(label, row)
        return tokens, bool(taken)

    def _awaits_target(self) -> bool:
        return self.open is not None and self.open.target is None

    def _apply_label(self, text: str, row: Row) -> None:
        kind, canonical = label_of(text)
        ctx = self.context
        if kind == 1:
            if canonical == ctx.level1 != ctx.printed_level1 and ctx.level2 is not None:
                # its span began above it (level 1 so far derived from level 2): a centred label
                self.centred = True
            ctx.level1, ctx.level1_raw, ctx.printed_level1 = canonical, text, canonical
            ctx.level2 = ctx.level2_raw = None
            return
        parent = parent_of(canonical, TEMPLATE_TARGET)
        suffixed = f"{canonical}指标"
        if parent != ctx.printed_level1 and suffixed in TARGET_TREE.get(ctx.printed_level1 or "", ()):
            canonical, parent = suffixed, ctx.printed_level1  # 数量 under 产出指标: 数量指标
        ctx.level2, ctx.level2_raw = canonical, text
        if parent is not None and parent != ctx.printed_level1:
            self.notes.append(
                ParseNote(
                    "level1_inferred_from_level2",
                    f"level-2 {text!r} belongs to {parent!r}, printed level-1 is {ctx.printed_level1!r}",
                    row.line,
                )
            )
            ctx.level1, ctx.level1_raw = parent, None

    # --- rows that print no category --------------------------------------------

    def _resolve_unlabelled(self) -> None:
        """Categories of rows printed above their group's label.

        Rows before the first label take the label below them (their merged
        cell's label was printed lower in its span); with no label below at
        all the report is rejected. Once labels are known to sit inside their
        spans (rows above the first label, or a level-1 label printed below a
        row of its own group), the rows between a group and a label printed
        inline further down may belong to either: they are split at the cut
        that best fits the names' keywords, and rows kept above without such
        evidence get a ``category_uncertain`` note.
        """
        anchored = [i for i, kind in enumerate(self.anchors) if kind is not None]
        if not self.indicators:
            return
        first = anchored[0] if anchored else None
        if first is None:
            line = self.indicators[0].source_line
            raise ReportRejected(f"no category label before the first target row (line {line})", line)
        for index in range(first):
            self._assign(index, first, "orphan_row_assigned_to_next_label", "no label is printed above it")
            self.centred = True
        for upper, lower in zip(anchored, anchored[1:]):
            if self.anchors[lower] != INLINE or upper + 1 == lower:
                continue
            # top-aligned labels: only a level-2 label printed inline below rows of
            # the same level-1 group may sit mid-span; keywords must then show it
            if self.centred or self.indicators[upper].level1 == self.indicators[lower].level1:
                self._split_run(list(range(upper + 1, lower)), upper, lower)

    def _split_run(self, run: list[int], upper: int, lower: int) -> None:
        above, below = self.indicators[upper], self.indicators[lower]
        if (above.level1, above.level2) == (below.level1, below.level2):
            return
        hints = [keyword_categories(self.indicators[i].name) for i in run]

        def agreement(cut: int) -> int:
            return sum(above.level2 in h for h in hints[:cut]) + sum(below.level2 in h for h in hints[cut:])

        best_cut, best = len(run), agreement(len(run))
        for cut in range(len(run) - 1, -1, -1):
            if agreement(cut) > best:
                best_cut, best = cut, agreement(cut)
        for index in run[best_cut:]:
            self._assign(index, lower, "orphan_row_assigned_by_keyword", "its name's keywords fit it better")
        for index, hint in zip(run[:best_cut], hints[:best_cut]):
            if self.centred and above.level2 not in hint:
                ind = self.indicators[index]
                self.notes.append(
                    ParseNote(
                        "category_uncertain",
                        f"row {ind.name} prints no category and sits between labels "
                        f"{_group_text(above)} and {_group_text(below)}, which are printed inside their spans; "
                        f"kept under {_group_text(above)}",
                        ind.source_line,
                    )
                )

    def _complete_level2(self) -> None:
        """Rows with a level-1 category and no level-2 label (rule 5c): the category's only
        level-2 category if it has one, else level 2 left empty; noted either way."""
        for ind in self.indicators:
            if ind.level1 is None or ind.level2 is not None:
                continue
            ind.level2 = only_level2(TARGET_TREE, ind.level1)
            self.notes.append(
                ParseNote(
                    "level2_missing",
                    f"row {ind.name} has level-1 {ind.level1} and no level-2 label; "
                    + (f"level 2 set to its only category {ind.level2}" if ind.level2 else "level 2 left empty"),
                    ind.source_line,
                )
            )

    def _assign(self, index: int, source: int, code: str, why: str) -> None:
        ind, label = self.indicators[index], self.indicators[source]
        ind.level1, ind.level2, ind.level1_raw, ind.level2_raw = (
            label.level1,
            label.level2,
            label.level1_raw,
            label.level2_raw,
        )
        self.notes.append(
            ParseNote(
                code,
                f"row {ind.name} prints no category; assigned to the label below it ({_group_text(label)}) because {why}",
                ind.source_line,
            )
        )


def groups_after(level1: str | None) -> list[str]:
    """The level-1 groups its vocabulary lists after ``level1``."""
    for tree in (LEGACY_TREE, CURRENT_TREE):
        groups = list(tree)
        if level1 in groups:
            return groups[groups.index(level1) + 1 :]
    return []



def _group_text(ind: IndicatorRecord) -> str:
    return " / ".join(label for label in (ind.level1, ind.level2) if label) or "-"


def keyword_categories(name: str) -> set[str]:
    """Level-2 categories the name's keywords point to."""
    return {level2 for word, level2 in KEYWORDS if word in name}


@lru_cache(maxsize=1 << 14)
def _is_label_prefix(text: str) -> bool:
    key = label_key(text)
    return bool(key) and any(label.startswith(key) and label != key for label in _LABEL_KEYS)


def join_wrapped_labels(rows: list[Row], notes: list[ParseNote]) -> list[Row]:
    """Rejoin category labels that a hard wrap split (``投入与管`` + ``理``).

    The vocabulary is the evidence: the first cell after a row's labels is a
    strict prefix of a label, and the next row's first cell completes it.
    """
    out = list(rows)
    index = 0
    while index < len(out) - 1:
        row, following = out[index], out[index + 1]
        values = list(row.values)
        at = 0
        while at < len(values) and label_of(values[at]) is not None:
            at += 1
        if at < len(values) and _is_label_prefix(values[at]) and label_of(values[at] + following.values[0]):
            fragment, rest = following.values[0], following.values[1:]
            values[at] += fragment
            out[index] = Row(row.line, row.text, row.form, tuple(values))
            notes.append(
                ParseNote("category_label_wrapped", f"category label continues on the next line: {fragment!r}", following.line)
            )
            if rest:
                out[index + 1] = Row(following.line, following.text, following.form, tuple(rest))
            else:
                del out[index + 1]
                continue  # the joined row may hold another wrapped label
        index += 1
    return out


def label_of(text: str) -> tuple[int, str] | None:
    """(1, canonical) for a level-1 label, (2, canonical) for a level-2 label."""
    level1 = level1_label(text, TEMPLATE_TARGET)
    if level1 is not None:
        return 1, level1
    level2 = level2_label(text, TEMPLATE_TARGET)
    if level2 is not None:
        return 2, level2
    return None
