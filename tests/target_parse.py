"""Parsing helpers shared by the target table tests: a text parsed without
rejections, a synthetic report around a grid, and what a test reads of it.
"""

from __future__ import annotations

from golden import seed_002 as golden
from pipeline.document import Document
from pipeline.families import parse_document
from pipeline.records import ProjectReport


def parse_text(text: str, name: str = golden.SOURCE_FILE) -> list[ProjectReport]:
    result = parse_document(Document.from_text(name, text))
    assert result.rejections == []
    return result.reports


def synthetic(header: str, grid: str) -> str:
    return f"财政项目支出绩效目标表\n（2021年度）\n{header}\n一级目标 二级目标 三级目标 指标目标值\n{grid}\n"


def parse_one(text: str) -> ProjectReport:
    reports = parse_text(text, "synthetic.txt")
    assert len(reports) == 1
    return reports[0]


def grid_of(report: ProjectReport) -> list[tuple]:
    return [(i.level1, i.level2, i.name, i.target_raw) for i in report.indicators]


def kept_notes(report: ProjectReport) -> list:
    """The notes but ``grid_may_be_cut_off``, which a deliberately partial test grid draws."""
    return [n for n in report.notes if n.code != "grid_may_be_cut_off"]
