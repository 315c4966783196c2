"""Parse results packed into tuples (pipeline/packed.py): lossless, and what the
table builder, the cache and the worker processes exchange."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.cache import ParseCache, parse_fresh
from pipeline.ingest import FileResult, parse_bytes
from pipeline.packed import FILE_FIELDS, RECORD_FIELDS, PackedFile, pack, unpack
from pipeline.records import FundRecord, ParseNote, ProjectReport
from pipeline.schema import TABLES
from pipeline.sources import discover, read_manifest
from pipeline.synthetic import generate_file, plan
from pipeline.tables import TableBuilder, _Columns, build_tables, columns_to_arrow

ROOT = Path(__file__).resolve().parent.parent


def sample_results() -> list[FileResult]:
    """The seeds, every malformed input and a small synthetic corpus, parsed."""
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    bad = ROOT / "tests" / "bad_inputs" / "files"
    files += [(str(p.relative_to(bad)), p.read_bytes()) for p in sorted(bad.rglob("*")) if p.is_file()]
    files += [(g.source_file, g.data) for g in (generate_file(7, e) for e in plan(60, 7))]
    return [parse_bytes(name, data) for name, data in files]


@pytest.fixture(scope="module")
def results() -> list[FileResult]:
    return sample_results()


def test_every_record_type_is_rebuilt_from_its_fields_in_order():
    """``unpack`` calls each record's constructor with its packed values: every field must be a
    positional constructor argument, and nothing may run after __init__ that packing would lose."""
    for kind, names in RECORD_FIELDS.items():
        fields = dataclasses.fields(kind)
        assert all(f.init and not f.kw_only for f in fields) and not hasattr(kind, "__post_init__"), kind
        assert names == tuple(f.name for f in fields)
    assert FILE_FIELDS == tuple(f.name for f in dataclasses.fields(PackedFile))


def test_packing_loses_nothing(results):
    assert sum(len(r.reports) for r in results) > 100
    assert any(r.rejections for r in results) and any(r.reason for r in results)
    for result in results:
        packed = pack(result)
        assert unpack(packed) == result
        assert pickle.loads(pickle.dumps(packed)) == packed


def test_a_packed_report_is_made_of_tuples_only(results):
    """What crosses between processes unpickles without calling a record's constructor."""
    report = next(r for r in results if r.reports).reports[0]
    project, funds, indicators, scores, notes = pack(FileResult("a", None, 0, "parsed", reports=[report])).reports[0]
    assert type(project) is tuple and len(project) == len(RECORD_FIELDS[type(report.project)])
    for packed_rows, records in ((funds, report.funds), (indicators, report.indicators), (scores, report.scores),
                                 (notes, report.notes)):
        assert [type(row) for row in packed_rows] == [tuple] * len(records)
        assert [len(row) for row in packed_rows] == [len(RECORD_FIELDS[type(r)]) for r in records]


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_tables_are_the_same_from_results_or_packed_results(results):
    manifest, _ = read_manifest(ROOT / "data" / "raw")
    ordered = sorted(results, key=lambda r: r.source_file)
    from_results = build_tables(ordered, manifest)
    builder = TableBuilder(manifest, flush_every=7)  # several chunks, some of them partly empty
    for result in ordered:
        builder.add(pack(result))
    from_packed = builder.finish()
    assert set(from_results.arrow) == set(from_packed.arrow)
    for name, table in from_results.arrow.items():
        assert _ipc(table.combine_chunks()) == _ipc(from_packed[name].combine_chunks()), name


def test_building_tables_never_changes_the_results_given(results):
    """The manifest's fiscal year and the notes it adds land in the tables, not in the
    (possibly cached, reused) results."""
    raw = ROOT / "data" / "raw"
    manifest, _ = read_manifest(raw)
    seeds = sorted((r for r in results if r.source_file in manifest and r.reports), key=lambda r: r.source_file)
    before = [dataclasses.asdict(report) for r in seeds for report in r.reports]
    packed = [pack(r) for r in seeds]
    packed_before = pickle.dumps(packed)
    build_tables(seeds, manifest)
    builder = TableBuilder(manifest)
    for p in packed:
        builder.add(p)
    tables = builder.finish()
    assert [dataclasses.asdict(report) for r in seeds for report in r.reports] == before
    assert pickle.dumps(packed) == packed_before
    years = tables["projects"].column("fiscal_year_source").to_pylist()
    assert None not in years and set(years) <= {"document", "manifest", "evaluation_date"}


def test_the_cache_stores_packed_results_and_returns_either_form(tmp_path, results):
    result = next(r for r in results if r.reports)
    cache = ParseCache(tmp_path)
    cache.put(result)
    assert isinstance(cache.get_packed(result.sha256, "b.txt"), PackedFile)
    again = cache.get(result.sha256, "b.txt")
    assert isinstance(again, FileResult) and again.reports == result.reports and again.source_file == "b.txt"


def test_fresh_results_come_packed_serial_or_parallel(tmp_path):
    raw = ROOT / "data" / "raw"
    files = sorted(discover(raw), key=lambda f: f.source_file)
    serial = list(parse_fresh(files, ParseCache(tmp_path / "a"), workers=1))
    parallel = list(parse_fresh(files, ParseCache(tmp_path / "b"), workers=2))
    assert all(isinstance(p, PackedFile) for p in serial + parallel)
    assert serial == parallel
    assert [unpack(p).reports for p in serial] == [parse_bytes(f.source_file, f.path.read_bytes()).reports for f in files]


def test_columns_refuse_rows_that_do_not_line_up():
    columns = _Columns(TABLES["parse_notes"])
    note = dataclasses.astuple(ParseNote("code", "message", 3))
    columns.add_packed([note, note], {"project_id": "p", "source_file": "a.txt"})
    assert columns.columns()["message"] == ["message", "message"]
    columns.add_packed([note], {"project_id": "p"})  # no source_file for this row
    with pytest.raises(ValueError, match="parse_notes.source_file: 2 values for 3 rows"):
        columns.columns()
    with pytest.raises(KeyError, match="no column 'nonsense'"):
        columns.add_packed([note], {"nonsense": 1})


def _filled_columns(results: list[FileResult]) -> dict[str, _Columns]:
    builder = TableBuilder({})
    for result in sorted(results, key=lambda r: r.source_file):
        builder.add(result)
    return builder.rows.tables


def test_records_converted_at_once_equal_them_converted_field_by_field(results):
    for name, columns in _filled_columns(results).items():
        assert columns.arrow().equals(columns_to_arrow(columns.table, columns.columns())), name


def test_a_value_arrow_refuses_is_still_named_when_records_convert_at_once(results):
    funds = _filled_columns(results)["funds"]
    position = RECORD_FIELDS[FundRecord].index("executed_yuan")
    too_fine = Decimal("0.000000000001")
    row = list(funds.records[0])
    row[position] = too_fine
    funds.records[0] = tuple(row)
    with pytest.raises(ValueError, match=rf"funds\.executed_yuan: value {too_fine} has more decimals"):
        funds.arrow()


def test_a_report_is_added_as_one_project_row(results):
    result = next(r for r in results if len(r.reports) > 1)
    tables = build_tables([result], {})
    assert tables["projects"].num_rows == len(result.reports)
    assert tables["indicators"].num_rows == sum(len(r.indicators) for r in result.reports)
    assert isinstance(result.reports[0], ProjectReport)
