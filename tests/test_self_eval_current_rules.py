"""Rules of the current (2021 on) self-evaluation parser, on small synthetic reports.

Each test states one general rule (see pipeline/families/current_*.py); the
seed goldens, form independence and fuzzing are in test_self_eval_current.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.document import Document
from pipeline.families import parse_document
from pipeline.families.current_labels import keyword_categories
from tests.forms import FORMS, with_blank_lines

HEAD = """财政项目支出绩效自评表
项目名称\t测试项目
主管部门\t某局\t实施单位\t某中心
项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分
年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00
年度总体目标\t预期目标\t实际完成情况
\t目标甲\t完成甲
一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析
"""
TAIL = "\t\t\t\t\t100\t100\n评分等级\t优\n"


def parse_text(name: str, text: str):
    return parse_document(Document.from_text(name, text))


def _one(text: str):
    result = parse_text("t", text)
    assert result.rejections == [], result.rejections
    assert len(result.reports) == 1
    return result.reports[0]


def _rejected(text: str) -> str:
    result = parse_text("t", text)
    assert result.reports == []
    assert len(result.rejections) == 1
    return result.rejections[0].reason


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
    report = _one(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["时效指标", "时效指标", "成本指标", "成本指标", "服务对象满意度指标"]
    assert [(n.code, n.source_line) for n in report.notes] == [("orphan_row_assigned_by_keyword", 11)]


def test_orphans_without_keyword_evidence_are_forward_filled():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t30\t30\n"
        "\t\t乙\t1\t达成指标\t20\t20\n"
        "\t质量指标\t丙\t1\t达成指标\t20\t20\n"
        "效益指标\t社会效益指标\t丁\t1\t达成指标\t20\t20\n"
    )
    report = _one(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["数量指标", "数量指标", "质量指标", "社会效益指标"]
    assert report.notes == []


def test_level2_label_in_level1_column_and_shifted_row():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t40\t40\n"
        "社会效益指标\t乙\t\t1\t达成指标\t30\t30\n"
        "\t满意度指标\t服务对象满意度指标\t丙\t1\t达成指标\t20\t20\n"
    )
    report = _one(HEAD + body + TAIL)
    assert [(i.level1, i.level2, i.name) for i in report.indicators] == [
        ("产出指标", "数量指标", "甲"),
        ("效益指标", "社会效益指标", "乙"),
        ("满意度指标", "服务对象满意度指标", "丙"),
    ]
    assert [n.code for n in report.notes] == ["level1_derived_from_level2"]


def test_inconsistent_level1_is_overruled_by_level2():
    body = "产出指标\t社会效益指标\t甲\t1\t达成指标\t90\t90\n"
    report = _one(HEAD + body + TAIL)
    assert (report.indicators[0].level1, report.indicators[0].level1_raw) == ("效益指标", None)
    assert [n.code for n in report.notes] == ["level1_inconsistent_with_level2"]


def test_label_only_row_centred_in_its_span():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t30\t30\n"
        "\t\t乙成本控制\t≤1(万元)\t1(万元)\t30\t30\n"
        "\t成本指标\n"
        "\t\t丙成本控制\t≤1(万元)\t1(万元)\t30\t30\n"
    )
    report = _one(HEAD + body + TAIL)
    assert [i.level2 for i in report.indicators] == ["数量指标", "成本指标", "成本指标"]


def test_names_that_equal_labels_survive():
    body = (
        "效益指标\t可持续影响指标\t可持续影响指标\t可持续影响指标\t达成指标\t80\t80\n"
        "满意度指标\t服务对象满意度指标\t满意度\t≥85%\t90%\t10\t10\n"
    )
    report = _one(HEAD + body + TAIL)
    assert [(i.level2, i.name, i.target_raw) for i in report.indicators] == [
        ("可持续影响指标", "可持续影响指标", "可持续影响指标"),
        ("服务对象满意度指标", "满意度", "≥85%"),
    ]


def test_fund_sub_rows_may_leave_points_blank_and_units_follow_header():
    text = HEAD.replace("项目资金（万元）", "项目资金（元）").replace(
        "年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00\n",
        "年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00\n其中：当年财政拨款\t10.00\t10.00\t10.00\t\t100.00\t\n",
    )
    report = _one(text + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    sub = report.funds[1]
    assert (sub.fund_source, sub.amount_unit, sub.executed_yuan, sub.weight, sub.score) == (
        "current_appropriation", "元", Decimal("10.00"), None, None)


def test_year_printed_in_the_title_and_inline_goals():
    text = HEAD.replace("财政项目支出绩效自评表", "财政项目支出绩效自评表（2022年度）").replace(
        "年度总体目标\t预期目标\t实际完成情况\n\t目标甲\t完成甲\n", "预期目标\t目标甲\t实际完成情况\t完成甲\n")
    report = _one(text + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    assert (report.project.fiscal_year, report.project.fiscal_year_source) == (2022, "document")
    assert (report.project.goal_expected, report.project.goal_actual) == ("目标甲", "完成甲")


def test_total_row_with_a_label_and_a_wrapped_deviation_reason():
    body = "产出指标\t数量指标\t甲\t1\t1\t90\t80\t原因第一段\n\t\t\t\t\t\t\t原因第二段\n"
    report = _one(HEAD + body + "合计\t100\t90\n评分等级\t良\n")
    assert report.indicators[0].deviation_reason == "原因第一段原因第二段"
    assert (report.project.total_score, report.project.grade) == (Decimal(90), "良")
    assert [n.code for n in report.notes] == ["deviation_reason_wrapped"]


@pytest.mark.parametrize("edit, reason", [
    (lambda t: t.replace("项目名称\t测试项目\n", ""), "no project name"),
    (lambda t: t.replace("项目资金（万元）", "项目资金"), "money unit"),
    (lambda t: t.replace("年度资金总额", "合计资金"), "年度资金总额"),
    (lambda t: t.replace("一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析\n", ""),
     "indicator table missing"),
    (lambda t: t.replace("\t\t\t\t\t100\t100\n", ""), "total row"),
    (lambda t: t.replace("10.00\t100.00\t10.00\n", "10.00\t100.00\n"), "values for"),
])
def test_untrustworthy_reports_are_rejected(edit, reason):
    text = edit(HEAD + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    assert reason in _rejected(text)


def test_level1_only_label_takes_its_single_level2_or_none():
    body = (
        "产出指标\t数量指标\t甲\t1\t达成指标\t70\t70\n"
        "满意度指标\t乙满意度\t≥85%\t90%\t20\t20\n"
    )
    report = _one(HEAD + body + TAIL)
    assert [(i.level1, i.level2, i.level2_raw, i.name) for i in report.indicators] == [
        ("产出指标", "数量指标", "数量指标", "甲"),
        ("满意度指标", "服务对象满意度指标", None, "乙满意度"),
    ]
    assert [n.code for n in report.notes] == ["level2_missing"]


def test_placeholder_deviation_reason_is_none():
    report = _one(HEAD + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\t-\n" + TAIL)
    assert report.indicators[0].deviation_reason is None


SPLIT_BODY = (
    "产出指标\t数量指标\t甲\t1\t达成指标\t40\t40\t\n"
    "效益指标\t社会效益指标\t发现问题整改\t1\t达成指标\t10.00\t10.00\t\n"
    "\n"
    "\t\t率\t\t\t\t\t\n"
    "满意度指标\t服务对象满意度指标\t满意度\t≥85%\t90%\t40\t40\t\n"
)


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("blank_every", [0, 1])
def test_name_split_across_page_break_continues_the_name(form, blank_every):
    text = FORMS[form](HEAD + SPLIT_BODY + TAIL)
    if blank_every:
        text = with_blank_lines(text, blank_every)
    report = _one(text)
    split = report.indicators[1]
    tail_line = next(n for n, line in enumerate(text.splitlines(), start=1) if line.strip(" |\t") == "率")
    assert [i.name for i in report.indicators] == ["甲", "发现问题整改率", "满意度"]
    assert (split.level2, split.weight, split.deviation_reason) == ("社会效益指标", Decimal("10.00"), None)
    assert (split.source_line_end, report.indicators[0].source_line_end) == (tail_line, None)
    assert [(n.code, n.source_line) for n in report.notes] == [("name_split_across_page_break", tail_line)]


def test_tail_after_a_deviation_reason_continues_the_reason():
    """Ambiguous tail: the previous row has a deviation reason, so the reason gets it, not the name."""
    body = "产出指标\t数量指标\t发现问题整改\t1\t0.9\t90\t80\t部分问题未整\n\n\t\t改完\t\t\t\t\t\n"
    report = _one(HEAD + body + TAIL.replace("100\t100", "100\t90"))
    assert (report.indicators[0].name, report.indicators[0].deviation_reason) == ("发现问题整改", "部分问题未整改完")
    assert [n.code for n in report.notes] == ["deviation_reason_wrapped"]


@pytest.mark.parametrize("tail", ["12.5", "达成指标", "-", "这是一段很长的说明文字而不是指标名称的尾部"])
def test_rows_that_cannot_be_a_name_tail_are_rejected(tail):
    body = f"产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n\t\t{tail}\n"
    assert "unrecognized row in the indicator table" in _rejected(HEAD + body + TAIL)
