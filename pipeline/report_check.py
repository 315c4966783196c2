"""Does a parsed report fit the warehouse? The last guard before the tables.

Parsers return typed records, but a damaged or unusual report can still give a
fact the warehouse cannot store: a required field left empty, a number too
large or too precise for its column, a line number outside the file, a value
the blocking integrity checks refuse (``pipeline.report_contract``). Such a
report must be rejected with a reason, not crash or block the whole run.
``fit_report`` checks every record against the data dictionary
(``pipeline.schema``) and repairs only what is exact: a decimal with trailing
zeros beyond the column's scale (``55070152.0000`` 元) is rescaled.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from decimal import Decimal
from functools import lru_cache

import pyarrow as pa

from pipeline.records import FundRecord, IndicatorRecord, ParseNote, ProjectRecord, ProjectReport, ScoreRecord
from pipeline.report_contract import ContractBroken, check_report
from pipeline.schema import TABLES, Column

#: Columns the tables add themselves (not the parser's to fill).
_ADDED_BY_TABLES = {"project_id", "source_file", "agency", "source_url", "fiscal_year_source", "execution_rate_pct"}
_LINE_FIELDS = {"source_line", "source_line_end"}
#: What UTF-8 cannot encode: a lone surrogate (e.g. from undecodable bytes).
_SURROGATE = re.compile("[\ud800-\udfff]")

_WHAT = {
    ProjectRecord: ("projects", "project"),
    FundRecord: ("funds", "fund row"),
    IndicatorRecord: ("indicators", "indicator"),
    ScoreRecord: ("scores", "score row"),
    ParseNote: ("parse_notes", "parse note"),
}


class UnfitReport(Exception):
    """A report with a fact the warehouse cannot store; ``line`` is where it is."""

    def __init__(self, reason: str, line: int | None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


def fit_report(report: ProjectReport, line_count: int) -> None:
    """Check (and exactly rescale) every record of a report; raises UnfitReport."""
    if not isinstance(report, ProjectReport) or not isinstance(report.project, ProjectRecord):
        raise UnfitReport(f"the parser returned {type(report).__name__}, not a project report", None)
    _fit_record(report.project, line_count)
    lists = (("funds", FundRecord), ("indicators", IndicatorRecord), ("scores", ScoreRecord), ("notes", ParseNote))
    for attr, kind in lists:
        records = getattr(report, attr)
        if not isinstance(records, list):
            raise UnfitReport(f"the parser returned {attr} as {type(records).__name__}, not a list", None)
        for record in records:
            if not isinstance(record, kind):
                raise UnfitReport(f"the parser returned a {type(record).__name__} among the {attr}", None)
            _fit_record(record, line_count)
    for attr, what in (("funds", "fund row"), ("indicators", "indicator"), ("scores", "score row")):
        _check_unique(getattr(report, attr), attr, what)
    try:
        check_report(report)
    except ContractBroken as exc:
        raise UnfitReport(exc.reason, exc.line) from None


def _check_unique(records: list, table_name: str, what: str) -> None:
    """Two records of one report must not share the table's key (e.g. indicator seq)."""
    key_fields = [k for k in TABLES[table_name].key if k not in _ADDED_BY_TABLES]
    key_fields = ["fiscal_year_offset" if k == "fiscal_year" else k for k in key_fields]
    seen: dict[tuple, int] = {}
    for record in records:
        key = tuple(getattr(record, k) for k in key_fields)
        if key in seen:
            shown = ", ".join(f"{k}={v}" for k, v in zip(key_fields, key))
            raise UnfitReport(
                f"two {what}s with the same {shown} (lines {seen[key]} and {record.source_line})", record.source_line
            )
        seen[key] = record.source_line


def _fit_record(record: object, line_count: int) -> None:
    what, checks = _checks_of(type(record))
    line = getattr(record, "source_line", None)
    for name, column, kind, typ, nullable in checks:
        value = getattr(record, name)
        if value is None and nullable:
            continue  # the commonest case: a column left empty that may be
        if kind == "string" and type(value) is str and value and (value.isascii() or not _SURROGATE.search(value)):
            continue  # the common case, surely storable (the text checks below, without the calls)
        if column is None:
            problem = _plain_field_problem(name, value)
        else:
            problem, fitted = _column_problem(column, value, line_count, kind, typ)
            if problem is None and fitted is not value:
                setattr(record, name, fitted)
        if problem:
            where = f"{what} at line {line}" if isinstance(line, int) and not isinstance(line, bool) else what
            label = f"{column.label_zh} ({name})" if column else name
            raise UnfitReport(f"{where}: {label} {problem}", line if isinstance(line, int) and line >= 1 else None)


_Check = tuple[str, "Column | None", str, "pa.DataType | None", bool]


@lru_cache(maxsize=None)
def _checks_of(record_type: type) -> tuple[str, tuple[_Check, ...]]:
    """What a record of this type is called, and each of its fields with its column
    (if any), the kind of check the column's values get and whether it may be null."""
    table_name, what = _WHAT[record_type]
    columns = {c.name: c for c in TABLES[table_name].columns}
    checks = []
    for f in fields(record_type):
        column = columns.get(f.name)
        kind, typ = _kind_of(column) if column is not None else ("", None)
        checks.append((f.name, column, kind, typ, column is not None and _may_be_null(column)))
    return what, tuple(checks)


def _may_be_null(column: Column) -> bool:
    """A column that may be left empty (nullable, or filled by the tables themselves)."""
    return column.nullable or column.name in _ADDED_BY_TABLES


def _plain_field_problem(name: str, value: object) -> str | None:
    """Fields that are not columns (e.g. fiscal_year_offset) must be small ints."""
    if name == "fiscal_year_offset" and (not isinstance(value, int) or isinstance(value, bool) or abs(value) > 50):
        return f"is {value!r}, not a small whole number"
    return None


def _column_problem(
    column: Column, value: object, line_count: int, kind: str, typ: pa.DataType
) -> tuple[str | None, object]:
    """Why ``value`` cannot be stored in ``column`` (None if it can), and the value to store;
    ``kind`` and ``typ`` are the column's ``_kind_of``."""
    if value is None or value == "":
        if not _may_be_null(column):
            return "is missing", value
        return None, value
    if kind == "decimal":
        return _decimal_problem(value, typ)
    if kind == "boolean":
        return (None if isinstance(value, bool) else f"is {value!r}, not yes/no"), value
    if kind == "integer":
        return _integer_problem(column, value, typ, line_count), value
    if kind == "date":
        return (None if isinstance(value, date) else f"is {value!r}, not a date"), value
    if kind == "string":
        return _text_problem(value), value
    return None, value


def _kind_of(column: Column) -> tuple[str, pa.DataType]:
    """The kind of check a column's values get, and the (dictionary value) type they are checked against."""
    typ = column.type
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    for kind, test in (
        ("decimal", pa.types.is_decimal),
        ("boolean", pa.types.is_boolean),
        ("integer", pa.types.is_integer),
        ("date", pa.types.is_date),
        ("string", pa.types.is_string),
    ):
        if test(typ):
            return kind, typ
    return "other", typ


def _decimal_problem(value: object, typ: pa.Decimal128Type) -> tuple[str | None, object]:
    if not isinstance(value, Decimal):
        return f"is {value!r} ({type(value).__name__}), not an exact decimal", value
    if not value.is_finite():
        return f"is {value}, not a number", value
    sign, digits, exponent = value.as_tuple()
    if len(digits) + exponent > typ.precision - typ.scale:
        return f"{value} is too large (more than {typ.precision - typ.scale} digits before the decimal point)", value
    if -exponent > typ.scale:
        rescaled = value.quantize(Decimal(1).scaleb(-typ.scale))
        if rescaled != value:
            return f"{value} has more than {typ.scale} decimal places; the warehouse would have to round it", value
        return None, rescaled
    return None, value


def _integer_problem(column: Column, value: object, typ: pa.DataType, line_count: int) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"is {value!r}, not a whole number"
    bits = typ.bit_width - 1
    if not -(2**bits) <= value < 2**bits:
        return f"{value} is out of range"
    if column.name in _LINE_FIELDS and not 1 <= value <= line_count:
        return f"{value} is not a line of the file (it has {line_count} lines)"
    return None


def _text_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"is {value!r} ({type(value).__name__}), not text"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds characters that are not valid Unicode"
    return None
