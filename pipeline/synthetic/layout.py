"""Logical lines of a synthetic report and their three physical forms.

A family generator describes a report as ``Line`` objects: table rows (a list
of cells), verbatim lines (a title heading, a narrative line of PDF text),
blank lines and page breaks. ``render`` turns them into one physical form:

* ``tab``  - cells joined by tabs (spreadsheet export, seeds 000 / 001 / 003);
* ``pipe`` - markdown tables with ``|---|`` separators, a page break starts a
  new table with an empty header row (seed 004);
* ``text`` - PDF text: non-empty cells joined by spaces, every line ending in a
  space, page breaks as runs of space-only lines (seed 002).

``render`` also returns the 1-based physical line of every logical line, so the
ground truth can carry ``source_line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TAB, PIPE, TEXT = "tab", "pipe", "text"
FORMS = (TAB, PIPE, TEXT)

ROW, RAW, BLANK, PAGE_BREAK = "row", "raw", "blank", "page_break"


@dataclass
class Line:
    """One logical line: a table row, a verbatim line, a blank line or a page break."""

    kind: str = ROW
    cells: list[str] = field(default_factory=list)
    text: str = ""  # RAW lines: the same text in every form
    table_start: bool = False  # PIPE: a separator row follows this row
    width: int = 0  # PAGE_BREAK inside a table: cells of the empty header row (PIPE)
    filler: int = 0  # PAGE_BREAK in PDF text: space-only lines printed


def row(*cells: str, table_start: bool = False) -> Line:
    return Line(ROW, list(cells), table_start=table_start)


def raw(text: str) -> Line:
    return Line(RAW, text=text)


def blank() -> Line:
    return Line(BLANK)


def page_break(width: int = 0, filler: int = 0) -> Line:
    return Line(PAGE_BREAK, width=width, filler=filler)


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _pipe_separator(width: int) -> str:
    return "|" + "|".join("---" for _ in range(max(width, 1))) + "|"


def physical_lines(line: Line, form: str) -> list[str]:
    """The physical lines one logical line prints as in ``form``."""
    if line.kind == RAW:
        return [line.text + (" " if form == TEXT and line.text else "")]
    if line.kind == BLANK:
        return [""]
    if line.kind == PAGE_BREAK:
        if form == PIPE and line.width:
            return ["", _pipe_row([""] * line.width), _pipe_separator(line.width)]
        if form == TEXT and line.filler:
            return [""] + [" "] * line.filler + [""]
        return [""]
    if form == TAB:
        return ["\t".join(line.cells)]
    if form == PIPE:
        out = [_pipe_row(line.cells)]
        if line.table_start:
            out.append(_pipe_separator(len(line.cells)))
        return out
    return [" ".join(c for c in line.cells if c) + " "]


def render(lines: list[Line], form: str, first_line: int = 1) -> tuple[list[str], list[int]]:
    """Physical lines of ``lines`` in ``form`` and the physical line of each logical line."""
    out: list[str] = []
    where: list[int] = []
    for line in lines:
        where.append(first_line + len(out))
        out.extend(physical_lines(line, form))
    return out, where
