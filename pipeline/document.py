"""The shared document model every report-family parser reads.

A raw report is text in one of three physical forms, often mixed within a file:

* ``tab``  - spreadsheet export, cells separated by tabs;
* ``pipe`` - markdown tables, ``| a | b |`` with ``|---|`` separator rows;
* ``text`` - PDF text, cells separated by spaces, with hard line wraps.

``Document`` turns each line into a ``Row`` of cleaned cells, keeping the line
number so every parsed value can name the line it came from. Empty cells are
kept in ``cells`` (they carry merged-cell structure); ``values`` drops them,
which is what makes a row comparable across physical forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from pipeline.text import clean_text, clean_words, label_key, strip_invisible


class Form(str, Enum):
    TAB = "tab"
    PIPE = "pipe"
    TEXT = "text"


_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


class _computed_once:
    """Like ``functools.cached_property`` without its lock: the value lands in the
    instance ``__dict__`` (even of a frozen dataclass), which then shadows this."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass(frozen=True)
class Row:
    """One physical line of a report, split into cells."""

    line: int
    text: str
    form: Form
    cells: tuple[str, ...]

    # Computed once per row: parsers ask for them many times.
    @_computed_once
    def values(self) -> tuple[str, ...]:
        """The non-empty cells, in order."""
        return tuple(filter(None, self.cells))

    @_computed_once
    def keys(self) -> tuple[str, ...]:
        """``label_key`` of every non-empty cell."""
        return tuple(map(label_key, self.values))

    @_computed_once
    def joined_key(self) -> str:
        """``label_key`` of all non-empty cells joined (how titles are compared)."""
        return label_key("".join(self.values))

    @property
    def is_blank(self) -> bool:
        return not self.values

    @classmethod
    def with_values(cls, line: int, text: str, form: Form, cells: tuple[str, ...], values: tuple[str, ...]) -> "Row":
        """``Row(line, text, form, cells)`` whose ``values`` (the non-empty cells) the caller
        already has: the fields go straight into ``__dict__``, as the frozen ``__init__`` puts them."""
        row = object.__new__(cls)
        row.__dict__.update(line=line, text=text, form=form, cells=cells, values=values)
        return row


def split_cells(line: str) -> tuple[Form, tuple[str, ...]]:
    """Detect a line's physical form and split it into cleaned cells."""
    if "|" in line:  # only a line holding a pipe can be a markdown row
        stripped = strip_invisible(line).strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _PIPE_SEPARATOR.match(stripped):
                return _PIPE, ()
            inner = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
            return _PIPE, tuple(map(clean_text, inner.split("|")))
    if "\t" in line:
        return _TAB, tuple(map(clean_text, line.rstrip("\r\n").split("\t")))
    return _TEXT, tuple(clean_words(line))  # str.split() splits at runs of what ``\s`` matches


_TAB, _PIPE, _TEXT = Form.TAB, Form.PIPE, Form.TEXT


#: A line that only numbers the page: 第 1 页，共 2 页 / 第1页 / 共2页 第1页 / - 1 - / — 3 — / Page 1 of 2.
_PAGE_MARKER = re.compile(
    r"^(?:共\s*\d+\s*页\s*[,，]?\s*)?第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$"
    r"|^[-—–－]\s*\d+\s*[-—–－]$"
    r"|^page\s*\d+(?:\s*(?:of|/)\s*\d+)?$",
    re.IGNORECASE,
)


#: The first character of every text ``_PAGE_MARKER`` matches (a cheap test before the regex).
_PAGE_MARKER_START = frozenset("共第-—–－pP")


def is_page_marker(cells: tuple[str, ...]) -> bool:
    """True for a row whose only text is a page footer or page number (PDF and print exports)."""
    return _is_page_number(tuple(filter(None, cells)))


def _is_page_number(values: tuple[str, ...]) -> bool:
    """``is_page_marker`` of a row's non-empty cells."""
    if not values or len(values) > 8 or values[0][0] not in _PAGE_MARKER_START:
        return False
    return bool(_PAGE_MARKER.match(" ".join(values)))


@dataclass
class Document:
    """A decoded report file as rows, with its path relative to ``data/raw``."""

    source_file: str
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def from_text(cls, source_file: str, text: str) -> "Document":
        rows = []
        append, make_row = rows.append, Row.with_values
        for number, line in enumerate(text.splitlines(), start=1):
            form, cells = split_cells(line)
            values = tuple(filter(None, cells))
            if _is_page_number(values):
                cells = values = ()  # a page footer or page number: a page break, like a blank line
            append(make_row(number, line, form, cells, values))
        return cls(source_file=source_file, rows=rows)

    def content_rows(self) -> list[Row]:
        """Rows that carry any text (blank lines and pipe separators dropped)."""
        return [r for r in self.rows if not r.is_blank]


@dataclass(frozen=True)
class Segment:
    """The rows of one project report inside a document (files can hold several)."""

    document: Document
    rows: list[Row]
    family: str

    @property
    def first_line(self) -> int:
        return self.rows[0].line if self.rows else 0

    @property
    def last_line(self) -> int:
        return self.rows[-1].line if self.rows else 0
