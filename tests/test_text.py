"""Text cleaning (pipeline/text.py): values keep their text, names lose wrap whitespace."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pipeline.text import clean_name, clean_text, join_wrapped, label_key

IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def test_names_lose_breaks_and_full_width_spaces_between_chinese_characters():
    assert clean_name("政府聘用<br>辅助人员经费") == "政府聘用辅助人员经费"
    assert clean_name("<p>先行\u3000联系率</p>") == "先行联系率"
    assert clean_name("12333 热线 咨询") == "12333 热线咨询"  # a digit run keeps its space
    assert clean_name("投入与管理<br>(36分)") == "投入与管理 (36分)"  # not between two characters
    assert clean_name("IT service desk") == "IT service desk"
    assert clean_name(None) is None


def test_values_keep_their_spaces():
    assert clean_text("（1）项目总目标 面向社会") == "（1）项目总目标 面向社会"
    assert clean_text("政府聘用<br>辅助") == "政府聘用 辅助"


def test_wrapped_pieces_join_without_a_space_unless_both_sides_are_latin():
    assert join_wrapped(["12333热线咨询平台项", "目经费"]) == "12333热线咨询平台项目经费"
    assert join_wrapped(["service", "desk"]) == "service desk"


names = st.lists(
    st.one_of(st.sampled_from(["政府", "聘用", "辅助", "人员", "12333", "IT", "(", "）", "、"]),
              st.sampled_from([" ", "\u3000", "<br>", "\u00a0", "  "])),
    max_size=12,
).map("".join)


@given(names)
def test_clean_name_is_idempotent_and_leaves_no_space_between_ideographs(name):
    cleaned = clean_name(name)
    assert clean_name(cleaned) == cleaned
    assert not re.search(r"[\u3400-\u4dbf\u4e00-\u9fff]\s+[\u3400-\u4dbf\u4e00-\u9fff]", cleaned)
    # only whitespace and markup go: the label key (no whitespace at all) is unchanged
    assert label_key(cleaned) == label_key(clean_text(name))
    assert IDEOGRAPH.findall(cleaned) == IDEOGRAPH.findall(name)
