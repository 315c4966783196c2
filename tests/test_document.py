"""The shared document model (pipeline/document.py): forms, cells, page markers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.document import Document, Form, is_page_marker, split_cells


def test_the_three_forms_split_into_the_same_values():
    tab = split_cells("年度资金总额\t108.70\t\t10.00")
    pipe = split_cells("| 年度资金总额 | 108.70 | | 10.00 |")
    text = split_cells("年度资金总额 108.70   10.00")
    assert (tab[0], pipe[0], text[0]) == (Form.TAB, Form.PIPE, Form.TEXT)
    assert tab[1] == pipe[1] == ("年度资金总额", "108.70", "", "10.00")  # empty cells kept
    assert text[1] == ("年度资金总额", "108.70", "10.00")  # PDF text has no empty cells
    assert split_cells("|---|:--:|") == (Form.PIPE, ())


@pytest.mark.parametrize("line", [
    "第 1 页，共 2 页", "第1页", "第 12 页 共 30 页", "共2页 第1页", "- 1 -", "— 3 —", "－7－", "Page 2 of 9",
    "\t第 1 页，共 2 页\t\t", "| 第 3 页 |",
])
def test_page_footers_and_numbers_read_as_a_page_break(line):
    document = Document.from_text("t.txt", f"上一行\n{line}\n下一行\n")
    assert [r.line for r in document.content_rows()] == [1, 3]
    assert document.rows[1].text == line  # the raw line is kept


@pytest.mark.parametrize("line", [
    "第1页内容", "共计 3 页材料", "1", "- 1 - 2", "第一阶段", "12345", "页面维护 1 次", "≥1 页",
])
def test_text_that_only_mentions_pages_is_content(line):
    assert not is_page_marker(split_cells(line)[1])


@given(st.integers(1, 9999), st.integers(1, 9999))
def test_every_numbered_footer_is_a_marker(page, pages):
    assert is_page_marker(split_cells(f"第 {page} 页，共 {pages} 页")[1])
    assert is_page_marker(split_cells(f"- {page} -")[1])
