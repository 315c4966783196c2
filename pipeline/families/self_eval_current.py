"""Parser for the self_evaluation_2021 report family (placeholder until implemented)."""

from __future__ import annotations

from pipeline.document import Row, Segment
from pipeline.records import ProjectReport, ReportRejected

FAMILY = "self_evaluation_2021"


def is_title(row: Row) -> bool:
    return False


def parse(segment: Segment) -> ProjectReport:
    raise ReportRejected("family parser not implemented", segment.first_line)
