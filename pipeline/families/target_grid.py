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
      a row, and always with a note;
   c. a row under a level-1 label and no level-2 label (the first row of a
      group whose level-2 cell is blank) takes the level-1 category's only
      level-2 category if it has one, else keeps level 2 empty: nothing is
      guessed, the report is kept, and a ``level2_missing`` note names the row.

6. **The grid's end.** Nothing is printed below a complete grid (the report
   ends, or the next one begins), so a cut-off grid shows only in what it
   holds: a last indicator with a name but no target (or a bare operator) was
   cut mid-row and the report is rejected; a level-1 group of the template
   vocabulary that would follow the last one printed (影响力目标 after
   产出目标), or a label with no row under it, leaves a
   ``grid_may_be_cut_off`` note.

Every join of wrapped pieces is recorded as a ParseNote. This module holds the
reader (rules 2, 3 and 6); what a cell is lives in ``target_cells``, the label
rules (1, 4 and 5) in ``target_labels``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Row
from pipeline.families.target_cells import (
    CLAUSE_PUNCTUATION,
    continues_target,
    glue_split_measure,
    is_operator,
    looks_like_target,
)
from pipeline.families.target_labels import ABOVE, INLINE, CategoryLabels, groups_after, join_wrapped_labels
from pipeline.numbers import parse_measure
from pipeline.records import IndicatorRecord, ParseNote, ReportRejected
from pipeline.text import join_wrapped, label_key
from pipeline.vocabulary import MISSPELLINGS


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


class GridReader(CategoryLabels):
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
        self._complete_level2()
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
        missing = groups_after(last.level1)
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
            self.pending_anchor = INLINE if tokens else ABOVE
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
            and tokens[0][0] in CLAUSE_PUNCTUATION
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


def _group_text_of(ctx: _Context) -> str:
    return " / ".join(label for label in (ctx.level1, ctx.level2) if label) or "-"


def read_grid(rows: list[Row]) -> tuple[list[IndicatorRecord], list[ParseNote]]:
    """Indicators and layout notes from the content rows below the grid header."""
    return GridReader(rows).read()