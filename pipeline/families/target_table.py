"""Parser for the performance_target report family (placeholder until implemented)."""

from __future__ import annotations

from pipeline.document import Row, Segment
from pipeline.records import ProjectReport, ReportRejected

FAMILY = "performance_target"


def is_title(row: Row) -> bool:
    return False


def parse(segment: Segment) -> ProjectReport:
    raise ReportRejected("family parser not implemented", segment.first_line)
