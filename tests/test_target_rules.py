"""Rules of the performance target table parser, on small synthetic reports.

Each test states one general rule (see pipeline/families/target_*.py); the
category label rules are in test_target_labels.py, the seed golden, form
independence and fuzzing in test_target_table.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.document import Document, Row, split_cells
from pipeline.families import parse_document, target_table
from pipeline.records import ProjectReport
from pipeline.vocabulary import TEMPLATE_TARGET
from target_parse import grid_of, kept_notes, parse_one, synthetic


def test_tab_form_with_level_cells_and_wan_yuan():
    header = "\t".join(["项目名称：", "测试项目", "", "项目类别：", "专项"]) + "\n"
    header += "\t".join(["项目总预算（万元）：", "12.5", "项目当年预算（万元）：", "12.5"]) + "\n"
    header += "\t".join(["同名项目上年预算额（万元）：", "10", "同名项目上年预算执行数（万元）：", ""])
    grid = "\n".join(
        [
            "\t".join(["产出目标", "数量", "培训人次", "≥100(人次)"]),
            "\t".join(["", "", "培训场次", "=4次"]),
            "\t".join(["", "质量", "合格率", ">", "95%"]),
        ]
    )
    report = parse_one(synthetic(header, grid))
    assert report.project.fiscal_year == 2021
    assert report.project.project_total_budget_yuan == Decimal("125000")
    assert [(f.fiscal_year_offset, f.amount_unit, f.budget_full_year_yuan, f.executed_yuan) for f in report.funds] == [
        (0, "万元", Decimal("125000"), None),
        (-1, "万元", Decimal("100000"), None),
    ]
    assert grid_of(report) == [
        ("产出目标", "数量", "培训人次", "≥100(人次)"),
        ("产出目标", "数量", "培训场次", "=4次"),
        ("产出目标", "质量", "合格率", ">95%"),
    ]
    assert report.indicators[0].target_unit == "人次" and report.indicators[2].target_operator == ">"


def test_name_wrapped_under_a_target_printed_on_its_first_line():
    grid = "影响力目标\n人力资源 人力资源配备应该满足可持续发展的需 建立\n求\n长效管理 制度建设 健全"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("影响力目标", "人力资源", "人力资源配备应该满足可持续发展的需求", "建立"),
        ("影响力目标", "长效管理", "制度建设", "健全"),
    ]
    assert ("name_split_across_lines", 7) in [(n.code, n.source_line) for n in report.notes]


def test_name_wrapped_with_the_target_on_the_continuation_line():
    grid = "产出目标\n质量 不满意电话当月抽\n检率 =100%\n时效 办理及时率 >90%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("产出目标", "质量", "不满意电话当月抽检率", "=100%"),
        ("产出目标", "时效", "办理及时率", ">90%"),
    ]


def test_new_indicator_whose_target_sits_on_the_next_line():
    grid = "产出目标\n数量 综合接通率 >80%\n绩效考核次数\n=4\n质量 校验合格率 >98%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert [i.name for i in report.indicators] == ["综合接通率", "绩效考核次数", "校验合格率"]
    assert report.indicators[1].target_value == Decimal("4")


def test_year_printed_inside_the_title():
    text = "财政项目支出绩效目标表（2022年度）\n项目名称： 测试\n一级目标 二级目标 三级目标 指标目标值\n产出目标 数量 人数 =5人\n"
    report = parse_one(text)
    assert (report.project.fiscal_year, report.project.fiscal_year_source) == (2022, "document")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("财政项目支出绩效目标表\n项目名称： 测试\n产出目标 数量 人数 =5人\n", "indicator table missing"),
        ("财政项目支出绩效目标表\n项目类别： 专项\n一级目标 二级目标 三级目标 指标目标值\n数量 人数 =5人\n", "no project name"),
        ("财政项目支出绩效目标表\n项目名称： 测试\n一级目标 二级目标 三级目标 指标目标值\n产出目标\n", "indicator table empty"),
    ],
)
def test_untrustworthy_segments_are_rejected(text, reason):
    result = parse_document(Document.from_text("bad.txt", text))
    assert result.reports == []
    assert [r.reason.startswith(reason) for r in result.rejections] == [True]


def test_title_detection():
    def row(text: str) -> Row:
        form, cells = split_cells(text)
        return Row(1, text, form, cells)

    assert target_table.is_title(row("财政项目支出绩效目标表"))
    assert target_table.is_title(row("| 财政项目支出绩效目标表（2020年度） |"))
    assert not target_table.is_title(row("财政项目支出绩效自评表"))
    assert not target_table.is_title(row("2020年绩效目标"))
    assert target_table.FAMILY == TEMPLATE_TARGET


def test_composite_text_target_wrapped_as_text_joins_the_target():
    """Bug: the text rest of a wrapped composite target was dropped as an orphan."""
    grid = (
        "产出目标\n时效\n"
        "一级案件 响应时间：≤30分钟\n内，处置时间≤2小时\n"
        "二级案件 响应时间：≤60分钟内，处置时\n间≤4小时\n"
        "三级案件 响应时间：≤90分钟内，处置时间\n≤8小时\n"
        "培训及时性 =100%"
    )
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("产出目标", "时效", "一级案件", "响应时间：≤30分钟内，处置时间≤2小时"),
        ("产出目标", "时效", "二级案件", "响应时间：≤60分钟内，处置时间≤4小时"),
        ("产出目标", "时效", "三级案件", "响应时间：≤90分钟内，处置时间≤8小时"),
        ("产出目标", "时效", "培训及时性", "=100%"),
    ]
    assert [i.source_line_end for i in report.indicators] == [8, 10, 12, None]
    notes = [(n.code, n.source_line) for n in report.notes]
    assert "orphan_target_ignored" not in [code for code, _ in notes]
    assert [line for code, line in notes if code == "target_split_across_lines"] == [8, 10, 12]


def test_plain_target_after_a_complete_target_stays_an_orphan():
    grid = "产出目标\n数量 培训人次 =100人次\n≥95%\n质量 合格率 >95%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("产出目标", "数量", "培训人次", "=100人次"),
        ("产出目标", "质量", "合格率", ">95%"),
    ]
    assert ("orphan_target_ignored", 7) in [(n.code, n.source_line) for n in report.notes]


def _fund_rows(report: ProjectReport) -> list[tuple]:
    return [
        (f.fiscal_year_offset, f.source_line, f.budget_full_year_raw, f.budget_full_year_yuan, f.executed_yuan)
        for f in report.funds
    ]


def test_money_value_wrapped_onto_the_next_line_is_carried():
    """Bug: 项目当年预算（元）： with its amount on the next line lost the current-year fund row."""
    header = (
        "项目名称： 测试\n"
        "项目总预算（元）： 3,256,800.00 项目当年预算（元）：\n"
        "3,256,800.00\n"
        "同名项目上年预算额（元）：\n"
        "3,100,000 同名项目上年预算执行数（元）： 3,050,120"
    )
    report = parse_one(synthetic(header, "产出目标 数量 人数 =5人"))
    assert report.project.project_total_budget_yuan == Decimal("3256800.00")
    assert _fund_rows(report) == [
        (0, 4, "3,256,800.00", Decimal("3256800.00"), None),
        (-1, 6, "3,100,000", Decimal("3100000"), Decimal("3050120")),
    ]
    notes = [(n.code, n.source_line) for n in kept_notes(report)]
    assert notes == [("header_value_wrapped", 5), ("header_value_wrapped", 7)]


def test_money_label_without_a_value_leaves_a_note():
    header = (
        "项目名称： 测试\n"
        "项目总预算（元）： 500 项目当年预算（元）：\n"
        "见附件\n"
        "同名项目上年预算额（元）： 待定 同名项目上年预算执行数（元）："
    )
    report = parse_one(synthetic(header, "产出目标 数量 人数 =5人"))
    assert [(f.fiscal_year_offset, f.budget_full_year_raw, f.budget_full_year_yuan) for f in report.funds] == [
        (-1, "待定", None),
    ]
    notes = [(n.code, n.source_line) for n in kept_notes(report)]
    assert notes == [("money_value_missing", 4), ("money_value_unreadable", 6)]


def test_amount_cut_mid_number_is_joined_and_the_next_label_still_read():
    """Bug: 项目总预算（元）： 1,234,5 / 67.89 项目当年预算（元）： … lost both amounts, silently the second."""
    header = (
        "项目名称： 测试\n"
        "项目总预算（元）： 1,234,5\n"
        "67.89 项目当年预算（元）： 1,234,567.89\n"
        "同名项目上年预算额（元）： 1,100,000.00 同名项目上年预算执行数（元）： 1,087,6\n"
        "54.32"
    )
    report = parse_one(synthetic(header, "产出目标 数量 人数 =5人"))
    assert report.project.project_total_budget_yuan == Decimal("1234567.89")
    assert report.project.project_total_budget_raw == "1,234,567.89"
    assert _fund_rows(report) == [
        (0, 5, "1,234,567.89", Decimal("1234567.89"), None),
        (-1, 6, "1,100,000.00", Decimal("1100000.00"), Decimal("1087654.32")),
    ]
    assert report.funds[1].executed_raw == "1,087,654.32"
    notes = [(n.code, n.source_line) for n in kept_notes(report)]
    assert notes == [("header_value_wrapped", 5), ("header_value_wrapped", 7)]


def test_amount_piece_that_joins_into_no_well_formed_amount_is_not_joined():
    header = "项目名称： 测试\n项目总预算（元）： 1,234,5\n6 项目当年预算（元）： 800"
    report = parse_one(synthetic(header, "产出目标 数量 人数 =5人"))
    assert report.project.project_total_budget_yuan is None
    assert _fund_rows(report) == [(0, 5, "800", Decimal("800"), None)]
    notes = [(n.code, n.source_line) for n in kept_notes(report)]
    assert notes == [("money_value_unreadable", 4), ("header_text_ignored", 5)]


def test_number_and_unit_printed_apart_are_one_target():
    """Bug: 时效 巡查频次 1 次/季度 gave name '巡查频次 1' and target '次/季度'."""
    grid = "产出目标\n时效 巡查频次 1 次/季度\n数量 培训人数 ≥ 120 人\n质量 问题整改率 =100 %"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("产出目标", "时效", "巡查频次", "1次/季度"),
        ("产出目标", "数量", "培训人数", "≥120人"),
        ("产出目标", "质量", "问题整改率", "=100%"),
    ]
    measures = [(i.target_operator, i.target_value, i.target_unit) for i in report.indicators]
    assert measures == [(None, Decimal("1"), "次/季度"), ("≥", Decimal("120"), "人"), ("=", Decimal("100"), "%")]


def test_number_at_the_end_of_a_name_stays_in_the_name():
    grid = "产出目标\n数量 12345 工单转办量 ≥3000件"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [("产出目标", "数量", "12345 工单转办量", "≥3000件")]


COMPLETE_GRID = (
    "投入与管理\n投入管理 预算执行率 ≥95%\n财务管理 专款专用率 =1\n"
    "产出目标\n数量 转接接通率 >86%\n"
    "效果目标\n满意度 市民满意率 >98%\n"
    "影响力目标\n长效管理 长效管理制度建设 制定并执行"
)


def test_complete_grid_ending_the_file_leaves_no_cut_off_note():
    report = parse_one(synthetic("项目名称： 测试", COMPLETE_GRID))
    assert len(report.indicators) == 5
    assert report.notes == []


def test_grid_cut_off_after_its_first_group_leaves_a_note():
    """Bug (v28c): a target table cut off after 2 indicators was accepted with no note."""
    grid = "投入与管理\n投入管理 系统建设完成率 =1\n\n财务管理 专款专用率 =1\n"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("投入与管理", "投入管理", "系统建设完成率", "=1"),
        ("投入与管理", "财务管理", "专款专用率", "=1"),
    ]
    assert [(n.code, n.source_line) for n in report.notes] == [("grid_may_be_cut_off", 8)]
    assert "产出目标、效果目标、影响力目标" in report.notes[0].message


def test_national_grid_cut_off_before_its_last_group_leaves_a_note():
    grid = "产出指标\n数量指标 巡查覆盖街镇数 ≥215个\n效益指标\n社会效益指标 市民投诉率 ≤0.5%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert [(n.code, n.source_line) for n in report.notes] == [("grid_may_be_cut_off", 8)]
    assert "满意度指标" in report.notes[0].message


def test_grid_ending_on_a_label_without_rows_leaves_a_note():
    report = parse_one(synthetic("项目名称： 测试", COMPLETE_GRID.rsplit("\n", 1)[0]))
    assert [i.name for i in report.indicators][-1] == "市民满意率"
    assert [(n.code, n.source_line) for n in report.notes] == [("grid_may_be_cut_off", 12)]


@pytest.mark.parametrize(
    ("last_row", "name"),
    [("长效管理 长效管理制度建设", "长效管理制度建设"), ("长效管理 长效管理制度建设 ≥", "长效管理制度建设")],
)
def test_grid_cut_off_mid_row_is_rejected(last_row, name):
    text = synthetic("项目名称： 测试", COMPLETE_GRID.rsplit("\n", 1)[0] + "\n" + last_row)
    result = parse_document(Document.from_text("cut.txt", text))
    assert result.reports == []
    assert [(r.reason_line, r.reason.startswith("target grid cut off mid-row")) for r in result.rejections] == [
        (13, True)
    ]
    assert repr(name) in result.rejections[0].reason
