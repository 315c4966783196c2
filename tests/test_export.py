"""The BI export: a consistent, atomic snapshot that round-trips in all three formats
and opens with Chinese headers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from seed_warehouse import seed_tables, seed_warehouse  # noqa: F401 - fixture

import pipeline.export as export
from pipeline.export import FORMATS, MANIFEST_NAME, ExportError, export_snapshot, read_back, read_csv, write_csv
from pipeline.schema import CATEGORY, MONEY, PERCENT, TABLES, VALUE, Column, Table
from pipeline.warehouse import current_build, publish
from pipeline.xlsx import COLUMNS_SHEET, read_xlsx, spreadsheet_text, write_xlsx


@pytest.fixture(scope="module")
def snapshot(seed_warehouse, tmp_path_factory) -> Path:  # noqa: F811
    dest = tmp_path_factory.mktemp("export") / "snapshot"
    export_snapshot(seed_warehouse, dest)
    return dest


def published(warehouse: Path, name: str) -> pa.Table:
    return pq.read_table(warehouse / f"{name}.parquet")


def empty_strings_as_null(table: pa.Table) -> pa.Table:
    """What a spreadsheet keeps of a table: an empty string and an empty cell are the same."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_string(field.type) or pa.types.is_dictionary(field.type):
            text = column.cast(pa.string())
            column = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text).cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


# --- the seed snapshot ----------------------------------------------------------------


def test_snapshot_holds_every_table_in_every_format(seed_warehouse, snapshot):  # noqa: F811
    names = {p.name for p in snapshot.iterdir()}
    assert names == {f"{t}.{fmt}" for t in TABLES for fmt in FORMATS} | {MANIFEST_NAME}
    manifest = json.loads((snapshot / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["build"] == current_build(seed_warehouse).name
    assert manifest["tables"]["projects"]["rows"] == 13  # 4 + 1 + 2 + 4 + 2 project reports in the seeds
    assert manifest["tables"]["funds"]["rows"] == published(seed_warehouse, "funds").num_rows


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_copy_is_the_published_file(seed_warehouse, snapshot, name):  # noqa: F811
    back = read_back(snapshot, name, "parquet")
    assert back.equals(published(seed_warehouse, name), check_metadata=True)


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_round_trips_exactly(seed_warehouse, snapshot, name):  # noqa: F811
    assert read_back(snapshot, name, "csv").equals(published(seed_warehouse, name))


@pytest.mark.parametrize("name", list(TABLES))
def test_xlsx_round_trips_after_mapping_chinese_headers(seed_warehouse, snapshot, name):  # noqa: F811
    expected = empty_strings_as_null(published(seed_warehouse, name))
    assert read_back(snapshot, name, "xlsx").equals(expected)


def test_csv_is_utf8_with_bom_and_exact_decimal_text(snapshot):
    raw = (snapshot / "funds.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.splitlines()[0].split(",")[:3] == ['"project_id"', '"fiscal_year"', '"fund_source"']
    assert "70785200.00" in text and "99.99944480" in text  # 001: 元 and computed rate, no float in between
    assert "其中：当年财政拨款" in text


def test_xlsx_opens_with_chinese_headers_english_names_and_typed_cells(snapshot):
    wb = load_workbook(snapshot / "funds.xlsx")
    data, columns = wb.worksheets[0], wb[COLUMNS_SHEET]
    assert data.title == "项目资金"
    header = [c.value for c in data[1]]
    assert header == [c.label_zh for c in TABLES["funds"].columns]
    assert data.cell(1, 6).comment.text.startswith("budget_initial_yuan\ninitial budget [元]")
    listed = [(r[0], r[1]) for r in columns.iter_rows(min_row=2, values_only=True)]
    assert listed == [(c.label_zh, c.name) for c in TABLES["funds"].columns]
    money = header.index("年初预算数") + 1
    amounts = [data.cell(r, money) for r in range(2, data.max_row + 1) if data.cell(r, money).value is not None]
    assert amounts and all(c.data_type == "n" and c.number_format == "#,##0.00" for c in amounts)
    year = data.cell(2, header.index("年度") + 1)
    assert isinstance(year.value, int) and year.number_format == "0"


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(snapshot):
    wb = load_workbook(snapshot / "indicators.xlsx")
    data = wb.worksheets[0]
    targets = [c for c in data[1 + 0] if c.value == "年度指标值/指标目标值"][0].column
    cells = [data.cell(r, targets) for r in range(2, data.max_row + 1)]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)  # e.g. 000D "=100(%)"


def test_xlsx_dates_are_dates(snapshot):
    back = read_back(snapshot, "projects", "xlsx")
    dates = [d for d in back.column("evaluation_date").to_pylist() if d is not None]
    assert dt.date(2020, 4, 10) in dates  # 001 自评时间


# --- atomicity and refusals ---------------------------------------------------------------


def test_refuses_a_non_empty_folder_that_is_not_a_snapshot(seed_warehouse, tmp_path):  # noqa: F811
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty"):
        export_snapshot(seed_warehouse, dest)
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left behind


def test_refuses_when_nothing_is_published(tmp_path):
    with pytest.raises(ExportError, match="no published warehouse"):
        export_snapshot(tmp_path / "warehouse", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_writes_into_an_empty_folder_and_replaces_an_earlier_snapshot(seed_warehouse, tmp_path):  # noqa: F811
    dest = tmp_path / "snap"
    dest.mkdir()
    first = export_snapshot(seed_warehouse, dest, formats=("parquet", "csv"))
    assert all(p.exists() for p in first) and not list(dest.glob("*.xlsx"))
    second = export_snapshot(seed_warehouse, dest, formats=("csv",))
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in second)
    assert not list(dest.glob("*.parquet"))  # the earlier snapshot was replaced as a whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_a_failure_half_way_leaves_the_earlier_snapshot_intact(seed_warehouse, tmp_path, monkeypatch):  # noqa: F811
    dest = tmp_path / "snap"
    export_snapshot(seed_warehouse, dest, formats=("csv",))
    before = {p.name: p.read_bytes() for p in dest.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        export_snapshot(seed_warehouse, dest)
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_snapshot_is_of_one_build_even_when_a_rebuild_follows(seed_warehouse, tmp_path):  # noqa: F811
    warehouse = tmp_path / "warehouse"
    tables = seed_tables()
    publish(tables, warehouse)
    first_build = current_build(warehouse).name
    calls = []

    def rebuild_after_first_file(table: str, fmt: str) -> None:
        if not calls:
            publish({**tables, "projects": tables["projects"].slice(0, 1)}, warehouse)
        calls.append((table, fmt))

    dest = tmp_path / "snap"
    export_snapshot(warehouse, dest, progress=rebuild_after_first_file)
    manifest = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["build"] == first_build != current_build(warehouse).name
    assert read_back(dest, "projects", "parquet").num_rows == 13
    assert len(calls) == len(TABLES) * len(FORMATS)


def test_unknown_format_is_refused(seed_warehouse, tmp_path):  # noqa: F811
    with pytest.raises(ValueError, match="formats"):
        export_snapshot(seed_warehouse, tmp_path / "x", formats=("pdf",))


def test_rows_beyond_excel_limit_are_noted_not_written(tmp_path, monkeypatch):
    import pipeline.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    table = TABLES["rejections"].schema.empty_table()
    small = write_xlsx(table, tmp_path / "small.xlsx", "拒收记录")
    assert small.path is not None and not small.notes
    rows = pa.Table.from_pylist([{"source_file": "f", "source_line": i, "reason": "r"} for i in range(5)],
                                schema=TABLES["rejections"].schema)
    big = write_xlsx(rows, tmp_path / "big.xlsx", "拒收记录")
    assert big.path is None and "exceed" in big.notes[0] and not (tmp_path / "big.xlsx").exists()


# --- round trips on made-up content ----------------------------------------------------------

C = Column
ODD = Table(
    "odd",
    "made-up rows to exercise the formats",
    "测试",
    ("id",),
    (
        C("id", pa.int32(), "row id", "编号", nullable=False),
        C("amount_yuan", MONEY, "money", "金额", "元"),
        C("rate_pct", PERCENT, "percent", "比率", "%"),
        C("value", VALUE, "indicator number", "数值"),
        C("kind", CATEGORY, "category", "类别"),
        C("text", pa.string(), "free text", "文本"),
        C("day", pa.date32(), "a date", "日期"),
        C("flag", pa.bool_(), "a flag", "标志"),
        C("year", pa.int16(), "a year", "年度", "year"),
    ),
)


def _decimal(digits: int, places: int):
    bound = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
    return st.one_of(st.none(), st.decimals(min_value=-bound, max_value=bound, places=places,
                                            allow_nan=False, allow_infinity=False))


ROWS = st.lists(
    st.fixed_dictionaries({
        "amount_yuan": _decimal(14, 2),  # up to 1 trillion 元: exact in an Excel double
        "rate_pct": _decimal(8, 4),
        "value": _decimal(15, 8),
        "kind": st.one_of(st.none(), st.sampled_from(["total", "其他资金", "=1", ""])),
        "text": st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
                          st.sampled_from(["=100(%)", "≥98(%)", '引号"和,逗号', "多行\r\n文本\r", "  空格  ", "\x01控制"])),
        "day": st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))),
        "flag": st.one_of(st.none(), st.booleans()),
        "year": st.one_of(st.none(), st.integers(1990, 2100)),
    }),
    max_size=12,
)


def odd_table(rows: list[dict]) -> pa.Table:
    rows = [{"id": i, **row} for i, row in enumerate(rows)]
    return pa.Table.from_pylist(rows, schema=ODD.schema)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ROWS)
def test_csv_round_trip_is_exact_for_any_content(tmp_path, rows):
    table = odd_table(rows)
    path = write_csv(table, tmp_path / "odd.csv")
    assert read_csv(path, ODD.schema).equals(table)


def spreadsheet_view(table: pa.Table) -> pa.Table:
    """Expected after XLSX: '' is null; control characters dropped, \\r folded to \\n; nothing else changes."""
    table = empty_strings_as_null(table)
    text = [None if v is None else spreadsheet_text(v) or None for v in table.column("text").to_pylist()]
    return table.set_column(table.schema.get_field_index("text"), table.schema.field("text"),
                            pa.array(text, pa.string()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ROWS)
def test_xlsx_round_trip_for_any_content(tmp_path, rows):
    table = odd_table(rows)
    result = write_xlsx(table, tmp_path / "odd.xlsx", ODD.label_zh)
    assert read_xlsx(result.path, ODD.schema).equals(spreadsheet_view(table))


def test_export_follows_the_current_link_not_the_newest_folder(tmp_path):
    # A run killed between writing its folder and switching `current` leaves a newer folder behind.
    warehouse = tmp_path / "warehouse"
    publish(seed_tables(), warehouse)
    orphan = warehouse / "versions" / "99991231T235959-000000000"
    orphan.mkdir()
    (orphan / "projects.parquet").write_bytes(b"not parquet")
    dest = tmp_path / "snap"
    export_snapshot(warehouse, dest, formats=("parquet",))
    assert read_back(dest, "projects", "parquet").num_rows == 13
