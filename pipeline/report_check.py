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
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

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
    key_fields = _key_fields(table_name)
    seen: dict[tuple, int] = {}
    for record in records:
        key = tuple(getattr(record, k) for k in key_fields)
        if key in seen:
            shown = ", ".join(f"{k}={v}" for k, v in zip(key_fields, key))
            raise UnfitReport(
                f"two {what}s with the same {shown} (lines {seen[key]} and {record.source_line})", record.source_line
            )
        seen[key] = record.source_line


@lru_cache(maxsize=None)
def _key_fields(table_name: str) -> tuple[str, ...]:
    """The record fields that make a table's key within one report."""
    key_fields = [k for k in TABLES[table_name].key if k not in _ADDED_BY_TABLES]
    return tuple("fiscal_year_offset" if k == "fiscal_year" else k for k in key_fields)


def _fit_record(record: object, line_count: int) -> None:
    if not _surely_fits(record, line_count):
        _fit_fields(record, line_count)


def _fit_fields(record: object, line_count: int) -> None:
    """Check every field of a record in turn (rescaling exactly where it may); raises UnfitReport."""
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


# --- the fast screen: most records pass every check unchanged ---------------------------

_STR_OR_NONE = frozenset((str, type(None)))


class _Unscreened:
    """The type a field of a kind the screen has no test for must have (none does)."""


#: A field the screen tests besides the texts: its name, whether it may be None, the
#: exact type its value must have, and bounds: ``low <= value <= high`` for whole
#: numbers, ``adjusted() < high`` and at most ``low`` decimal places for decimals.
_Other = tuple[str, bool, type, int, int, bool]


@dataclass(frozen=True)
class _Screen:
    """What ``_surely_fits`` looks at in a record of one type: its text columns (all
    screened at once), those of them that may not be empty, and every other field
    that ``_fit_fields`` checks."""

    texts: Callable[[dict], tuple]  # the values of a record's ``__dict__`` at those names
    required_texts: Callable[[dict], tuple]
    others: tuple[_Other, ...]


def _surely_fits(record: object, line_count: int) -> bool:
    """True only if ``_fit_fields`` would find nothing to refuse and nothing to rescale
    in ``record``; False whenever it cannot tell (``_fit_fields`` then decides).

    It reads the record's ``__dict__``, screens all its texts in one go and makes
    no call per field: about twice as fast as ``_fit_fields``.
    """
    if type(record) not in _WHAT:
        return False
    screen = _screen_of(type(record))
    state = record.__dict__
    try:
        texts = screen.texts(state)
        if not _STR_OR_NONE.issuperset(map(type, texts)) or not all(screen.required_texts(state)):
            return False
        text = "".join(filter(None, texts))
        if not text.isascii():
            text.encode("utf-8")  # fails on a lone surrogate, like ``_text_problem``
        for name, nullable, kind, low, high, is_line in screen.others:
            value = state[name]
            if value is None:
                if nullable:
                    continue
                return False
            if type(value) is not kind:
                return False
            if kind is int:
                if not low <= value <= high or (is_line and value > line_count):
                    return False
            elif kind is Decimal:
                if not value.is_finite() or value.adjusted() >= high:
                    return False
                # str() writes exactly -exponent digits after the point unless it shows the
                # exponent (E): at most ``low`` of them, nothing to rescale (as_tuple() is slower)
                text = str(value)
                point = text.find(".")
                if "E" in text or (point >= 0 and len(text) - point - 1 > low):
                    return False
    except (KeyError, UnicodeEncodeError):
        return False
    return True


@lru_cache(maxsize=None)
def _screen_of(record_type: type) -> _Screen:
    texts, required, others = [], [], []
    for name, column, kind, typ, nullable in _checks_of(record_type)[1]:
        if kind == "string":
            texts.append(name)
            if not nullable:
                required.append(name)
        elif column is not None:
            others.append((name, nullable, *_type_and_bounds(column, kind, typ)))
        elif name == "fiscal_year_offset":  # the one plain field with a rule (``_plain_field_problem``)
            others.append((name, False, int, -50, 50, False))
    return _Screen(_values_at(texts), _values_at(required), tuple(others))


def _values_at(names: list[str]) -> Callable[[dict], tuple]:
    """``itemgetter(*names)``, always giving a tuple (even of one or no value)."""
    if len(names) == 1:
        name = names[0]
        return lambda state: (state[name],)
    return itemgetter(*names) if names else lambda state: ()


def _type_and_bounds(column: Column, kind: str, typ: pa.DataType) -> tuple[type, int, int, bool]:
    """The exact type and the bounds (see ``_Other``) of a value that surely passes
    ``_column_problem`` unchanged."""
    if kind == "decimal":
        return Decimal, typ.scale, typ.precision - typ.scale, False
    if kind == "integer":
        bits = typ.bit_width - 1
        is_line = column.name in _LINE_FIELDS
        return int, 1 if is_line else -(2**bits), 2**bits - 1, is_line
    if kind == "boolean":
        return bool, 0, 0, False
    if kind == "date":
        return date, 0, 0, False
    return _Unscreened, 0, 0, False
