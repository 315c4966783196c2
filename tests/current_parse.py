"""Parsing helpers shared by the current (2021 on) self-evaluation rule tests: a
report's head and tail around an indicator table, a text parsed with or without
rejections, and an indicator's facts in one tuple.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.families import parse_document


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


def one_report(text: str):
    result = parse_text("t", text)
    assert result.rejections == [], result.rejections
    assert len(result.reports) == 1
    return result.reports[0]


def rejected_reason(text: str) -> str:
    result = parse_text("t", text)
    assert result.reports == []
    assert len(result.rejections) == 1
    return result.rejections[0].reason


def facts(report):
    return [
        (i.seq, i.name, i.level1, i.level2, i.target_raw, i.actual_raw, i.weight, i.score, i.deviation_reason)
        for i in report.indicators
    ]


def line_of(text: str, cell: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.strip(" |\t") == cell)
