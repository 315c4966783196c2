"""The target grid of a 财政项目支出绩效目标表: 一级目标 / 二级目标 / 三级目标 / 指标目标值.

Rows are read by content, never by column position, so the grid parses the
same whether it came as tab cells, markdown pipes or space-separated PDF text
(where the empty level cells of merged spans vanish).

Rules, applied to every content row of the grid (blank lines never matter):

1. **Category labels by vocabulary.** Leading cells that are level-1 labels
   (投入与管理, 产出目标, ...) or level-2 labels (投入管理, 数量, 社会效益, ...) of
   either vocabulary a target table may print (``vocabulary.TARGET_TREE``:
   Shanghai's up to 2020 and the national 产出指标/数量指标, ...) are taken off
   the row, wherever the row puts
   them (own line, or first cells of an indicator row). A level-1 label resets
   the level-2 label; a level-2 label sets the level-1 category to its parent
   in the tree (``level1_inferred_from_level2`` note when the printed level-1
   label in effect disagrees or is missing). Under a national level-1 label a
   level-2 label printed without its 指标 suffix (数量) is read as that
   label's national child (数量指标). A row carrying a label always
   starts a new indicator. If taking the labels off would leave a lone target
   with no name waiting for it, the last label was in fact the indicator's name
   (``name_equals_category_label``).
2. **Rows with two or more cells** left: the last cell is the target (an
   operator printed in a cell of its own is glued back onto it), the cells
   before it the name. A unit printed in a cell of its own after a bare
   number is glued back onto it too (``巡查频次 1 次/季度`` -> name
   ``巡查频次``, target ``1次/季度``). Exception: when the open indicator
   still has no target, the cells before the target *continue its name* (a
   name wrapped with the target printed beside its last line).
3. **Rows with one cell** ``t``:

   a. ``t`` continues the open indicator's target (``continues_target``):
      the target ends in a digit or operator and ``t`` is a bare number
      and/or a unit (``≤9`` + ``0分钟`` -> ``≤90分钟``); or the target is
      composite text (``响应时间：≤30分钟``) and ``t`` is its wrapped rest:
      it starts with clause punctuation (``内，处置时间≤2小时`` starts with a
      CJK char but is composite text not opening with an operator), or is
      a measure completing a last clause that has no number yet. A
      multi-cell row starting with clause punctuation continues it too;
   b. the open indicator has no target yet: ``t`` is its target when it looks
      like one (a measure, an operator anywhere, or a known qualitative word),
      else it continues the name (``...可持续发展的需`` + ``求``);
   c. ``t`` looks like a target but nothing waits for one: dropped with an
      ``orphan_target_ignored`` note;
   d. otherwise ``t`` is name text after a complete indicator. Look ahead over
      the following one-cell, non-target rows: if that run ends in a one-cell
      target row, ``t`` starts a new indicator; else ``t`` continues the name
      of the indicator before (name wrapped under a target printed on the first
      line).

4. **Wrapped labels.** Before anything else, a cell that is a strict prefix
   of a vocabulary label and whose next line's first cell completes it is
   rejoined (``投入与管`` + ``理``; ``category_label_wrapped``).
5. **Rows printing no category** (resolved after the pass):

   a. rows before the first label take the label below them (a centred merged
      cell: ``orphan_row_assigned_to_next_label``); a grid with no label at
      all is rejected, naming the first row's line;
   b. labels are known to be centred in their spans when 5a happened or a
      level-1 label is printed below a row of its own group. Then the rows
      between a group and a label printed inline below may belong to either:
      they are split at the cut that best fits the names' keywords
      (``KEYWORDS``; ``orphan_row_assigned_by_keyword``), and rows kept above
      without keyword evidence get a ``category_uncertain`` note. With
      top-aligned labels only keyword evidence within one level-1 group moves
      a row, and always with a note.

6. **The grid's end.** Nothing is printed below a complete grid (the report
   ends, or the next one begins), so a cut-off grid shows only in what it
   holds: a last indicator with a name but no target (or a bare operator) was
   cut mid-row and the report is rejected; a level-1 group of the template
   vocabulary that would follow the last one printed (影响力目标 after
   产出目标), or a label with no row under it, leaves a
   ``grid_may_be_cut_off`` note.

Every join of wrapped pieces is recorded as a ParseNote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.document import Row
from pipeline.numbers import parse_measure
from pipeline.records import IndicatorRecord, ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import (
    CURRENT_TREE,
    KNOWN_UNITS,
    LEGACY_TREE,
    MISSPELLINGS,
    TARGET_TREE,
    TEMPLATE_TARGET,
    level1_label,
    level2_label,
    parent_of,
)

#: Qualitative target words (DOMAIN-RULES §3) that let a one-cell row be read as a target.
QUALITATIVE_TARGETS = {
    "合理", "健全", "有效", "规范", "合规", "完备", "可控", "及时", "及时性", "建立", "制定并执行",
    "有效保障", "可持续", "提高", "提升", "整洁有序", "达标", "完成", "按时完成", "准确", "良好",
}
_OPERATOR_CHARS = set("≥≤=<>＜＞＝≦≧")
_UNITS = {label_key(u) for u in KNOWN_UNITS} | {"%", "％"}
#: Punctuation that ends or joins clauses: a cell never starts with it.
_CLAUSE_PUNCTUATION = set("，,、；;。：:）)")
_CLAUSE_SPLIT = re.compile(r"[，,、；;。：:]")

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

_INLINE, _ABOVE = "inline", "above"


def is_operator(text: str) -> bool:
    return bool(text) and all(ch in _OPERATOR_CHARS for ch in text)


def looks_like_target(text: str) -> bool:
    """A measure (``>98%``, ``=1``), a composite with an operator, or a qualitative word."""
    if parse_measure(text).value is not None:
        return True
    if any(ch in _OPERATOR_CHARS for ch in text):
        return True
    key = label_key(text)
    return key in QUALITATIVE_TARGETS or key in MISSPELLINGS


def continues_target(target: str, fragment: str) -> bool:
    """Is ``fragment`` the wrapped rest of ``target``?

    Either a number or unit cut off a measure (``≤9`` + ``0分钟``), or the rest
    of a composite text target (``响应时间：≤30分钟`` + ``内，处置时间≤2小时``).
    """
    if not target or not fragment:
        return False
    if _continues_text_target(target, fragment):
        return True
    if not (target[-1].isdigit() or target[-1] in _OPERATOR_CHARS or target[-1] == "."):
        return False
    if label_key(fragment) in _UNITS:
        return target[-1].isdigit()
    measure = parse_measure(fragment)
    return (
        fragment[0].isdigit()
        and measure.value is not None
        and measure.operator is None
        and (measure.unit is None or label_key(measure.unit) in _UNITS)
    )


def is_unit_like(text: str) -> bool:
    """A unit printed alone: a known unit (``次``, ``%``), bracketed (``(人)``), or a
    known unit per period (``次/季度``, ``人次/年``)."""
    key = label_key(text)
    if not key or any(ch.isdigit() for ch in key):
        return False
    if key.startswith("(") and key.endswith(")"):
        key = key[1:-1]
    head, slash, tail = key.partition("/")
    return head in _UNITS and (not slash or (0 < len(tail) <= 2 and not any(ch in _OPERATOR_CHARS for ch in tail)))


def glue_split_measure(tokens: list[str]) -> list[str]:
    """``[..., "1", "次/季度"]`` -> ``[..., "1次/季度"]``: a bare number (with or
    without its operator) followed by a unit in a cell of its own is one target."""
    if len(tokens) < 2 or not is_unit_like(tokens[-1]):
        return tokens
    number = parse_measure(tokens[-2])
    if number.value is None or number.unit is not None or not tokens[-2][-1].isdigit():
        return tokens
    return [*tokens[:-2], tokens[-2] + tokens[-1]]


def is_composite_text(text: str) -> bool:
    """A target written as text around its measures (``响应时间：≤30分钟``): neither
    a plain measure nor a qualitative word, but holding an operator."""
    if parse_measure(text).value is not None:
        return False
    key = label_key(text)
    if key in QUALITATIVE_TARGETS or key in MISSPELLINGS:
        return False
    return any(ch in _OPERATOR_CHARS for ch in text)


def _continues_text_target(target: str, fragment: str) -> bool:
    """The wrapped rest of a composite text target.

    The fragment continues it when it cannot open a cell (it starts with
    clause punctuation), when it is itself composite text that does not start
    with an operator (``间≤4小时``: the middle of a clause), or when it is a
    measure completing the target's last clause, which names a measure but
    holds no number yet (``…处置时间`` + ``≤2小时``).
    """
    if not is_composite_text(target):
        return False
    if fragment[0] in _CLAUSE_PUNCTUATION:
        return True
    if is_composite_text(fragment) and fragment[0] not in _OPERATOR_CHARS:
        return True
    last_clause = _CLAUSE_SPLIT.split(target)[-1]
    return (
        parse_measure(fragment).value is not None
        and fragment[0] in _OPERATOR_CHARS
        and bool(last_clause)
        and not any(ch.isdigit() or ch in _OPERATOR_CHARS for ch in last_clause)
    )


@dataclass
class _Open:
    """An indicator being assembled from one or more rows."""

    line: int
    level1: str | None
    level2: str | None
    level1_raw: str | None
    level2_raw: str | None
    name_parts: list[str] = field(default_factory=list)
    target_parts: list[str] = field(default_factory=list)
    last_line: int = 0
    anchor: str | None = None  # labels printed on its first row (inline) or on own lines above it

    @property
    def target(self) -> str | None:
        return join_wrapped(self.target_parts) or None


@dataclass
class _Context:
    """The category labels in effect."""

    level1: str | None = None
    level2: str | None = None
    level1_raw: str | None = None
    level2_raw: str | None = None
    printed_level1: str | None = None  # the last level-1 label printed


class GridReader:
    """Turns the grid's content rows into IndicatorRecords."""

    def __init__(self, rows: list[Row]):
        self.notes: list[ParseNote] = []
        self.rows = join_wrapped_labels([r for r in rows if r.values], self.notes)
        self.context = _Context()
        self.open: _Open | None = None
        self.indicators: list[IndicatorRecord] = []
        self.anchors: list[str | None] = []  # parallel to indicators
        self.pending_anchor: str | None = None
        self.centred = False  # evidence that labels sit inside (not atop) their spans

    def read(self) -> tuple[list[IndicatorRecord], list[ParseNote]]:
        for index, row in enumerate(self.rows):
            self._feed(index, row)
        self._close()
        self._check_end()
        self._resolve_unlabelled()
        self.notes.sort(key=lambda note: note.source_line)
        return self.indicators, self.notes

    def _check_end(self) -> None:
        """Evidence that the grid was cut off (rule 6)."""
        if not self.indicators:
            return
        last = self.indicators[-1]
        end = self.rows[-1].line
        if last.target_raw is None or is_operator(last.target_raw):
            raise ReportRejected(
                f"target grid cut off mid-row: its last indicator {last.name!r} (line {last.source_line}) "
                f"has no target value and nothing follows it",
                last.source_line_end or last.source_line,
            )
        if self.pending_anchor is not None:
            self.notes.append(
                ParseNote(
                    "grid_may_be_cut_off",
                    f"the target grid ends with a category label and no target row under it "
                    f"({_group_text_of(self.context)}); rows may be missing",
                    end,
                )
            )
            return
        missing = _groups_after(last.level1)
        if missing:
            self.notes.append(
                ParseNote(
                    "grid_may_be_cut_off",
                    f"the target grid ends (line {end}) in group {last.level1!r}; the template's later "
                    f"group(s) {'、'.join(missing)} are not printed - the report may be cut off",
                    end,
                )
            )

    # --- one row ---------------------------------------------------------------

    def _feed(self, index: int, row: Row) -> None:
        tokens, labelled = self._take_labels(row)
        tokens = glue_split_measure(tokens)
        if labelled:
            self._close()
            self.pending_anchor = _INLINE if tokens else _ABOVE
        if not tokens:
            return
        if len(tokens) >= 2:
            self._multi_cell_row(tokens, row, labelled)
        else:
            self._one_cell_row(tokens[0], index, row, labelled)

    def _multi_cell_row(self, tokens: list[str], row: Row, labelled: bool) -> None:
        cut = len(tokens) - 1
        if cut >= 2 and is_operator(tokens[cut - 1]):
            cut -= 1
        name, target = " ".join(tokens[:cut]), "".join(tokens[cut:])
        current = self.open
        if (
            current is not None
            and current.target is not None
            and not labelled
            and tokens[0][0] in _CLAUSE_PUNCTUATION
            and continues_target(current.target, tokens[0])
        ):
            self._continue_target(" ".join(tokens), row)
            return
        if self.open is not None and self.open.target is None and not labelled:
            self._extend_name(name, row)
            self.open.target_parts.append(target)
            self.open.last_line = row.line
            return
        self._close()
        self._start(row, name)
        self.open.target_parts.append(target)

    def _one_cell_row(self, token: str, index: int, row: Row, labelled: bool) -> None:
        current = self.open
        if current is not None and current.target is not None and continues_target(current.target, token):
            self._continue_target(token, row)
        elif current is not None and current.target is None:
            if looks_like_target(token):
                current.target_parts.append(token)
                current.last_line = row.line
            else:
                self._extend_name(token, row)
        elif looks_like_target(token):
            self.notes.append(
                ParseNote("orphan_target_ignored", f"target {token!r} has no indicator name before it", row.line)
            )
        elif current is not None and not labelled and not self._starts_new_indicator(index):
            self._extend_name(token, row)
        else:
            self._close()
            self._start(row, token)

    def _starts_new_indicator(self, index: int) -> bool:
        """Do the one-cell name rows from ``index`` on end in a one-cell target row?"""
        for row in self.rows[index + 1 :]:
            tokens, labelled = self._peek_labels(row)
            if labelled or len(tokens) != 1:
                return False
            if looks_like_target(tokens[0]):
                return True
        return False

    # --- category labels ------------------------------------------------------

    def _peek_labels(self, row: Row) -> tuple[list[str], bool]:
        tokens = list(row.values)
        taken = 0
        while taken < len(tokens) and _label_of(tokens[taken]) is not None:
            taken += 1
        return tokens[taken:], taken > 0

    def _take_labels(self, row: Row) -> tuple[list[str], bool]:
        tokens = list(row.values)
        taken: list[str] = []
        while tokens and _label_of(tokens[0]) is not None:
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
        kind, canonical = _label_of(text)
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

    # --- assembling indicators -------------------------------------------------

    def _start(self, row: Row, name: str) -> None:
        ctx = self.context
        self.open = _Open(
            row.line, ctx.level1, ctx.level2, ctx.level1_raw, ctx.level2_raw, [name], [], row.line, self.pending_anchor
        )
        self.pending_anchor = None

    def _continue_target(self, text: str, row: Row) -> None:
        self.open.target_parts.append(text)
        self.open.last_line = row.line
        self.notes.append(
            ParseNote("target_split_across_lines", f"target continues on the next line: {text!r}", row.line)
        )

    def _extend_name(self, text: str, row: Row) -> None:
        self.open.name_parts.append(text)
        self.open.last_line = row.line
        self.notes.append(ParseNote("name_split_across_lines", f"indicator name continues: {text!r}", row.line))

    def _close(self) -> None:
        current, self.open = self.open, None
        if current is None:
            return
        target = current.target
        if target is None:
            self.notes.append(ParseNote("target_missing", "indicator has no target value", current.line))
        elif label_key(target) in MISSPELLINGS:
            self.notes.append(
                ParseNote(
                    "misspelling_normalized",
                    f"target {target!r} is a misspelling of {MISSPELLINGS[label_key(target)]!r}; kept as printed",
                    current.last_line,
                )
            )
        measure = parse_measure(target)
        self.indicators.append(
            IndicatorRecord(
                seq=len(self.indicators) + 1,
                name=join_wrapped(current.name_parts),
                source_line=current.line,
                level1=current.level1,
                level2=current.level2,
                level1_raw=current.level1_raw,
                level2_raw=current.level2_raw,
                target_raw=target,
                target_operator=measure.operator,
                target_value=measure.value,
                target_unit=measure.unit,
                source_line_end=current.last_line if current.last_line > current.line else None,
            )
        )
        self.anchors.append(current.anchor)

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
            if self.anchors[lower] != _INLINE or upper + 1 == lower:
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


def _groups_after(level1: str | None) -> list[str]:
    """The level-1 groups its vocabulary lists after ``level1``."""
    for tree in (LEGACY_TREE, CURRENT_TREE):
        groups = list(tree)
        if level1 in groups:
            return groups[groups.index(level1) + 1 :]
    return []


def _group_text_of(ctx: _Context) -> str:
    return " / ".join(label for label in (ctx.level1, ctx.level2) if label) or "-"


def _group_text(ind: IndicatorRecord) -> str:
    return " / ".join(label for label in (ind.level1, ind.level2) if label) or "-"


def keyword_categories(name: str) -> set[str]:
    """Level-2 categories the name's keywords point to."""
    return {level2 for word, level2 in KEYWORDS if word in name}


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
        while at < len(values) and _label_of(values[at]) is not None:
            at += 1
        if at < len(values) and _is_label_prefix(values[at]) and _label_of(values[at] + following.values[0]):
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


def _label_of(text: str) -> tuple[int, str] | None:
    """(1, canonical) for a level-1 label, (2, canonical) for a level-2 label."""
    level1 = level1_label(text, TEMPLATE_TARGET)
    if level1 is not None:
        return 1, level1
    level2 = level2_label(text, TEMPLATE_TARGET)
    if level2 is not None:
        return 2, level2
    return None


def read_grid(rows: list[Row]) -> tuple[list[IndicatorRecord], list[ParseNote]]:
    """Indicators and layout notes from the content rows below the grid header."""
    return GridReader(rows).read()
