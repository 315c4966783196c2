"""The funds block of the current self-evaluation template (pipeline/families/current_funds.py).

Each case is a whole small report whose funds block carries one layout variant;
expected amounts are read off the text (万元 x 10,000 = 元).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.document import Document
from pipeline.families import parse_document
from pipeline.records import FUND_CURRENT_APPROPRIATION, FUND_OTHER, FUND_PRIOR_CARRYOVER, FUND_TOTAL
from tests.forms import FORMS

D = Decimal

HEAD = """财政项目支出绩效自评表
(2023年度)
项目名称\t测试项目经费\t\t\t\t
主管部门\t上海市某局\t实施单位\t上海市某中心\t\t
"""
FUNDS_HEADER = "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分\n"
TAIL = """一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析
产出指标\t数量指标\t培训场次\t=4(次)\t4(次)\t90.00\t{score}\t
\t\t\t\t\t100\t{total}\t
评分等级\t优\t\t\t
"""


def report(funds_rows: str, header: str = FUNDS_HEADER, score: str = "90.00", total: str = "100") -> str:
    return HEAD + header + funds_rows + TAIL.format(score=score, total=total)


def funds_of(text: str) -> dict[str, tuple]:
    parsed = parse_document(Document.from_text("t.txt", text))
    assert not parsed.rejections, parsed.rejections
    (only,) = parsed.reports
    return {
        f.fund_source: (f.budget_initial_yuan, f.budget_full_year_yuan, f.executed_yuan,
                        f.execution_rate_reported_pct, f.weight, f.score)
        for f in only.funds
    }


def rejection_of(text: str) -> str:
    parsed = parse_document(Document.from_text("t.txt", text))
    assert not parsed.reports
    return parsed.rejections[0].reason


PLAIN_ROWS = """\t年度资金总额\t100.00\t100.00\t100.00\t10.00\t100.00\t10.00
\t其中：当年财政拨款\t100.00\t100.00\t100.00\t-\t100.00\t-
\t上年结转资金\t0.00\t0.00\t0.00\t-\t0.00\t-
\t其他资金\t0.00\t0.00\t0.00\t-\t0.00\t-
"""
PLAIN = {
    FUND_TOTAL: (D("1000000.00"), D("1000000.00"), D("1000000.00"), D("100.00"), D("10.00"), D("10.00")),
    FUND_CURRENT_APPROPRIATION: (D("1000000.00"), D("1000000.00"), D("1000000.00"), D("100.00"), None, None),
    FUND_PRIOR_CARRYOVER: (D("0"), D("0"), D("0"), D("0"), None, None),
    FUND_OTHER: (D("0"), D("0"), D("0"), D("0"), None, None),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_plain_block_reads_the_same_in_every_form(form):
    assert funds_of(FORMS[form](report(PLAIN_ROWS))) == PLAIN


def test_rates_printed_with_a_percent_sign():
    rows = """\t年度资金总额\t115.34\t111.71\t88.46\t10.00\t79.18%\t7.91
\t其中：当年财政拨款\t115.34\t111.71\t88.46\t-\t79.18%\t-
\t上年结转资金\t0.00\t0.00\t0.00\t-\t0.00%\t-
\t其他资金\t0.00\t0.00\t0.00\t-\t0.00%\t-
"""
    funds = funds_of(report(rows, score="80.00", total="87.91"))
    assert funds[FUND_TOTAL] == (D("1153400.00"), D("1117100.00"), D("884600.00"), D("79.18"), D("10.00"), D("7.91"))
    assert funds[FUND_OTHER][3] == D("0.00")


def test_blank_cells_in_tab_rows_are_values_not_printed_in_their_column():
    rows = """\t年度资金总额\t100.00\t105.00\t105.00\t10.00\t100.00\t10.00
\t其中：当年财政拨款\t100.00\t100.00\t100.00\t\t100.00\t
\t上年结转资金\t\t5.00\t5.00\t\t100.00\t
\t其他资金\t\t\t\t\t\t
"""
    funds = funds_of(report(rows))
    assert funds[FUND_TOTAL] == (D("1000000.00"), D("1050000.00"), D("1050000.00"), D("100.00"), D("10.00"), D("10.00"))
    assert funds[FUND_CURRENT_APPROPRIATION] == (D("1000000.00"), D("1000000.00"), D("1000000.00"), D("100.00"), None, None)
    # 年初 blank, 全年 and 执行 5.00 万元, 执行率 100.00 - not shifted into 年初
    assert funds[FUND_PRIOR_CARRYOVER] == (None, D("50000.00"), D("50000.00"), D("100.00"), None, None)
    assert funds[FUND_OTHER] == (None, None, None, None, None, None)


def test_blank_cells_in_pdf_text_cannot_be_placed_and_reject_the_report():
    rows = "年度资金总额 100.00 105.00 105.00 10.00 100.00 10.00\n上年结转资金 5.00 5.00 100.00\n"
    reason = rejection_of(report(rows, header="项目资金（万元） 年初预算数 全年预算数 全年执行数 分数 执行率 得分\n"))
    assert reason == "fund row 上年结转资金 has 3 values for 6 columns"


def test_the_unit_on_a_line_of_its_own_above_the_block():
    text = report(PLAIN_ROWS, header="单位：万元\n项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分\n")
    assert funds_of(text) == PLAIN
    in_yuan = report(PLAIN_ROWS, header="金额单位:元\n项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分\n")
    assert funds_of(in_yuan)[FUND_TOTAL][:3] == (D("100.00"), D("100.00"), D("100.00"))


def test_no_unit_anywhere_rejects_the_report():
    text = report(PLAIN_ROWS, header="项目资金\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率\t得分\n")
    assert rejection_of(text) == "funds header prints no money unit (万元 / 元)"


def test_a_word_among_the_amounts_rejects_the_report():
    rows = PLAIN_ROWS.replace("\t其他资金\t0.00\t0.00", "\t其他资金\t0.00\t约零")
    assert rejection_of(report(rows)) == "fund row 其他资金 holds a value that is not a number"
