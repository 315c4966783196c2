"""Rules of the older self-evaluation template parser, on small synthetic reports.

Each test states one general rule (see pipeline/families/legacy_*.py and
self_eval_legacy.py); the seed goldens, form independence and fuzzing are in
test_self_eval_legacy.py.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from legacy_parse import FAMILY, parse_text
from pipeline.document import Document
from pipeline.families import parse_document, self_eval_legacy
from pipeline.families.legacy_footer import grade_bands
from pipeline.families.legacy_header import spilled_prefix
from pipeline.records import ReportRejected


# --- title -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "claimed"),
    [
        ("项目绩效自我评价\t\t\t", True),
        ("| 项目绩效自我评价   |   |            |              |", True),
        ("项目绩效自我评价（2019年度）", True),
        ("# 项目绩效自我评价", True),
        ("财政项目支出绩效自我评价", False),
        ("财政项目支出绩效自评表（2023年度）", False),
        ("财政项目支出绩效目标表", False),
        ("项目绩效自我评价\t项目名称：\tA\t预算单位：", False),
    ],
)
def test_is_title(line, claimed):
    row = Document.from_text("t", line).rows[0]
    assert self_eval_legacy.is_title(row) is claimed


# --- small general rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "following", "prefix"),
    [
        ("上海市人力资源和社会保障局咨询服务", "中心12333项目考核领导小组", "中心"),
        ("上海市社区服务中心", "热线部", None),  # already complete
        ("上海市某某管理", "局办公室", "局"),  # shortest completing prefix
        ("上海市某某服务", "中心", None),  # nothing complete would stay behind
        ("上海市某某服务", "综合科", None),  # no short prefix completes the name
        ("", "中心", None),
    ],
)
def test_spilled_prefix(value, following, prefix):
    assert spilled_prefix(value, following) == prefix


@pytest.mark.parametrize(
    ("text", "bands"),
    [
        ("2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，60（含）-75分为合格，0-60分为不合格。",
         "优秀>=90;良好>=75;合格>=60;不合格>=0"),
        ("绩效等级：85（含）~100分为优，70（含）~85分为良，60分以下为差", "优>=85;良>=70;差<60"),
        ("绩效等级：90-100(含)分为优秀，0-90分为一般", "优秀>90;一般>=0"),
        ("依据本项目应实现的绩效目标进行绩效自评。", None),
        (None, None),
    ],
)
def test_grade_bands(text, bands):
    assert grade_bands(text) == bands


# --- synthetic reports for rules the seeds do not show ------------------------------

SYNTHETIC_HEADER = """项目绩效自我评价
项目名称：\t测试项目\t预算单位：\t上海市测试中心
当年预算数（万元）：\t12.5\t上年预算金额（万元）：\t10
预算执行数（万元）：\t12.4\t预算执行率（%）：\t99.20%
自评时间：\t2021年3月5日
绩效等级：\t良好
一级指标\t指标名称\t指标解释\t权重\t自评分\t备注
"""


def synthetic(table: str) -> str:
    return SYNTHETIC_HEADER + table + "合计\t\t\t100\t80\t\n"


def test_label_at_bottom_and_alone_on_a_row():
    text = synthetic(
        "\t甲\t\t30\t20\t\n"
        "投入与管理 (40分)\t乙\t\t10\t10\t\n"
        "\t丙\t\t25\t20\t备注文字\n"
        "产出目标\n"
        "(60分)\n"
        "\t丁\t\t35\t30\t\n"
    )
    report = parse_text(text)[0]
    assert [i.level1 for i in report.indicators] == ["投入与管理", "投入与管理", "产出目标", "产出目标"]
    assert report.indicators[2].remark == "备注文字"
    assert [(s.component, s.max_points, s.weight_sum) for s in report.scores[:2]] == [
        ("投入与管理", 40, 40), ("产出目标", 60, 60)]
    assert [n.code for n in report.notes] == ["orphan_rows_assigned_by_declared_points"] * 2
    fund = report.funds[0]
    assert fund.amount_unit == "万元" and fund.budget_full_year_yuan == Decimal("125000")
    assert fund.executed_yuan == Decimal("124000") and report.funds[1].budget_full_year_yuan == 100000
    assert report.project.evaluation_date == datetime.date(2021, 3, 5)


def test_year_printed_in_title_is_the_fiscal_year():
    text = synthetic("投入与管理 (100分)\t甲\t\t100\t80\t\n").replace("项目绩效自我评价", "项目绩效自我评价（2020年度）")
    project = parse_text(text)[0].project
    assert (project.fiscal_year, project.fiscal_year_source) == (2020, "document")
    assert project.title == "项目绩效自我评价（2020年度）"


def test_points_that_cannot_be_matched_fall_back_to_forward_fill():
    text = synthetic(
        "投入与管理 (36分)\t甲\t\t50\t40\t\n"
        "产出目标 (34分)\t乙\t\t50\t40\t\n"
    )
    report = parse_text(text)[0]
    assert [i.level1 for i in report.indicators] == ["投入与管理", "产出目标"]
    assert [n.code for n in report.notes] == ["declared_points_not_matched"]


def test_description_continued_across_page_break():
    text = synthetic("投入与管理 (100分)\t甲\t反映甲的\t100\t80\t\n\n\t\t情况\t\t\t\n")
    report = parse_text(text)[0]
    assert report.indicators[0].description == "反映甲的情况"
    assert report.indicators[0].source_line_end == report.indicators[0].source_line + 2
    assert [n.code for n in report.notes] == ["description_split_across_page_break"]


def test_narrative_wrapped_onto_next_line():
    text = SYNTHETIC_HEADER.replace("自评时间", "主要问题：\t第一行\n第二行\n自评时间") + "\t甲\t\t100\t80\t\n"
    report = parse_text(text)[0]
    assert report.project.main_problems == "第一行第二行"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("项目绩效自我评价\n项目名称：\t甲\n", "indicator table missing"),
        ("项目绩效自我评价\n一级指标\t指标名称\t指标解释\t权重\t自评分\t备注\n\t甲\t\t1\t1\t\n", "no project name"),
        (SYNTHETIC_HEADER + "合计\t\t\t100\t80\n", "indicator table has no indicator rows"),
        (SYNTHETIC_HEADER + "\t\t\t100\t80\n", "indicator row without a name"),
    ],
)
def test_rejections(text, reason):
    with pytest.raises(ReportRejected) as caught:
        parse_text(text)
    assert caught.value.reason.startswith(reason)


# --- regressions: probe findings ------------------------------------------------------

PIPE_HEADER = """| 项目绩效自我评价 |  |  |  |
|---|---|---|---|
| 项目名称： | 测试项目 | 预算单位： | 上海市测试中心 |
| 当年预算数（元）： | 1,000.00 | 上年预算金额（元）： | 900.00 |
| 绩效等级： | 良好 |  |  |

"""


def test_pipe_fragment_continues_the_column_it_is_printed_in():
    # A name split by a page break: the tail sits in the 指标名称 column, so it
    # continues the name even though the indicator has a description.
    text = PIPE_HEADER + (
        "| 一级指标 | 指标名称 | 指标解释 | 权重 | 自评分 | 备注 |\n"
        "|---|---|---|---|---|---|\n"
        "| 投入与管理<br>(60分) | 财务管理制度的健全性和执 | 财务制度是否健全 | 60 | 50 |  |\n"
        "\n"
        "|  |  |  |  |  |  |\n"
        "|---|---|---|---|---|---|\n"
        "|  | 行的有效性 |  |  |  |  |\n"
        "| 产出目标<br>(40分) | 乙 | 反映乙的 | 40 | 30 |  |\n"
        "|  |  | 情况 |  |  |  |\n"
        "|  | 丙续 | 描述续 |  |  | 备注续 |\n"
        "| 合计 |  |  | 100 | 80 |  |\n"
    )
    report = parse_text(text)[0]
    first, second = report.indicators
    assert (first.name, first.description) == ("财务管理制度的健全性和执行的有效性", "财务制度是否健全")
    assert (first.source_line, first.source_line_end) == (9, 13)
    assert (second.name, second.description, second.remark) == ("乙丙续", "反映乙的情况描述续", "备注续")
    assert (second.source_line, second.source_line_end) == (14, 16)
    assert [(n.code, n.source_line) for n in report.notes] == [
        ("name_split_across_page_break", 13),
        ("description_split_across_page_break", 15),
        ("name_split_across_page_break", 16),
    ]


def test_pdf_text_fragment_without_columns_keeps_the_description_rule():
    # PDF text loses the columns: a single fragment continues the description.
    text = synthetic("投入与管理 (100分) 甲 反映甲的 100 80\n行的有效性\n").replace("\t", " ")
    report = parse_text(text)[0]
    assert (report.indicators[0].name, report.indicators[0].description) == ("甲", "反映甲的行的有效性")


@pytest.mark.parametrize(
    ("weight", "score"),
    [("分值", "得分"), ("分数", "评分"), ("权重", "得分"), ("分值（分）", "自评分"), ("权重", "自评分")],
)
def test_scoring_header_variants(weight, score):
    text = synthetic("投入与管理 (40分)\t甲\t反映甲\t40\t30\t\n产出目标 (60分)\t乙\t\t60\t50\t\n")
    text = text.replace("\t权重\t自评分\t", f"\t{weight}\t{score}\t")
    report = parse_text(text)[0]
    assert [(i.name, i.description, i.weight, i.score) for i in report.indicators] == [
        ("甲", "反映甲", Decimal("40"), Decimal("30")),
        ("乙", None, Decimal("60"), Decimal("50")),
    ]
    assert (report.project.total_max_points, report.project.total_score) == (Decimal("100"), Decimal("80"))
    assert report.notes == []


def test_header_without_weight_or_score_column_is_not_a_table():
    text = SYNTHETIC_HEADER.replace("\t权重\t自评分\t", "\t目标值\t实际值\t") + "\t甲\t\t100\t80\t\n合计\t\t\t100\t80\n"
    with pytest.raises(ReportRejected) as caught:
        parse_text(text)
    assert caught.value.reason.startswith("indicator table missing")


def test_table_cut_off_without_total_row_is_rejected():
    # 2 of the rows, 40 of 100 points, and no 合计 row: the rest of the table is lost.
    text = SYNTHETIC_HEADER + "投入与管理 (40分)\t甲\t反映甲\t30\t30\t\n\t乙\t\t10\t8\t\n"
    with pytest.raises(ReportRejected) as caught:
        parse_text(text)
    assert caught.value.reason == (
        "indicator table has no total row (合计) and is cut off: its 2 rows (header line 7) carry 40 of 100 points"
    )
    assert caught.value.source_line == 9
    result = parse_document(Document.from_text("t.txt", text))
    assert result.reports == []
    assert [(r.family, r.source_line, r.reason_line) for r in result.rejections] == [(FAMILY, 1, 9)]


def test_complete_table_without_total_row_is_kept_with_a_note():
    text = SYNTHETIC_HEADER + "投入与管理 (40分)\t甲\t\t40\t30\t\n产出目标 (60分)\t乙\t\t60\t50\t\n"
    report = parse_text(text)[0]
    assert [i.name for i in report.indicators] == ["甲", "乙"]
    assert (report.project.total_score, report.project.total_max_points) == (None, None)
    assert [(n.code, n.source_line) for n in report.notes] == [("total_row_missing", 9)]


SECOND_BLOCK = """项目名称：\t第二项目\t预算单位：\t上海市第二中心
当年预算数（元）：\t2,000.00\t上年预算金额（元）：\t1,500.00
绩效等级：\t优秀
一级指标\t指标名称\t指标解释\t权重\t自评分\t备注
投入与管理 (100分)\t丁\t\t100\t95\t
合计\t\t\t100\t95\t
"""


def test_project_block_without_title_starts_a_new_report():
    first = synthetic("投入与管理 (100分)\t甲\t\t100\t80\t\n") + "说明：1、依据绩效目标自评。\n"
    text = first + SECOND_BLOCK
    result = parse_document(Document.from_text("t.txt", text))
    assert result.rejections == []
    one, two = result.reports
    assert (one.project.project_name, one.project.source_line, one.project.total_score) == ("测试项目", 1, 80)
    assert one.project.notes == "说明：1、依据绩效目标自评。"
    assert (two.project.project_name, two.project.source_line, two.project.title) == ("第二项目", 11, None)
    assert (two.project.implementing_unit, two.project.grade, two.project.total_score) == ("上海市第二中心", "优秀", 95)
    assert two.funds[0].budget_full_year_yuan == Decimal("2000.00")
    assert [(i.name, i.source_line) for i in two.indicators] == [("丁", 15)]
    assert [(n.code, n.source_line) for n in two.notes] == [("report_title_missing", 11)]


def test_broken_project_block_without_title_is_rejected_not_absorbed():
    first = synthetic("投入与管理 (100分)\t甲\t\t100\t80\t\n")
    text = first + "项目名称：\t第二项目\n绩效等级：\t优秀\n"
    result = parse_document(Document.from_text("t.txt", text))
    assert [r.project.project_name for r in result.reports] == ["测试项目"]
    assert result.reports[0].project.notes is None
    assert [(r.family, r.source_line, r.reason_line) for r in result.rejections] == [(FAMILY, 10, 10)]
    assert result.rejections[0].reason.startswith("indicator table missing")


# --- total row read by column ---------------------------------------------------------


@pytest.mark.parametrize(
    "total_row",
    [
        "合计\t\t\t\t91.22\t\n",  # tab: blank 权重 cell
        "| 合计 |  |  |  | 91.22 |  |\n",  # pipe: blank 权重 cell
        "合计 91.22\n",  # PDF text: the lone number equals the scores' sum
    ],
)
def test_total_row_with_blank_weight_keeps_the_score(total_row):
    table = "投入与管理 (40分)\t甲\t\t40\t35\t\n产出目标 (60分)\t乙\t\t60\t56.22\t\n"
    header = SYNTHETIC_HEADER
    if total_row.startswith("|"):
        header = header.replace("一级指标\t指标名称\t指标解释\t权重\t自评分\t备注", "| 一级指标 | 指标名称 | 指标解释 | 权重 | 自评分 | 备注 |")
        table = "| 投入与管理 (40分) | 甲 |  | 40 | 35 |  |\n| 产出目标 (60分) | 乙 |  | 60 | 56.22 |  |\n"
    report = parse_text(header + table + total_row)[0]
    assert report.project.total_score == Decimal("91.22")
    assert report.project.total_score_raw == "91.22"
    assert report.project.total_max_points is None
    total = next(s for s in report.scores if s.component == "total")
    assert (total.max_points, total.reported_score) == (None, Decimal("91.22"))
    assert [(n.code, n.source_line) for n in report.notes if n.code == "total_cell_blank"] == [("total_cell_blank", 10)]


def test_total_row_read_by_column_keeps_weight_and_score():
    report = parse_text(synthetic("投入与管理 (100分)\t甲\t\t100\t80\t\n"))[0]
    assert (report.project.total_max_points, report.project.total_score) == (100, 80)
    assert not [n for n in report.notes if n.code == "total_cell_blank"]
