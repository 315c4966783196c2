"""Category rules of the current (2021 on) self-evaluation parser, on small synthetic
reports: which level-1 / level-2 group every indicator row belongs to when the
labels sit in merged cells (pipeline/families/current_labels.py, current_layout.py,
current_groups.py). The other rules are in test_self_eval_current_rules.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.families.current_groups import keyword_categories
from pipeline.ingest import parse_bytes
from tests.current_parse import HEAD, TAIL, facts, one_report
from tests.forms import FORMS

D = Decimal


def test_keyword_table():
    assert keyword_categories("安全生产检查和咨询服务经费成本控制情况") == {"成本指标"}
    assert keyword_categories("按时办结率") == {"时效指标"}
    assert keyword_categories("办公人员满意度") == {"服务对象满意度指标"}
    assert keyword_categories("安全检查季度分析份数") == {"数量指标"}
    assert keyword_categories("费用结算准确率") == {"质量指标"}
    assert keyword_categories("对口移送") == set()


def test_orphans_between_labels_split_at_best_keyword_cut():
    body = (
        "产出指标\t时效指标\t甲及时完成\t及时\t达成指标\t30\t30\n"
        "\t\t乙按时完成\t及时\t达成指标\t20\t20\n"
        "\t\t丙成本控制\t≤1(万元)\t1(万元)\t10\t10\n"
        "\t成本指标\t丁成本控制\t≤1(万元)\t1(万元)\t10\t10\n"
        "满意度指标\t服务对象满意度指标\t满意度\t≥90%\t95%\t20\t20\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["时效指标", "时效指标", "成本指标", "成本指标", "服务对象满意度指标"]
    assert [(n.code, n.source_line) for n in report.notes] == [("orphan_row_assigned_by_keyword", 11)]


def test_orphans_without_keyword_evidence_are_forward_filled():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t30\t30\n"
        "\t\t乙\t1\t达成指标\t20\t20\n"
        "\t质量指标\t丙\t1\t达成指标\t20\t20\n"
        "效益指标\t社会效益指标\t丁\t1\t达成指标\t20\t20\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["数量指标", "数量指标", "质量指标", "社会效益指标"]
    assert report.notes == []


def test_level2_label_in_level1_column_and_shifted_row():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t40\t40\n"
        "社会效益指标\t乙\t\t1\t达成指标\t30\t30\n"
        "\t满意度指标\t服务对象满意度指标\t丙\t1\t达成指标\t20\t20\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.level1, i.level2, i.name) for i in report.indicators] == [
        ("产出指标", "数量指标", "甲"),
        ("效益指标", "社会效益指标", "乙"),
        ("满意度指标", "服务对象满意度指标", "丙"),
    ]
    assert [n.code for n in report.notes] == ["level1_derived_from_level2"]


def test_inconsistent_level1_is_overruled_by_level2():
    body = "产出指标\t社会效益指标\t甲\t1\t达成指标\t90\t90\n"
    report = one_report(HEAD + body + TAIL)
    assert (report.indicators[0].level1, report.indicators[0].level1_raw) == ("效益指标", None)
    assert [n.code for n in report.notes] == ["level1_inconsistent_with_level2"]


def test_label_only_row_centred_in_its_span():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t30\t30\n"
        "\t\t乙成本控制\t≤1(万元)\t1(万元)\t30\t30\n"
        "\t成本指标\n"
        "\t\t丙成本控制\t≤1(万元)\t1(万元)\t30\t30\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["数量指标", "成本指标", "成本指标"]


def test_names_that_equal_labels_survive():
    body = (
        "效益指标\t可持续影响指标\t可持续影响指标\t可持续影响指标\t达成指标\t80\t80\n"
        "满意度指标\t服务对象满意度指标\t满意度\t≥85%\t90%\t10\t10\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.level2, i.name, i.target_raw) for i in report.indicators] == [
        ("可持续影响指标", "可持续影响指标", "可持续影响指标"),
        ("服务对象满意度指标", "满意度", "≥85%"),
    ]


def test_level1_only_label_takes_its_single_level2_or_none():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t70\t70\n"
        "满意度指标\t乙满意度\t≥85%\t90%\t20\t20\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.level1, i.level2, i.level2_raw, i.name) for i in report.indicators] == [
        ("产出指标", "数量指标", "数量指标", "甲"),
        ("满意度指标", "服务对象满意度指标", None, "乙满意度"),
    ]
    assert [n.code for n in report.notes] == ["level2_missing"]


# --- category repair by keywords stays inside one level-1 group -----------------


def test_keywords_never_move_a_row_across_a_level1_boundary():
    """Labels at the top of their spans: 来电满意度回访机制 follows 可持续影响指标; the
    keyword 满意 must not pull it into the 满意度指标 group printed below it."""
    body = (
        "产出指标\t数量指标\t坐席人员数\t390\t达成指标\t50.00\t50.00\t\n"
        "效益指标\t可持续影响指标\t长效管理制度健全性\t健全\t达成指标\t15.00\t15.00\t\n"
        "\t\t来电满意度回访机制\t健全\t达成指标\t15.00\t15.00\t\n"
        "满意度指标\t服务对象满意度指标\t综合满意度\t97\t达成指标\t10.00\t10.00\t\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert facts(report) == [
        (1, "坐席人员数", "产出指标", "数量指标", "390", "达成指标", D("50.00"), D("50.00"), None),
        (2, "长效管理制度健全性", "效益指标", "可持续影响指标", "健全", "达成指标", D("15.00"), D("15.00"), None),
        (3, "来电满意度回访机制", "效益指标", "可持续影响指标", "健全", "达成指标", D("15.00"), D("15.00"), None),
        (4, "综合满意度", "满意度指标", "服务对象满意度指标", "97", "达成指标", D("10.00"), D("10.00"), None),
    ]
    assert [(i.level1_raw, i.level2_raw) for i in report.indicators] == [
        ("产出指标", "数量指标"), ("效益指标", "可持续影响指标"), ("效益指标", "可持续影响指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]
    assert report.notes == []


def test_centred_level1_label_does_not_pin_the_inherited_level2():
    """A row printing only the level-1 label it already inherits (centred in its span)
    is no level-2 anchor: it stays in its level 1 and its keywords may place it below."""
    body = (
        "\t数量指标\t设备维护工作完成率\t100\t达成指标\t30.00\t30.00\t\n"
        "产出指标\t\t场地清洁达标率\t100\t达成指标\t30.00\t30.00\t\n"
        "\t质量指标\t设备维护达标率\t100\t达成指标\t20.00\t20.00\t\n"
        "满意度指标\t服务对象满意度指标\t综合满意度\t97\t达成指标\t10.00\t10.00\t\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert facts(report) == [
        (1, "设备维护工作完成率", "产出指标", "数量指标", "100", "达成指标", D("30.00"), D("30.00"), None),
        (2, "场地清洁达标率", "产出指标", "质量指标", "100", "达成指标", D("30.00"), D("30.00"), None),
        (3, "设备维护达标率", "产出指标", "质量指标", "100", "达成指标", D("20.00"), D("20.00"), None),
        (4, "综合满意度", "满意度指标", "服务对象满意度指标", "97", "达成指标", D("10.00"), D("10.00"), None),
    ]
    assert [(i.level1_raw, i.level2_raw) for i in report.indicators] == [
        (None, "数量指标"), ("产出指标", "质量指标"), ("产出指标", "质量指标"), ("满意度指标", "服务对象满意度指标"),
    ]
    assert [(n.code, n.source_line) for n in report.notes] == [
        ("level1_derived_from_level2", 9), ("orphan_row_assigned_by_keyword", 10),
    ]


def test_centred_level1_label_without_keyword_evidence_keeps_the_inherited_level2():
    body = (
        "\t数量指标\t甲\t100\t达成指标\t30.00\t30.00\t\n"
        "产出指标\t\t乙\t100\t达成指标\t30.00\t30.00\t\n"
        "\t质量指标\t丙\t100\t达成指标\t20.00\t20.00\t\n"
        "满意度指标\t服务对象满意度指标\t丁\t97\t达成指标\t10.00\t10.00\t\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.name, i.level1, i.level2, i.level1_raw) for i in report.indicators] == [
        ("甲", "产出指标", "数量指标", None), ("乙", "产出指标", "数量指标", "产出指标"),
        ("丙", "产出指标", "质量指标", "产出指标"), ("丁", "满意度指标", "服务对象满意度指标", "满意度指标"),
    ]
    assert [n.code for n in report.notes] == ["level1_derived_from_level2"]


#: Seed 000's first project with every label centred in its span (产出指标 in the
#: middle of its eight rows, 效益指标 in the middle of its three).
CENTRED_BODY = (
    "\t\t设备维护工作完成率\t100\t达成指标\t10.00\t10.00\t\n"
    "\t数量指标\t场地保洁完成情况\t2\t达成指标\t10.00\t10.00\t\n"
    "\t\t月度电费结算完成情况\t12.00\t达成指标\t5.00\t5.00\t\n"
    "产出指标\t\t场地清洁达标率\t100\t达成指标\t10.00\t10.00\t\n"
    "\t质量指标\t设备维护达标率\t100\t达成指标\t10.00\t10.00\t\n"
    "\t\t费用结算准确率\t100\t达成指标\t10.00\t10.00\t\n"
    "\t时效指标\t设备场地维修维护及时性\t及时\t达成指标\t5.00\t5.00\t\n"
    "\t\t拨付电费及时性\t及时\t达成指标\t5.00\t5.00\t\n"
    "\t\t办公场地形象\t整洁有序\t达成指标\t5.00\t5.00\t\n"
    "效益指标\t社会效益指标\t办公设备正常运转天数\t365\t达成指标\t5.00\t5.00\t\n"
    "\t\t咨询中心正常运转天数\t365\t达成指标\t5.00\t5.00\t\n"
    "满意度指标\t服务对象满意度指标\t办公人员满意度\t90\t达成指标\t10.00\t10.00\t\n"
)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_labels_centred_in_their_spans_place_rows_across_a_level1_boundary(form):
    """An indicator row above the first label shows the labels sit mid-span: 办公场地形象
    (no label, no keyword) belongs to 效益指标, centred in its three rows, not to 时效指标."""
    report = one_report(FORMS[form](HEAD + CENTRED_BODY + TAIL))
    q, z, s, b = ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("效益指标", "社会效益指标")
    assert [(i.name, i.level1, i.level2) for i in report.indicators] == [
        ("设备维护工作完成率", *q), ("场地保洁完成情况", *q), ("月度电费结算完成情况", *q),
        ("场地清洁达标率", *z), ("设备维护达标率", *z), ("费用结算准确率", *z),
        ("设备场地维修维护及时性", *s), ("拨付电费及时性", *s),
        ("办公场地形象", *b), ("办公设备正常运转天数", *b), ("咨询中心正常运转天数", *b),
        ("办公人员满意度", "满意度指标", "服务对象满意度指标"),
    ]
    assert [(s.component, s.weight_sum) for s in report.scores if s.component.endswith("指标")] == [
        ("产出指标", Decimal("65.00")), ("效益指标", Decimal("15.00")), ("满意度指标", Decimal("10.00"))]
    assert [(n.code, n.source_line) for n in report.notes] == [
        ("orphan_row_assigned_to_next_label", 9), ("level1_derived_from_level2", 10),
        ("orphan_row_assigned_by_layout", 12), ("orphan_row_assigned_by_layout", 17),
    ]


def test_centred_labels_that_leave_a_row_undecided_note_it():
    """丙 fits 数量指标 above it (产出指标 centred in 甲..丙) or 社会效益指标 below it
    (a two-row span with its label on the lower row): kept above, with a note."""
    body = (
        "\t\t甲\t1\t达成指标\t30\t30\n"
        "产出指标\t数量指标\t乙\t1\t达成指标\t30\t30\n"
        "\t\t丙\t1\t达成指标\t10\t10\n"
        "效益指标\t社会效益指标\t丁\t1\t达成指标\t10\t10\n"
        "满意度指标\t服务对象满意度指标\t戊\t1\t达成指标\t10\t10\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.name, i.level2) for i in report.indicators] == [
        ("甲", "数量指标"), ("乙", "数量指标"), ("丙", "数量指标"), ("丁", "社会效益指标"), ("戊", "服务对象满意度指标")]
    assert [(n.code, n.source_line) for n in report.notes] == [
        ("orphan_row_assigned_to_next_label", 9), ("category_uncertain", 11)]


def test_level1_only_label_of_several_level2s_keeps_the_report():
    # the first row of 产出指标 leaves its level-2 cell blank; the merged rows under it too
    body = (
        "产出指标\t\t甲\t1\t达成指标\t30\t30\n"
        "\t\t乙\t2\t达成指标\t30\t30\n"
        "\t质量指标\t丙\t3\t达成指标\t30\t30\n"
    )
    result = parse_bytes("t.txt", (HEAD + body + TAIL).encode("utf-8"))
    assert result.status == "parsed" and result.rejections == [], result.rejections
    [report] = result.reports
    assert [(i.level1, i.level2, i.name) for i in report.indicators] == [
        ("产出指标", None, "甲"),
        ("产出指标", None, "乙"),
        ("产出指标", "质量指标", "丙"),
    ]
    assert [(n.code, n.source_line) for n in report.notes if n.code == "level2_missing"] == [
        ("level2_missing", report.indicators[0].source_line)
    ]
