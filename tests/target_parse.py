"""Parsing helpers shared by the target table tests: a text parsed without
rejections, and a synthetic report around a grid.
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
