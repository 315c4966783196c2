"""A file's parse result as plain tuples: what a worker process sends back, what
the parse cache stores and what the table builder reads.

A ``FileResult`` holds one dataclass record per fund row, indicator, score row
and note: about 75 per file. Unpickling it rebuilds each of them through its
constructor, which cost the main process about 0.5 ms per file (18 CPU-seconds
at 100,000 reports, on top of the parsing). A ``PackedFile`` holds the same
values, each record as the tuple of its fields in declaration order: those
unpickle without a Python call (about 0.2 ms per file), and the table builder
appends them column by column without an attribute lookup per value.

``pack`` and ``unpack`` convert both ways without loss: ``unpack(pack(r)) == r``
for every result whose records hold only their fields (``tests/test_packed.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

from pipeline.families import Rejection
from pipeline.ingest import FileResult
from pipeline.records import FundRecord, IndicatorRecord, ParseNote, ProjectRecord, ProjectReport, ScoreRecord

#: The record types a report holds, each with its fields in declaration order: the order
#: of the values in its packed tuple.
RECORD_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(kind)) for kind in (ProjectRecord, FundRecord, IndicatorRecord, ScoreRecord, ParseNote)
}

#: A report as (project, funds, indicators, scores, notes), every record a tuple of its field values.
PackedReport = tuple[tuple, list[tuple], list[tuple], list[tuple], list[tuple]]

# attrgetter of two or more names returns a tuple (every record type has more than one field)
_values_of = {kind: attrgetter(*names) for kind, names in RECORD_FIELDS.items()}
_project_values, _fund_values, _indicator_values, _score_values, _note_values = _values_of.values()


def field_positions(kind: type) -> dict[str, int]:
    """Where each field of a record type sits in its packed tuple."""
    return {name: i for i, name in enumerate(RECORD_FIELDS[kind])}


def record_values(record: object) -> tuple:
    """A record's packed tuple: its field values in declaration order."""
    return _values_of[type(record)](record)


def pack_report(report: ProjectReport) -> PackedReport:
    return (
        _project_values(report.project),
        list(map(_fund_values, report.funds)),
        list(map(_indicator_values, report.indicators)),
        list(map(_score_values, report.scores)),
        list(map(_note_values, report.notes)),
    )


def unpack_report(packed: PackedReport) -> ProjectReport:
    project, funds, indicators, scores, notes = packed
    return ProjectReport(
        ProjectRecord(*project),
        [FundRecord(*values) for values in funds],
        [IndicatorRecord(*values) for values in indicators],
        [ScoreRecord(*values) for values in scores],
        [ParseNote(*values) for values in notes],
    )


@dataclass
class PackedFile:
    """A ``FileResult`` whose reports are packed (``PackedReport``); the other fields are the same."""

    source_file: str
    sha256: str | None
    bytes: int
    status: str
    encoding: str | None = None
    text_sha256: str | None = None
    families: list[str] = field(default_factory=list)
    reports: list[PackedReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    reason: str | None = None
    reason_line: int | None = None
    duplicate_of: str | None = None

    def __reduce__(self) -> tuple:
        # its field values, rebuilt by one constructor call (not an empty object and its __dict__)
        return PackedFile, _file_values(self)


FILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(FileResult))
_file_values = attrgetter(*FILE_FIELDS)
_REPORTS = FILE_FIELDS.index("reports")
assert FILE_FIELDS == tuple(f.name for f in fields(PackedFile)), "PackedFile must mirror FileResult field by field"


def pack(result: FileResult) -> PackedFile:
    values = list(_file_values(result))
    values[_REPORTS] = list(map(pack_report, result.reports))
    return PackedFile(*values)


def unpack(packed: PackedFile) -> FileResult:
    values = list(_file_values(packed))
    values[_REPORTS] = list(map(unpack_report, packed.reports))
    return FileResult(*values)
