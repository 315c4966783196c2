"""Fast paths of the parse helpers give exactly what their plain definitions give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.decoding import normalize_line_ends
from pipeline.document import _PAGE_MARKER, Form, Row, is_page_marker
from pipeline.families.current_total import GRADE_LABELS, grade_cell, is_grade_row
from pipeline.text import _SPACE_LIKE, _ZERO_WIDTH, clean_text, clean_words, strip_invisible

#: Pieces that hit every branch: markup, entities, invisible and control characters,
#: exotic spaces, line separators, page numbers and grade labels.
PIECES = [
    "项目", "绩效", "评分等级", "绩效等级：", "良", "第", "共", "页", "Page", "page", "of", "1", "23", "-", "—",
    "－", " ", "  ", "\t", "\u3000", "\u00a0", "\u2028", "\u2029", "\u200b", "\ufeff", "\x1f", "\x0b", "\x85",
    "\r", "\r\n", "<br>", "<p>", "</p>", "&amp;", "&#39029;", "#", "## ", "**", "__", "_", "*", ":", "：", "|", "(",
    "）", "%", "≥",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=14).map("".join)


@settings(max_examples=400)
@given(texts)
def test_clean_words_is_clean_text_split(text):
    assert clean_words(text) == clean_text(text).split()


@settings(max_examples=400)
@given(texts)
def test_strip_invisible_is_both_substitutions(text):
    assert strip_invisible(text) == _SPACE_LIKE.sub(" ", _ZERO_WIDTH.sub("", text))


@settings(max_examples=400)
@given(st.lists(st.one_of(st.just(""), texts.map(str.strip)), max_size=10))
def test_page_marker_test_is_the_regex(cells):
    values = [c for c in cells if c]
    expected = bool(values) and len(values) <= 8 and bool(_PAGE_MARKER.match(" ".join(values)))
    assert is_page_marker(tuple(cells)) == expected


def test_page_markers_are_still_found():
    for text in ("第 1 页，共 2 页", "共2页 第1页", "- 1 -", "— 3 —", "Page 1 of 2", "page 3"):
        assert is_page_marker(tuple(text.split()))


@settings(max_examples=400)
@given(texts)
def test_line_ends_are_normalized_as_before(text):
    others = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
    assert normalize_line_ends(text) == re.sub(r"\r\n?", "\n", text).translate(others)


@settings(max_examples=400)
@given(st.lists(texts, max_size=6))
def test_grade_row_is_any_grade_cell(values):
    row = Row(line=1, text="\t".join(values), form=Form.TAB, cells=tuple(values))
    expected = any(key in GRADE_LABELS or grade_cell(key) for key in row.keys)
    assert is_grade_row(row) == expected
