"""One warehouse table as an Excel workbook with Chinese headers, and back.

Sheet 1 (named after the table's Chinese label) holds the data: the header row
carries each column's ``label_zh`` with a comment giving the English column
name, meaning and unit; the second sheet 字段说明 lists every column (Chinese
header, column name, type, unit, meaning), so the file explains itself and the
headers can be mapped back. Numbers are written as numbers with a format that
shows their scale; dates as dates; text is always stored as text (a value such
as ``=100(%)`` never becomes a formula).

Limits of the format, recorded in the result's ``notes`` rather than hidden:
Excel holds at most 1,048,576 rows and 32,767 characters per cell, cannot store
some control characters (line breaks are kept, as \\n), and keeps numbers as binary doubles (about 15
significant digits; money in 元 with 2 decimals is exact below 10 trillion).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pyarrow as pa
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

COLUMNS_SHEET = "字段说明"
COLUMNS_HEADER = ("中文表头 header", "列名 column", "类型 type", "单位 unit", "含义 meaning")
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
AUTHOR = "perfwarehouse"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class XlsxResult:
    path: Path | None  # None when the table could not be written as XLSX
    notes: list[str] = field(default_factory=list)


def _meta(f: pa.Field, key: str) -> str:
    return (f.metadata or {}).get(key.encode(), b"").decode("utf-8")


def header_label(f: pa.Field) -> str:
    return _meta(f, "label_zh") or f.name


def number_format(typ: pa.DataType, unit: str) -> str | None:
    """Excel number format showing a column's scale: money with thousands separators, years plain."""
    if pa.types.is_dictionary(typ):
        return None
    if pa.types.is_decimal(typ):
        shown = min(typ.scale, 2)
        integer = "#,##0" if unit == "元" else "0"
        return integer + ("." + "0" * shown + "#" * (typ.scale - shown) if typ.scale else "")
    if pa.types.is_integer(typ):
        return "0"
    if pa.types.is_date(typ):
        return "yyyy-mm-dd"
    if pa.types.is_timestamp(typ):
        return "yyyy-mm-dd hh:mm:ss"
    return None


def _sheet_title(label: str) -> str:
    title = _SHEET_FORBIDDEN.sub("_", label)[:31] or "data"
    return "data" if title == COLUMNS_SHEET else title


def spreadsheet_text(value: str) -> str:
    """The text a cell can hold: no control characters, line breaks as \\n (XML folds \\r anyway)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _text_cell(ws, value: str, counts: dict[str, int]) -> WriteOnlyCell:
    cleaned = spreadsheet_text(value)
    if ILLEGAL_CHARACTERS_RE.search(value):
        counts["control characters removed"] = counts.get("control characters removed", 0) + 1
    if len(cleaned) > MAX_CELL_CHARS:
        counts["cells truncated to 32767 characters"] = counts.get("cells truncated to 32767 characters", 0) + 1
        cleaned = cleaned[:MAX_CELL_CHARS]
    cell = WriteOnlyCell(ws, value=cleaned)
    cell.data_type = "s"  # never a formula, even when the text starts with '='
    return cell


def _header_cell(ws, f: pa.Field) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=header_label(f))
    cell.data_type = "s"
    unit = _meta(f, "unit")
    text = f.name + ("\n" + _meta(f, "meaning") if _meta(f, "meaning") else "") + (f" [{unit}]" if unit else "")
    cell.comment = Comment(text, AUTHOR, width=300, height=110)
    return cell


def _data_sheet(wb: Workbook, table: pa.Table, title: str) -> dict[str, int]:
    ws = wb.create_sheet(_sheet_title(title))
    fields = list(table.schema)
    formats = [number_format(f.type, _meta(f, "unit")) for f in fields]
    for i, f in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(header_label(f)) + 2))
    ws.freeze_panes = "A2"
    if fields:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{table.num_rows + 1}"
    ws.append([_header_cell(ws, f) for f in fields])
    counts: dict[str, int] = {}
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for values in zip(*columns):
        row = []
        for value, fmt in zip(values, formats):
            if isinstance(value, str):
                row.append(_text_cell(ws, value, counts))
                continue
            cell = WriteOnlyCell(ws, value=value)
            if fmt is not None and value is not None:
                cell.number_format = fmt
            row.append(cell)
        ws.append(row)
    return counts


def _columns_sheet(wb: Workbook, schema: pa.Schema) -> None:
    ws = wb.create_sheet(COLUMNS_SHEET)
    for i, width in enumerate((28, 30, 22, 8, 80), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(list(COLUMNS_HEADER))
    for f in schema:
        typ = "string (category)" if pa.types.is_dictionary(f.type) else str(f.type)
        ws.append([header_label(f), f.name, typ, _meta(f, "unit"), _meta(f, "meaning")])


def write_xlsx(table: pa.Table, path: Path, title: str) -> XlsxResult:
    """Write ``table`` to ``path``; returns the path (or None) and notes on anything Excel could not hold."""
    if table.num_rows + 1 > MAX_ROWS:
        return XlsxResult(None, [f"not written: {table.num_rows} rows exceed Excel's {MAX_ROWS - 1} data rows"])
    wb = Workbook(write_only=True)
    counts = _data_sheet(wb, table, title)
    _columns_sheet(wb, table.schema)
    wb.save(path)
    return XlsxResult(path, [f"{what}: {n}" for what, n in sorted(counts.items())])


# --- reading back ------------------------------------------------------------------


def _header_map(wb) -> dict[str, str]:
    """Chinese header -> column name, from the workbook's own 字段说明 sheet."""
    rows = wb[COLUMNS_SHEET].iter_rows(min_row=2, values_only=True)
    return {row[0]: row[1] for row in rows if row and row[0] is not None}


def _convert(value: object, typ: pa.DataType) -> object:
    """An Excel cell value as the column's Python value (decimals quantized to the column scale)."""
    if value is None or value == "":
        return None
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_decimal(typ):
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return exact.quantize(Decimal(1).scaleb(-typ.scale), rounding=ROUND_HALF_EVEN)
    if pa.types.is_integer(typ):
        return int(value)
    if pa.types.is_date(typ):
        return value.date() if isinstance(value, dt.datetime) else value
    if pa.types.is_boolean(typ):
        return bool(value)
    return str(value) if not isinstance(value, str) else value


def read_xlsx(path: Path, schema: pa.Schema) -> pa.Table:
    """A snapshot workbook back as a Table with ``schema``'s column names and types."""
    wb = load_workbook(path, read_only=True)
    try:
        names = _header_map(wb)
        data = wb.worksheets[0]
        rows = data.iter_rows(values_only=True)
        header = next(rows, ())
        columns = [names.get(label, label) for label in header if label is not None]
        if sorted(columns) != sorted(schema.names):
            raise ValueError(f"{path.name}: headers {columns} do not match the table's columns {schema.names}")
        values: dict[str, list] = {name: [] for name in columns}
        types = [schema.field(name).type for name in columns]
        for row in rows:
            row = tuple(row) + (None,) * (len(columns) - len(row))
            for name, typ, value in zip(columns, types, row):
                values[name].append(_convert(value, typ))
    finally:
        wb.close()
    arrays = [pa.array(values[name], type=schema.field(name).type) for name in schema.names]
    return pa.Table.from_arrays(arrays, schema=schema)
