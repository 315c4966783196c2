"""Rules of the current (2021 on) self-evaluation parser, on small synthetic reports.

Each test states one general rule (see pipeline/families/current_*.py); the
category rules are in test_current_labels.py, the seed goldens, form
independence and fuzzing in test_self_eval_current.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.current_parse import HEAD, TAIL, facts, line_of, one_report, parse_text, rejected_reason
from tests.forms import FORMS, with_blank_lines


def test_fund_sub_rows_may_leave_points_blank_and_units_follow_header():
    text = HEAD.replace("项目资金（万元）", "项目资金（元）").replace(
        "年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00\n",
        "年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00\n其中：当年财政拨款\t10.00\t10.00\t10.00\t\t100.00\t\n",
    )
    report = one_report(text + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    sub = report.funds[1]
    assert (sub.fund_source, sub.amount_unit, sub.executed_yuan, sub.weight, sub.score) == (
        "current_appropriation", "元", Decimal("10.00"), None, None)


def test_year_printed_in_the_title_and_inline_goals():
    text = HEAD.replace("财政项目支出绩效自评表", "财政项目支出绩效自评表（2022年度）").replace(
        "年度总体目标\t预期目标\t实际完成情况\n\t目标甲\t完成甲\n", "预期目标\t目标甲\t实际完成情况\t完成甲\n")
    report = one_report(text + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    assert (report.project.fiscal_year, report.project.fiscal_year_source) == (2022, "document")
    assert (report.project.goal_expected, report.project.goal_actual) == ("目标甲", "完成甲")


def test_total_row_with_a_label_and_a_wrapped_deviation_reason():
    body = "产出指标\t数量指标\t甲\t1\t1\t90\t80\t原因第一段\n\t\t\t\t\t\t\t原因第二段\n"
    report = one_report(HEAD + body + "合计\t100\t90\n评分等级\t良\n")
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
    # PDF text (no cell positions): a fund row one value short cannot be mapped
    (lambda t: t.replace("年度资金总额\t10.00\t10.00\t10.00\t10.00\t100.00\t10.00\n",
                         "年度资金总额 10.00 10.00 10.00 10.00 100.00\n"), "values for"),
])
def test_untrustworthy_reports_arerejected_reason(edit, reason):
    text = edit(HEAD + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n" + TAIL)
    assert reason in rejected_reason(text)


def test_placeholder_deviation_reason_is_none():
    report = one_report(HEAD + "产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\t-\n" + TAIL)
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
    report = one_report(text)
    split = report.indicators[1]
    tail_line = next(n for n, line in enumerate(text.splitlines(), start=1) if line.strip(" |\t") == "率")
    assert [i.name for i in report.indicators] == ["甲", "发现问题整改率", "满意度"]
    assert (split.level2, split.weight, split.deviation_reason) == ("社会效益指标", Decimal("10.00"), None)
    assert (split.source_line_end, report.indicators[0].source_line_end) == (tail_line, None)
    assert [(n.code, n.source_line) for n in report.notes] == [("name_split_across_page_break", tail_line)]


@pytest.mark.parametrize("form", ["tab", "text"])
def test_tail_after_a_deviation_reason_continues_the_reason(form):
    """In the 偏差原因分析 column (tab), or ambiguous in PDF text where the previous row
    has a deviation reason: the reason gets it, not the name."""
    body = "产出指标\t数量指标\t发现问题整改\t1\t0.9\t90\t80\t部分问题未整\n\n\t\t\t\t\t\t\t改完\n"
    report = one_report(FORMS[form](HEAD + body + TAIL.replace("100\t100", "100\t90")))
    assert (report.indicators[0].name, report.indicators[0].deviation_reason) == ("发现问题整改", "部分问题未整改完")
    assert [n.code for n in report.notes] == ["deviation_reason_wrapped"]


@pytest.mark.parametrize("tail", ["12.5", "达成指标", "-", "这是一段很长的说明文字而不是指标名称的尾部"])
def test_rows_that_cannot_be_a_name_tail_arerejected_reason(tail):
    body = f"产出指标\t数量指标\t甲\t1\t达成指标\t90\t90\n\t\t{tail}\n"
    assert "unrecognized row in the indicator table" in rejected_reason(HEAD + body + TAIL)


# --- tab/pipe cells keep their positions; fragments follow their column ---------


D = Decimal
SATISFACTION_ROW = "满意度指标\t服务对象满意度指标\t学员满意度\t≥90(%)\t95(%)\t10.00\t10.00\t\n"
SATISFACTION = (4, "学员满意度", "满意度指标", "服务对象满意度指标", "≥90(%)", "95(%)", D("10.00"), D("10.00"), None)


@pytest.mark.parametrize("form", ["tab", "pipe"])
def test_blank_actual_cell_keeps_the_columns_of_a_tab_or_pipe_row(form):
    """A blank 实际完成值 is blank (None): the label, name and target stay in their columns,
    with or without printed labels; the row's label 时效指标 is not taken for its name."""
    body = (
        "产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t40.00\t40.00\t\n"
        "\t时效指标\t培训按时完成\t及时\t\t20.00\t20.00\t\n"
        "\t\t资料按时发放\t及时\t\t20.00\t20.00\t\n"
        + SATISFACTION_ROW
    )
    report = one_report(FORMS[form](HEAD + body + TAIL))
    assert facts(report) == [
        (1, "培训场次", "产出指标", "数量指标", "=4(次)", "4(次)", D("40.00"), D("40.00"), None),
        (2, "培训按时完成", "产出指标", "时效指标", "及时", None, D("20.00"), D("20.00"), None),
        (3, "资料按时发放", "产出指标", "时效指标", "及时", None, D("20.00"), D("20.00"), None),
        SATISFACTION,
    ]
    assert [(i.level2_raw, i.achievement) for i in report.indicators[1:3]] == [("时效指标", None), ("时效指标", None)]
    assert report.notes == []


def test_row_shifted_right_is_still_read_by_content():
    """The score landing in the 偏差原因分析 column means the row is not in the header's
    columns (a bare-number actual sits under 分值): it is read by content."""
    body = (
        "产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t80.00\t80.00\t\n"
        "\t满意度指标\t服务对象满意度指标\t学员满意度\t≥90\t95\t10.00\t10.00\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert facts(report) == [
        (1, "培训场次", "产出指标", "数量指标", "=4(次)", "4(次)", D("80.00"), D("80.00"), None),
        (2, "学员满意度", "满意度指标", "服务对象满意度指标", "≥90", "95", D("10.00"), D("10.00"), None),
    ]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_score_printed_as_placeholder_is_a_row_of_its_own(form):
    """得分 printed as ``-`` (not scored): its own indicator, score None, weight kept;
    not glued to the previous row's deviation reason."""
    body = (
        "产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t40.00\t30.00\t受疫情影响少办一场\n"
        "\t\t资料发放份数\t=100(份)\t100(份)\t20.00\t-\t\n"
        "\t时效指标\t培训按时完成\t及时\t达成指标\t20.00\t20.00\t\n"
        + SATISFACTION_ROW
    )
    report = one_report(FORMS[form](HEAD + body + TAIL.replace("100\t100", "100\t70")))
    assert facts(report) == [
        (1, "培训场次", "产出指标", "数量指标", "=4(次)", "4(次)", D("40.00"), D("30.00"), "受疫情影响少办一场"),
        (2, "资料发放份数", "产出指标", "数量指标", "=100(份)", "100(份)", D("20.00"), None, None),
        (3, "培训按时完成", "产出指标", "时效指标", "及时", "达成指标", D("20.00"), D("20.00"), None),
        SATISFACTION,
    ]
    assert report.indicators[1].score_raw == "-"
    assert report.notes == []


@pytest.mark.parametrize("form", ["tab", "pipe"])
def test_name_tail_in_the_name_column_continues_the_name_not_the_reason(form):
    """After a page break, a fragment in the 三级指标 column ends the previous name even
    when that row has a deviation reason (the column says which cell it continues)."""
    body = (
        "产出指标\t数量指标\t对六个公园进行安全检\t=24(次)\t20(次)\t40.00\t30.00\t按年初计划未全部完成\n"
        "\n\n"
        "\t\t查次数\t\t\t\t\t\n"
        "\t时效指标\t培训按时完成\t及时\t达成指标\t40.00\t40.00\t\n"
        + SATISFACTION_ROW
    )
    text = FORMS[form](HEAD + body + TAIL.replace("100\t100", "100\t90"))
    report = one_report(text)
    assert facts(report) == [
        (1, "对六个公园进行安全检查次数", "产出指标", "数量指标", "=24(次)", "20(次)", D("40.00"), D("30.00"),
         "按年初计划未全部完成"),
        (2, "培训按时完成", "产出指标", "时效指标", "及时", "达成指标", D("40.00"), D("40.00"), None),
        (3,) + SATISFACTION[1:],
    ]
    tail_line = line_of(text, "查次数")
    assert (report.indicators[0].source_line_end, report.indicators[1].source_line_end) == (tail_line, None)
    assert [(n.code, n.source_line) for n in report.notes] == [("name_split_across_page_break", tail_line)]


@pytest.mark.parametrize("form", ["tab", "pipe"])
def test_name_head_before_a_page_break_starts_the_next_name(form):
    """A name fragment with the page break after it, the rest of its row (printing no
    labels) on the next page: the fragment heads the NEXT row's name."""
    body = (
        "产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t40.00\t30.00\t受疫情影响少办一场\n"
        "\t\t安全生产专项\t\t\t\t\t\n"
        "\n\n"
        "\t\t检查次数\t=2(次)\t2(次)\t20.00\t20.00\t\n"
        "\t时效指标\t培训按时完成\t及时\t达成指标\t20.00\t20.00\t\n"
        + SATISFACTION_ROW
    )
    text = FORMS[form](HEAD + body + TAIL.replace("100\t100", "100\t90"))
    report = one_report(text)
    assert facts(report) == [
        (1, "培训场次", "产出指标", "数量指标", "=4(次)", "4(次)", D("40.00"), D("30.00"), "受疫情影响少办一场"),
        (2, "安全生产专项检查次数", "产出指标", "数量指标", "=2(次)", "2(次)", D("20.00"), D("20.00"), None),
        (3, "培训按时完成", "产出指标", "时效指标", "及时", "达成指标", D("20.00"), D("20.00"), None),
        SATISFACTION,
    ]
    head_line, row_line = 10, 13
    split = report.indicators[1]
    assert (split.source_line, split.source_line_end) == (head_line, row_line)
    assert report.indicators[0].source_line_end is None
    assert [(n.code, n.source_line) for n in report.notes] == [("name_split_across_page_break", head_line)]


def test_name_fragment_goes_to_the_side_of_the_page_break_it_faces():
    """The same unlabelled next row, the break BEFORE the fragment: it ends the previous name."""
    body = (
        "产出指标\t数量指标\t安全生产专项检\t=2(次)\t2(次)\t40.00\t40.00\t\n"
        "\n"
        "\t\t查次数\t\t\t\t\t\n"
        "\t\t培训场次\t=4(次)\t4(次)\t40.00\t40.00\t\n"
        "满意度指标\t服务对象满意度指标\t学员满意度\t≥90(%)\t95(%)\t10.00\t10.00\t\n"
    )
    report = one_report(HEAD + body + TAIL)
    assert [(i.name, i.level2, i.source_line, i.source_line_end) for i in report.indicators] == [
        ("安全生产专项检查次数", "数量指标", 9, 11),
        ("培训场次", "数量指标", 12, None),
        ("学员满意度", "服务对象满意度指标", 13, None),
    ]
    assert [(n.code, n.source_line) for n in report.notes] == [("name_split_across_page_break", 11)]


def test_a_second_project_block_without_its_title_is_a_report_of_its_own():
    body = (
        "产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t90.00\t90.00\t\n"
        + TAIL
    )
    second = (
        "项目名称\t第二个项目\n"
        "主管部门\t某局\t实施单位\t另一中心\n"
        "项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分\n"
        "年度资金总额\t50.00\t50.00\t50.00\t10.00\t100.00\t10.00\n"
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析\n"
        "产出指标\t质量指标\t验收合格率\t=100(%)\t100(%)\t90.00\t90.00\t\n"
        + TAIL
    )
    text = HEAD + body + "\n" + second
    for form, render in FORMS.items():
        result = parse_text("t", render(text))
        assert result.rejections == [], form
        first, other = result.reports
        assert (first.project.project_name, first.project.title) == ("测试项目", "财政项目支出绩效自评表"), form
        assert [i.name for i in first.indicators] == ["培训场次"], form
        assert first.notes == [], form
        p = other.project
        assert (p.project_name, p.implementing_unit, p.title, p.fiscal_year, p.grade) == (
            "第二个项目", "另一中心", None, None, "优"), form
        assert p.source_line == len(text[: text.index("项目名称\t第二个项目")].splitlines()) + 1, form
        assert [f.budget_full_year_yuan for f in other.funds] == [Decimal("500000.00")], form
        assert [(i.name, i.level2) for i in other.indicators] == [("验收合格率", "质量指标")], form
        assert [n.code for n in other.notes] == ["report_title_missing"], form


GRADED_BODY = (
    "产出指标\t数量指标\t补贴发放人数\t≥5000人\t4500人\t50\t45\t部分老人迁出本市\n"
    "满意度指标\t服务对象满意度指标\t老人满意度\t≥90%\t88%\t40\t34.57\t宣传不足\n"
)


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("total", [
    "总分\t\t\t\t\t100\t89.57\t良\n",
    "合计\t\t\t\t\t100\t89.57\t评分等级：良\n",
    "\t\t\t\t\t100\t89.57\t评分等级：良\n",
    "\t\t\t\t\t100\t89.57\t评分等级\t良\n",
])
def test_grade_printed_on_the_total_row(form, total):
    report = one_report(FORMS[form](HEAD + GRADED_BODY + total))
    p = report.project
    assert (p.total_score, p.total_max_points, p.grade) == (Decimal("89.57"), Decimal(100), "良")
    assert [(i.name, i.score) for i in report.indicators] == [
        ("补贴发放人数", Decimal(45)), ("老人满意度", Decimal("34.57"))]
    assert report.indicators[-1].deviation_reason == "宣传不足"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_grade_label_and_grade_in_one_cell_below_the_total_row(form):
    report = one_report(FORMS[form](HEAD + GRADED_BODY + "合计\t100\t89.57\n评分等级：良\n"))
    assert (report.project.total_score, report.project.grade) == (Decimal("89.57"), "良")


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("total", [
    "\t\t\t\t\t\t89.57\t\n评分等级\t良\n",  # 分值 blank, the total in the 得分 column
    "合计\t\t\t\t\t\t89.57\t\n评分等级\t良\n",
    "\t\t\t\t\t\t89.57\t良\n",
])
def test_total_row_with_its_maximum_left_blank(form, total):
    report = one_report(FORMS[form](HEAD + GRADED_BODY + total))
    p = report.project
    assert (p.total_score, p.total_score_raw, p.total_max_points, p.grade) == (Decimal("89.57"), "89.57", None, "良")
    assert [(n.code, n.source_line) for n in report.notes] == [("total_max_points_blank", 11)]
    total_score = [s for s in report.scores if s.component == "total"][0]
    assert (total_score.max_points, total_score.reported_score, total_score.score_sum) == (
        None, Decimal("89.57"), Decimal("89.57"))


@pytest.mark.parametrize("form", ["tab", "pipe"])
@pytest.mark.parametrize("lone_row_after", [0, 1])
def test_a_lone_score_is_no_total_row_when_the_table_goes_on(form, lone_row_after):
    """A lone number followed by an indicator row or the full total row does not
    end the table (which would drop the rows below it): the row is unrecognized."""
    rows = GRADED_BODY.replace("\t45\t部分老人迁出本市", "\t45\t").replace("\t34.57\t宣传不足", "\t34.57\t").splitlines()
    rows.insert(lone_row_after + 1, "\t\t\t\t\t\t5\t")
    result = parse_text("t", FORMS[form](HEAD + "\n".join(rows) + "\n\t\t\t\t\t100\t89.57\n"))
    assert result.reports == []
    assert [(r.reason, r.reason_line) for r in result.rejections] == [
        ("unrecognized row in the indicator table", 10 + lone_row_after)]
