"""Layout quirks of the indicator tables, applied as the seeds show them.

Each quirk keeps the evidence a careful reader (and a general parser) needs:

* a level-1 label printed in the middle of its span sits below rows whose
  level-2 label already names its parent;
* a 成本指标 label printed mid-span sits below rows whose names say 成本
  (seed 003C), sometimes with a page break in between;
* ``label_in_wrong_column``: a level-2 label slides into the level-1 column
  when the row lost its empty first cell (seed 003A), ``row_shifted_left`` /
  ``row_shifted_right``: a row lost or gained a leading empty cell (003B);
* page breaks between rows: a blank line (tab), a new table with an empty
  header row (pipe), runs of space-only lines (PDF text);
* ``name_split_across_page_break``: the tail of a name alone on the row after
  the break (seed 004B);
* ``level2_not_printed``: a level-1 group's first row, alone in its level-2
  span, prints its level-1 label and a blank level-2 cell; its level 2 is then
  the level-1 category's only one, or empty.
"""

from __future__ import annotations

import random

from pipeline.records import IndicatorRecord
from pipeline.synthetic import compose
from pipeline.synthetic.compose import Draft, FileStyle
from pipeline.synthetic.layout import PIPE, TAB, TEXT, Line, blank, page_break, row
from pipeline.vocabulary import CURRENT_TREE, TREES, achievement_status, level1_label, level2_label, only_level2


def padder(width: int):
    def pad(cells: list[str]) -> Line:
        return row(*cells, *[""] * (width - len(cells)))

    return pad


def looks_like_label(text: str) -> bool:
    """Could ``text`` alone be read as a category label or a status phrase?"""
    if achievement_status(text):
        return True
    return any(level1_label(text, t) or level2_label(text, t) for t in TREES)


def break_line(rng: random.Random, form: str, width: int) -> Line:
    """A page break between two table rows in ``form``."""
    if form == PIPE:
        return page_break(width=width)
    if form == TEXT:
        return page_break(filler=rng.choice((0, 0, rng.randint(20, 60))))
    return blank()


def spans(keys: list) -> list[tuple[int, int]]:
    """(start, length) of every run of equal consecutive keys."""
    out: list[tuple[int, int]] = []
    for i, key in enumerate(keys):
        if i and keys[i - 1] == key:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((i, 1))
    return out


def _label_rows(rng: random.Random, draft: Draft, indicators: list[IndicatorRecord]) -> tuple[dict, dict, set]:
    """Row index -> printed level-1 / level-2 label, and rows preceded by a page break."""
    l1_spans = spans([i.level1 for i in indicators])
    l2_spans = spans([(i.level1, i.level2) for i in indicators])
    l1_at = {start: start for start, _ in l1_spans}
    l2_at = {start: start for start, _ in l2_spans}
    breaks: set[int] = set()
    orphans: set[int] = set()  # rows printed above their own level-2 label
    l1_starts = {start for start, _ in l1_spans}
    for start, length in l2_spans:
        if indicators[start].level2 == "成本指标" and length >= 2 and start not in l1_starts and rng.random() < 0.35:
            l2_at[start] = start + rng.randint(1, length - 1)
            orphans.update(range(start, l2_at[start]))
            draft.quirks.add("cost_label_mid_span")
            if rng.random() < 0.5:
                breaks.add(l2_at[start])
    # one quirk per row: a level-1 label never lands on a row that is itself above its level-2 label
    candidates = [(s, [r for r in range(s + 1, s + n) if r not in orphans]) for s, n in l1_spans]
    candidates = [(s, rows) for s, rows in candidates if rows]
    if candidates and rng.random() < 0.15:
        start, rows = rng.choice(candidates)
        l1_at[start] = rng.choice(rows)
        draft.quirks.add("level1_label_mid_span")
    l1_rows = {at: indicators[s].level1 for s, at in l1_at.items()}
    l2_rows = {at: indicators[s].level2 for s, at in l2_at.items()}
    return l1_rows, l2_rows, breaks


def _printed(label: str, suffixless: bool) -> str:
    return label[: -len("指标")] if suffixless and label.endswith("指标") else label


def indicator_table(rng: random.Random, draft: Draft, fs: FileStyle, indicators: list[IndicatorRecord]) -> None:
    """The current template's indicator grid with its quirks, anchored to the truth records."""
    v = fs.variant
    extra, trailing = [""] if v["extra_col"] else [], [""] if v["trailing"] else []
    header = ["一级指标", "二级指标", "三级指标", *extra, "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析", *trailing]
    width = len(header)
    draft.add(row(*header))
    l1_rows, l2_rows, breaks = _label_rows(rng, draft, indicators)
    n = len(indicators)
    unprinted = _unprinted_level2(rng, indicators, l1_rows, l2_rows)
    if unprinted is not None:
        del l2_rows[unprinted]
        draft.quirks.add("level2_not_printed")
    if rng.random() < 0.3:
        breaks.update(rng.randint(1, n - 1) for _ in range(rng.randint(1, 2)))
        draft.quirks.add("page_break_in_table")
    # a name split across a page break: only where the name is the row's last text cell (no
    # deviation reason), as in seed 004B; otherwise the tail could continue either cell
    plain = [i for i, ind in enumerate(indicators) if not ind.deviation_reason and i != unprinted]
    split_at = rng.choice(plain) if plain and rng.random() < 0.08 else None
    split = compose.split_name(rng, indicators[split_at].name, looks_like_label) if split_at is not None else None
    shift_ok = fs.form in (TAB, PIPE)
    wrong_column = _pick(rng, [i for i in l2_rows if i not in l1_rows and i != split_at], 0.1 if shift_ok else 0)
    shift_right = _pick(rng, [i for i in range(n) if i not in (split_at, wrong_column, unprinted)],
                        0.1 if shift_ok else 0)
    in_wrong_span = False
    for i, ind in enumerate(indicators):
        if i in breaks and i:
            draft.add(break_line(rng, fs.form, width))
        l1 = _printed(l1_rows[i], v["suffixless"]) if i in l1_rows else ""
        l2 = _printed(l2_rows[i], v["suffixless"]) if i in l2_rows else ""
        name = split[0] if split and i == split_at else ind.name
        keep_extra = extra if not extra or rng.random() > 0.15 else []
        if extra and not keep_extra:
            draft.quirks.add("extra_column_missing")
        cells = [l1, l2, name, *keep_extra, ind.target_raw, ind.actual_raw, ind.weight_raw, ind.score_raw,
                 ind.deviation_reason or "", *trailing]
        if i in l2_rows:
            in_wrong_span = i == wrong_column
        if i == wrong_column:
            cells = cells[1:]
            draft.quirks.add("label_in_wrong_column")
        elif in_wrong_span and not l1 and not l2 and i != split_at and rng.random() < 0.5:
            cells = cells[1:]
            draft.quirks.add("row_shifted_left")
        if i == shift_right:
            cells = ["", *cells]
            draft.quirks.add("row_shifted_right")
        draft.add(row(*cells), ind)
        if split and i == split_at:
            draft.quirks.add("name_split_across_page_break")
            draft.add(break_line(rng, fs.form, width))
            draft.add(row("", "", split[1], *[""] * (width - 3)))


def _unprinted_level2(rng: random.Random, indicators: list[IndicatorRecord], l1_rows: dict,
                      l2_rows: dict) -> int | None:
    """A row to print with its level-1 label and a blank level-2 cell (or None): a level-1
    group's first row whose own level-2 span is that row alone (the next row prints its own
    label), so what it prints is all a reader has. Its truth becomes what the parse then gives:
    the level-1 category's only level 2, or none."""
    n = len(indicators)
    starts = {start for start, _ in spans([i.level1 for i in indicators])}  # (not a label printed mid-span)
    rows = [i for i in l1_rows if i in starts and i in l2_rows and (i + 1 == n or i + 1 in l2_rows)]
    chosen = _pick(rng, rows, 0.1)
    if chosen is not None:
        indicators[chosen].level2 = only_level2(CURRENT_TREE, indicators[chosen].level1)
    return chosen


def _pick(rng: random.Random, options: list[int], probability: float) -> int | None:
    return rng.choice(options) if options and rng.random() < probability else None
