"""From parsed files to the tidy tables, as pyarrow Tables with the dictionary's schemas.

Here the per-file results meet: duplicates are dropped, the manifest fills what
a document does not state, project ids are assigned and computed columns
(execution_rate_pct) are derived.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import lru_cache
from itertools import repeat
from operator import itemgetter

import pyarrow as pa

from pipeline.ingest import DUPLICATE, PARSED, FileResult
from pipeline.memory import release_unused_memory
from pipeline.packed import RECORD_FIELDS, PackedFile, PackedReport, field_positions, pack, record_values
from pipeline.records import FundRecord, IndicatorRecord, ParseNote, ProjectRecord, ProjectReport, ScoreRecord
from pipeline.schema import TABLES, Table
from pipeline.sources import ManifestEntry

RATE_QUANTUM = Decimal("0.00000001")
TIDY_TABLES = ("projects", "funds", "indicators", "scores")


@dataclass
class Tables:
    """The warehouse tables built in one run, keyed by table name."""

    arrow: dict[str, pa.Table]

    def __getitem__(self, name: str) -> pa.Table:
        return self.arrow[name]


#: What identifies a project: its id is the hash of these (see ``_Builder.assign_id``).
PROJECT_KEY_FIELDS = ("report_type", "template", "fiscal_year", "implementing_unit", "project_name")


def project_key_of_row(values: dict) -> str:
    """The project key from a projects row (or any mapping with ``PROJECT_KEY_FIELDS``)."""
    return "|".join(str(values[name] or "") for name in PROJECT_KEY_FIELDS)


def project_key(report: ProjectReport) -> str:
    return project_key_of_row(vars(report.project))


def stable_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def execution_rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """executed / budget x 100, half-even to 8 decimals; None when budget is 0 or unknown."""
    if executed is None or budget is None or budget == 0:
        return None
    return (executed * 100 / budget).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)


def fill_fiscal_year(report: ProjectReport, entry: ManifestEntry | None) -> None:
    """A year printed in the document wins; else the manifest; else 自评时间 - 1."""
    p = report.project
    manifest_year = entry.fiscal_year if entry else None
    if p.fiscal_year is not None:
        p.fiscal_year_source = p.fiscal_year_source or "document"
        if manifest_year is not None and manifest_year != p.fiscal_year:
            report.notes.append(
                ParseNote(
                    "manifest_year_disagrees",
                    f"document says {p.fiscal_year}, manifest says {manifest_year}; the document wins",
                    p.source_line,
                )
            )
    elif manifest_year is not None:
        p.fiscal_year, p.fiscal_year_source = manifest_year, "manifest"
    elif p.evaluation_date is not None:
        p.fiscal_year, p.fiscal_year_source = p.evaluation_date.year - 1, "evaluation_date"


def place_without_year(report: ProjectReport) -> None:
    """A report whose year is unknowable keeps fiscal_year null; its other-year fund rows
    cannot be placed in time, so they move into parse notes with their raw figures."""
    line = report.project.source_line
    report.notes.append(
        ParseNote(
            "fiscal_year_unknown",
            "fiscal year not printed, no 自评时间, and no fiscal_year for this file in data/raw/manifest.csv: add it there",
            line,
        )
    )
    for fund in [f for f in report.funds if f.fiscal_year_offset != 0]:
        report.funds.remove(fund)
        figures = f"budget {fund.budget_full_year_raw or '-'}, executed {fund.executed_raw or '-'} ({fund.amount_unit})"
        report.notes.append(
            ParseNote("other_year_figures_unplaced", f"{fund.label_raw or fund.fund_source}: {figures}", fund.source_line)
        )


def _rescaled_column(values: list, typ: pa.Decimal128Type) -> list:
    """A decimal column's values (Decimals) rescaled exactly to its scale; raises ValueError
    if one cannot be exact. Other values (nulls) are kept as they are."""
    quantum = Decimal(1).scaleb(-typ.scale)
    with localcontext() as ctx:
        ctx.prec = 100  # quantize must never round: wide columns exceed the default 28 digits
        return [_rescaled(v, typ, quantum) if isinstance(v, Decimal) else v for v in values]


def _rescaled(value: Decimal, typ: pa.Decimal128Type, quantum: Decimal) -> Decimal:
    if not value.is_finite() or value.adjusted() >= typ.precision - typ.scale:
        raise ValueError(f"value {value} does not fit {typ}")
    scaled = value.quantize(quantum)
    if scaled != value:
        raise ValueError(f"value {value} has more decimals than {typ} holds")
    return scaled


def to_arrow(table: Table, rows: list[dict]) -> pa.Table:
    """Rows (dicts) -> a Table with exactly the dictionary's schema and column order."""
    return columns_to_arrow(table, {col.name: [row.get(col.name) for row in rows] for col in table.columns})


def columns_to_arrow(table: Table, values: dict[str, list | pa.Array]) -> pa.Table:
    """Column lists (by column name) -> a Table with exactly the dictionary's schema and column
    order. A column may also be given as an Arrow array of its type already."""
    columns = {}
    for col in table.columns:
        column = values[col.name]
        if isinstance(column, pa.Array):
            columns[col.name] = column
        elif pa.types.is_decimal(col.type):
            columns[col.name] = _decimal_array(table, col.name, column, col.type)
        else:
            columns[col.name] = pa.array(column, type=col.type)
    return pa.Table.from_pydict(columns, schema=table.schema)


def _decimal_array(table: Table, name: str, column: list, typ: pa.Decimal128Type) -> pa.Array:
    """A decimal column, converted exactly. Arrow refuses a value it would have to round or that
    exceeds the precision; the error then names the value (see ``_rescaled_column``)."""
    try:
        return pa.array(column, type=typ)
    except pa.ArrowInvalid as exc:
        try:
            _rescaled_column(column, typ)
        except ValueError as named:
            raise ValueError(f"{table.name}.{name}: {named}") from exc
        raise ValueError(f"{table.name}.{name}: {exc}") from exc


#: The record type whose packed tuples (``pipeline.packed``) make each table's rows; the
#: rows of the other tables are made of given values only.
ROW_KINDS: dict[str, type] = {
    "projects": ProjectRecord, "funds": FundRecord, "indicators": IndicatorRecord, "scores": ScoreRecord,
    "parse_notes": ParseNote,
}


class _Columns:
    """One table's rows as they come: the packed records they are made of, and the values
    given beside them (the same columns for every row). Split into columns only when the
    rows are converted (``columns``), in one pass for all of them."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.kind = ROW_KINDS.get(table.name)
        self.names = tuple(table.column_names)
        self.records: list[tuple] = []
        self.given: dict[str, list] = {}
        self.count = 0

    def add(self, values: dict) -> None:
        """Append one row of the given ``values`` (null in the other columns)."""
        self.add_packed([()], values)

    def add_packed(self, rows: list[tuple], extra: dict, per_row: dict[str, list] | None = None) -> None:
        """Append a row per packed record in ``rows``, with ``extra``'s values (the same for
        every row) and ``per_row``'s (a list: a value per row) in their columns."""
        if not rows:
            return
        count = len(rows)
        if self.kind is not None:  # (the other tables' rows are all given values)
            self.records.extend(rows)
        for name, value in extra.items():
            self._given(name).extend(repeat(value, count))
        for name, values in (per_row or {}).items():
            self._given(name).extend(values)
        self.count += count

    def _given(self, name: str) -> list:
        column = self.given.get(name)
        if column is None:
            if name not in self.names:
                raise KeyError(f"{self.table.name} has no column {name!r}")
            column = self.given[name] = [None] * self.count  # (null in the rows before)
        return column

    def columns(self) -> dict[str, list]:
        """Every column's values: given, else the record field of its name, else null."""
        positions = field_positions(self.kind) if self.kind is not None else {}
        # one pass per field: unlike zip(*records) it allocates nothing per row, so it sets off
        # no garbage collection over the many records held
        return self._columns({name: list(map(itemgetter(i), self.records)) for name, i in positions.items()})

    def arrow(self) -> pa.Table:
        """The rows as a Table of the dictionary's schema (``columns``, converted).

        The records' fields are converted in one pass, as a struct array of their tuples:
        about twice as fast as a list per field and an array of each. Should Arrow refuse a
        value that way, the columns are converted one by one, which names it."""
        if self.kind is None or not self.records:
            return columns_to_arrow(self.table, self.columns())
        struct = _struct_of(self.table, self.kind)
        try:
            records = pa.array(self.records, type=struct)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError, TypeError, ValueError):
            return columns_to_arrow(self.table, self.columns())
        return columns_to_arrow(self.table, self._columns(
            {name: records.field(i) for i, name in enumerate(struct.names)}))

    def _columns(self, fields: dict[str, list | pa.Array]) -> dict[str, list | pa.Array]:
        """Every column's values: given, else ``fields``' of its name, else null."""
        columns: dict[str, list | pa.Array] = {}
        for name in self.names:
            if name in self.given:
                columns[name] = self.given[name]
                if len(columns[name]) != self.count:
                    raise ValueError(f"{self.table.name}.{name}: {len(columns[name])} values for {self.count} rows")
            elif name in fields:
                columns[name] = fields[name]
            else:
                columns[name] = [None] * self.count
        return columns


#: The types of record fields the tables do not store (``_struct_of`` needs one for each).
UNSTORED_FIELD_TYPES: dict[str, pa.DataType] = {"fiscal_year_offset": pa.int64()}


@lru_cache(maxsize=None)
def _struct_of(table: Table, kind: type) -> pa.StructType:
    """The struct type of ``kind``'s packed tuples: each field of its column's type in
    ``table`` (or ``UNSTORED_FIELD_TYPES``'), in the tuples' order."""
    types = {f.name: f.type for f in table.schema}
    return pa.struct([pa.field(name, types[name] if name in types else UNSTORED_FIELD_TYPES[name])
                      for name in RECORD_FIELDS[kind]])


class _Builder:
    """Accumulates rows of every table while reports are visited in file order."""

    def __init__(self) -> None:
        self.tables: dict[str, _Columns] = {name: _Columns(TABLES[name]) for name in TABLES}
        self.seen_ids: dict[str, str] = {}

    def assign_id(self, report: ProjectReport, source_file: str) -> str:
        key = project_key(report)
        pid = stable_id(key)
        if pid in self.seen_ids and self.seen_ids[pid] != f"{source_file}:{report.project.source_line}":
            pid = stable_id(f"{key}|{source_file}|{report.project.source_line}")
        self.seen_ids[pid] = f"{source_file}:{report.project.source_line}"
        return pid

    def add_report(self, packed: PackedReport, source_file: str, entry: ManifestEntry | None) -> bool:
        """Add one report's rows. Its project, fund and note records are rebuilt (fresh
        objects: what they were packed from is never changed) to be completed here; its
        indicators and scores go into the columns as packed."""
        project, funds, indicators, scores, notes = packed
        report = ProjectReport(ProjectRecord(*project), [FundRecord(*values) for values in funds],
                               notes=[ParseNote(*values) for values in notes])
        fill_fiscal_year(report, entry)
        if report.project.fiscal_year is None:
            place_without_year(report)
        pid = self.assign_id(report, source_file)
        prov = {"project_id": pid, "source_file": source_file}
        project_extra = dict(prov, agency=entry.agency if entry else None, source_url=entry.source_url if entry else None)
        self.tables["projects"].add_packed([record_values(report.project)], project_extra)
        year = report.project.fiscal_year
        derived = {
            "fiscal_year": [year + f.fiscal_year_offset if year is not None else None for f in report.funds],
            "execution_rate_pct": [execution_rate(f.executed_yuan, f.budget_full_year_yuan) for f in report.funds],
        }
        self.tables["funds"].add_packed(list(map(record_values, report.funds)), prov, derived)
        self.tables["indicators"].add_packed(indicators, prov)
        self.tables["scores"].add_packed(scores, prov)
        self.tables["parse_notes"].add_packed(list(map(record_values, report.notes)), prov)
        return True

    def add_file(self, result: PackedFile, accepted: int, late_rejections: int) -> None:
        self.tables["source_files"].add(
            {
                "source_file": result.source_file,
                "sha256": result.sha256,
                "bytes": result.bytes,
                "encoding": result.encoding,
                "report_family": ",".join(result.families) or None,
                "status": result.status,
                "reason": result.reason,
                "reason_line": result.reason_line,
                "duplicate_of": result.duplicate_of,
                "projects": accepted,
                "rejected_projects": len(result.rejections) + late_rejections,
            },
        )
        if result.status == DUPLICATE:
            return
        for rejection in result.rejections:
            self.tables["rejections"].add(
                {
                    "source_file": result.source_file,
                    "source_line": rejection.source_line,
                    "report_family": rejection.family,
                    "reason": rejection.reason,
                    "reason_line": rejection.reason_line,
                },
            )


class TableBuilder:
    """The tables, built from parse results visited in file-name order (a stream:
    the rows of every ``flush_every`` files are turned into Arrow and their Python
    objects let go, so memory holds the Arrow tables, not the parse results)."""

    def __init__(self, manifest: dict[str, ManifestEntry], flush_every: int = 2000) -> None:
        self.manifest = manifest
        self.flush_every = flush_every
        self.rows = _Builder()
        self.chunks: dict[str, list[pa.Table]] = {name: [] for name in TABLES if name != "quality_findings"}
        self.pending = 0
        self.last_file: str | None = None

    def add(self, result: FileResult | PackedFile) -> None:
        if not isinstance(result, PackedFile):
            result = pack(result)
        if self.last_file is not None and result.source_file <= self.last_file:
            raise ValueError(f"results out of file-name order: {result.source_file} after {self.last_file}")
        self.last_file = result.source_file
        accepted = 0
        if result.status == PARSED:
            entry = self.manifest.get(result.source_file)
            accepted = sum(self.rows.add_report(report, result.source_file, entry) for report in result.reports)
        late = len(result.reports) - accepted if result.status == PARSED else 0
        self.rows.add_file(result, accepted, late)
        self.pending += 1
        if self.pending >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """The rows so far into Arrow (each table's lists are freed once converted)."""
        for name, chunks in self.chunks.items():
            columns = self.rows.tables[name]
            chunks.append(columns.arrow())
            self.rows.tables[name] = _Columns(columns.table)
        self.pending = 0
        release_unused_memory()  # the rows' Python objects and the conversion's buffers

    def finish(self) -> Tables:
        self.flush()
        return Tables({name: pa.concat_tables(chunks) for name, chunks in self.chunks.items()})


def build_tables(results: list[FileResult], manifest: dict[str, ManifestEntry]) -> Tables:
    """The tidy tables (and source_files, rejections, parse_notes) from parsed files."""
    builder = TableBuilder(manifest)
    for result in sorted(results, key=lambda r: r.source_file):
        builder.add(result)
    return builder.finish()
