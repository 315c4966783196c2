"""Detect which template a document holds, split it into one segment per project
report, and hand each segment to its family's parser (see the package's docstring).

It lives apart from the package's ``__init__`` so that it is compiled with the
parsers (``pipeline.compiled``): ``family_of`` looks at every row of every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Document, Row, Segment
from pipeline.families import self_eval_current, self_eval_legacy, target_table
from pipeline.families.common import opens_project
from pipeline.records import ProjectReport, ReportRejected
from pipeline.text import clean_name

#: Order matters: the first family whose title matches a row claims it.
FAMILIES = (self_eval_current, self_eval_legacy, target_table)


@dataclass
class Rejection:
    family: str
    source_line: int
    reason: str
    reason_line: int | None


@dataclass
class DocumentParse:
    """What one document yields: its reports and the segments that were rejected."""

    families: list[str] = field(default_factory=list)
    reports: list[ProjectReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: The document's report segments, as ``split_segments`` cut them (kept so they are cut once).
    segments: list[Segment] = field(default_factory=list, repr=False, compare=False)


def family_of(row: Row) -> str | None:
    """The family whose report title this row is, if any.

    Every ``is_title`` is ``common.title_matches``: false for a row of no or more
    than two cells, else decided by the row's ``joined_key`` alone, so the answer
    is remembered per joined key.
    """
    values = row.values
    if not values or len(values) > 2:
        return None
    key = row.joined_key
    family = _FAMILY_BY_KEY.get(key, _UNKNOWN)
    if family is _UNKNOWN:
        family = next((module.FAMILY for module in FAMILIES if module.is_title(row)), None)
        if len(_FAMILY_BY_KEY) >= _FAMILY_BY_KEY_MAX:
            _FAMILY_BY_KEY.clear()
        _FAMILY_BY_KEY[key] = family
    return family


_UNKNOWN = object()
_FAMILY_BY_KEY: dict[str, str | None] = {}
_FAMILY_BY_KEY_MAX = 1 << 16


def split_segments(document: Document) -> list[Segment]:
    """Cut the document at every report title.

    Rows before the first title are dropped, unless a 项目名称 row is among them: then
    they hold a report whose title is missing or damaged, read as one of the family
    of the first title (its parser notes the missing title, or rejects it with a reason).
    That report also keeps the short rows (one or two cells) right above its 项目名称
    row: the damaged title, the year line, 申报单位名称 are its own (see ``_report_start``).
    """
    segments: list[Segment] = []
    current: list[Row] = []
    family: str | None = None
    for row in document.rows:
        found = family_of(row)
        if found is not None:
            if family is not None:
                segments.append(Segment(document, current, family))
            elif (start := _first_project_row(current)) is not None:
                segments.append(Segment(document, current[_report_start(current, start):], found))
            current, family = [row], found
        else:
            current.append(row)
    if family is not None:
        segments.append(Segment(document, current, family))
    return [part for segment in segments for part in _split_untitled(segment)]


def _first_project_row(rows: list[Row]) -> int | None:
    return next((i for i, row in enumerate(rows) if opens_project(row)), None)


def _report_start(rows: list[Row], project_row: int) -> int:
    """Where an untitled report begins: its 项目名称 row, or above it the run of short rows
    (blank, or of one or two cells: a title, a year line, a label and its value) next to it.
    A wider row (a table's) ends the run."""
    start = project_row
    while start > 0 and len(rows[start - 1].values) <= 2:
        start -= 1
    return start


def _split_untitled(segment: Segment) -> list[Segment]:
    splitter = getattr(_MODULES[segment.family], "split_segment", None)
    return splitter(segment) if splitter is not None else [segment]


_MODULES = {module.FAMILY: module for module in FAMILIES}


_PARSERS = {module.FAMILY: module.parse for module in FAMILIES}


def with_clean_names(report: ProjectReport) -> ProjectReport:
    """The report with its project and indicator names cleaned by ``clean_name``."""
    report.project.project_name = clean_name(report.project.project_name)
    for indicator in report.indicators:
        indicator.name = clean_name(indicator.name)
    return report


def parse_document(document: Document) -> DocumentParse:
    """Parse every report segment of a document; a broken segment never stops the others."""
    result = DocumentParse(segments=split_segments(document))
    for segment in result.segments:
        if segment.family not in result.families:
            result.families.append(segment.family)
        try:
            result.reports.append(with_clean_names(_PARSERS[segment.family](segment)))
        except ReportRejected as rejected:
            result.rejections.append(
                Rejection(segment.family, segment.first_line, rejected.reason, rejected.source_line)
            )
        except Exception as exc:  # noqa: BLE001 - content must never crash the run
            result.rejections.append(
                Rejection(segment.family, segment.first_line, f"parser error: {type(exc).__name__}: {exc}", None)
            )
    return result
