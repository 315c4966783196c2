"""The ``quality_findings`` table: every source-consistency finding of a run.

These findings are about the *reports* (a rate that does not match its
amounts, a total that is not the sum of its parts); they are recorded, never
blocking. Pipeline-contract failures are the integrity suites' business
(``pipeline.quality.integrity``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.memory import release_unused_memory
from pipeline.quality import cross_report, fund_rules, indicator_rules, score_rules
from pipeline.quality.data import CheckData
from pipeline.quality.rows import FINDING_COLUMNS, no_findings
from pipeline.schema import QUALITY_FINDINGS, TABLES

Rule = Callable[[CheckData], pd.DataFrame]

#: Rules that read one report at a time: its findings change only when its file does.
PER_REPORT_RULES: tuple[Rule, ...] = (
    *fund_rules.RULES,
    *indicator_rules.RULES,
    *score_rules.RULES,
)
ALL_RULES: tuple[Rule, ...] = (*PER_REPORT_RULES, *cross_report.RULES)

_ORDER = ["source_file", "source_line", "table_name", "row_key", "check_name"]
#: The findings schema with categories as plain strings (rules' rows are joined in it).
_PLAIN_SCHEMA = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type, f.nullable)
                           for f in QUALITY_FINDINGS.schema])


def findings_table(data: CheckData, rules: Iterable[Rule] = ALL_RULES) -> pa.Table:
    """All findings of ``rules`` as a QUALITY_FINDINGS table: one row per key (the first
    rule's), in a stable order."""
    return _assembled(rule_rows(data, rules))


def rule_rows(data: CheckData, rules: Iterable[Rule]) -> list[pa.Table]:
    """Each rule's findings, as Arrow (categories as plain strings) as soon as the rule is
    done, so no run holds every finding as Python objects."""
    parts = []
    for rule in rules:
        found = rule(data)
        if not found.empty:
            parts.append(to_arrow(found[FINDING_COLUMNS]).cast(_PLAIN_SCHEMA))
        del found
    return parts


def _assembled(parts: list[pa.Table]) -> pa.Table:
    if not parts:
        return to_arrow(no_findings())
    return _encoded(_sorted(_first_per_key(pa.concat_tables(parts))))


def _first_per_key(findings: pa.Table) -> pa.Table:
    """The first row of each key (``QUALITY_FINDINGS.key``), in their order."""
    rows = findings.append_column("_row", pa.array(np.arange(findings.num_rows, dtype=np.int64)))
    firsts = rows.group_by(list(QUALITY_FINDINGS.key), use_threads=False).aggregate([("_row", "min")])
    first_rows = firsts.column("_row_min")
    return findings.take(pc.take(first_rows, pc.sort_indices(first_rows)))


def _encoded(findings: pa.Table) -> pa.Table:
    """Plain columns -> the QUALITY_FINDINGS schema (categories dictionary-encoded in order of appearance)."""
    columns = []
    for field in QUALITY_FINDINGS.schema:
        column = findings.column(field.name).combine_chunks()
        columns.append(column.dictionary_encode().cast(field.type) if pa.types.is_dictionary(field.type) else column)
    return pa.Table.from_arrays(columns, schema=QUALITY_FINDINGS.schema)


def to_arrow(findings: pd.DataFrame) -> pa.Table:
    """Findings frame -> a Table with exactly the QUALITY_FINDINGS schema."""
    schema = QUALITY_FINDINGS.schema
    arrays = []
    for field in schema:
        column = findings[field.name]
        if pa.types.is_integer(field.type):
            array = pa.array(pd.to_numeric(column, errors="coerce").astype("Int64"), type=pa.int64()).cast(field.type)
        else:
            try:  # from_pandas: NaN and None become nulls
                array = pa.array(column.astype("object"), type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                text = column.astype("object").where(column.notna(), None)
                array = pa.array(text.map(lambda v: v if v is None else str(v)), type=pa.string())
            if pa.types.is_dictionary(field.type):
                array = array.dictionary_encode().cast(field.type)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


#: The per-report rules run on batches of files of about this many indicator rows: the
#: frames and intermediate results of a batch are in memory, not those of every report
#: (measured at 100,000 reports: about 0.9 GB for all at once).
BATCH_INDICATOR_ROWS = 400_000
_BATCHED = ("projects", "funds", "indicators", "scores", "parse_notes")


def find_all(tables: dict[str, pa.Table | pd.DataFrame]) -> pa.Table:
    """The quality_findings table for a run's tables (projects, funds, indicators, scores).

    Per-report rules read one report at a time, so they run batch by batch of files;
    keys hold the check and the project, so batches never share one. The cross-report
    rules read projects and funds of all reports at once."""
    parts = [part for batch in _file_batches(tables) for part in rule_rows(CheckData.from_tables(batch), PER_REPORT_RULES)]
    parts += rule_rows(CheckData.from_tables(_with_only(tables, ("projects", "funds"))), cross_report.RULES)
    findings = _assembled(parts)
    del parts
    release_unused_memory()  # the rules' frames
    return findings


def _file_batches(tables: dict[str, pa.Table | pd.DataFrame]) -> Iterator[dict[str, pa.Table | pd.DataFrame]]:
    """``tables`` cut into batches of whole files, each with about ``BATCH_INDICATOR_ROWS``
    indicator rows (all of them at once when they are fewer, or not Arrow tables)."""
    present = {name: tables[name] for name in _BATCHED if name in tables}
    indicators = present.get("indicators")
    if not all(isinstance(t, pa.Table) for t in present.values()) or indicators is None \
            or indicators.num_rows <= BATCH_INDICATOR_ROWS:
        yield tables
        return
    files = pc.unique(pa.chunked_array([pc.unique(t.column("source_file")) for t in present.values()]))
    files = pc.take(files, pc.sort_indices(files))
    counts = pc.value_counts(indicators.column("source_file"))
    rows_of = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))
    runs = {name: _file_runs(t) for name, t in present.items()}
    batch: list[str] = []
    rows = 0
    for name in files.to_pylist():
        batch.append(name)
        rows += rows_of.get(name, 0)
        if rows >= BATCH_INDICATOR_ROWS:
            yield _of_files(present, runs, batch)
            batch, rows = [], 0
    if batch:
        yield _of_files(present, runs, batch)


#: Where each file's rows start in a table sorted by ``source_file``: the files, in order, and
#: the row each one's rows start at (its rows run up to the next file's start).
_FileRuns = tuple[list[str], list[int]]


def _file_runs(table: pa.Table) -> _FileRuns | None:
    """The runs of rows of each file, if ``table`` is sorted by ``source_file`` (as a build's
    tables are: files are added in name order); None if it is not."""
    column = table.column("source_file")
    if column.null_count:
        return None
    if table.num_rows < 2:
        return column.to_pylist(), list(range(table.num_rows))
    head, tail = column.slice(0, table.num_rows - 1), column.slice(1)
    if not pc.all(pc.less_equal(head, tail)).as_py():
        return None
    starts = np.concatenate(([0], np.flatnonzero(pc.not_equal(head, tail).to_numpy(zero_copy_only=False)) + 1))
    return pc.take(column, pa.array(starts)).to_pylist(), starts.tolist()


def _of_files(tables: dict[str, pa.Table], runs: dict[str, _FileRuns | None], files: list[str]) -> dict[str, pa.Table]:
    """The rows of ``files`` (a run of consecutive names, in order) in each table: a slice of
    a sorted table (no copy), else the rows filtered."""
    chosen = None
    batch = {}
    for name, table in tables.items():
        if runs[name] is None:
            chosen = pa.array(files, pa.string()) if chosen is None else chosen
            batch[name] = table.filter(pc.is_in(table.column("source_file"), value_set=chosen))
            continue
        names, starts = runs[name]
        first, last = bisect_left(names, files[0]), bisect_right(names, files[-1])
        begin = starts[first] if first < len(starts) else table.num_rows
        end = starts[last] if last < len(starts) else table.num_rows
        batch[name] = table.slice(begin, end - begin)
    return batch


def _with_only(tables: dict[str, pa.Table | pd.DataFrame], names: tuple[str, ...]) -> dict[str, pa.Table | pd.DataFrame]:
    """``tables`` with every other tidy table empty."""
    return {name: tables[name] if name in names and name in tables else TABLES[name].schema.empty_table()
            for name in _BATCHED}


def _sorted(findings: pa.Table) -> pa.Table:
    """In ``_ORDER`` (nulls last; dictionary columns by their text), stable."""
    keys = pa.table({name: _plain_column(findings.column(name)) for name in _ORDER})
    order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in _ORDER])
    return findings.take(order)


def _plain_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def patch_findings(previous: pa.Table, tables: dict[str, pa.Table], partial: dict[str, pa.Table],
                   touched: list[str], changed_years: set[int]) -> pa.Table:
    """The findings of patched tables without running every rule on every report.

    ``previous`` are the findings of the previous build, ``tables`` the patched
    tables, ``partial`` the rows of the ``touched`` files, whose reports (before and
    after) are of ``changed_years``: their per-report findings are recomputed from
    ``partial`` alone, and the cross-report ones for the reports of the years they can
    change (``cross_report.reporter_years``). Equals ``find_all(tables)``.
    """
    projects = tables["projects"]
    reporters = cross_report.reporter_years(changed_years)
    affected = _project_ids_of_years(projects, reporters)
    touched_rows = pc.is_in(previous.column("source_file"), value_set=pa.array(touched, pa.string()))
    cross_rows = pc.is_in(previous.column("check_name"), value_set=pa.array(cross_report.CHECK_NAMES, pa.string()))
    recomputed = pc.or_(touched_rows, pc.and_(cross_rows, pc.is_in(previous.column("project_id"), value_set=affected)))
    kept = previous.filter(pc.invert(recomputed))
    own = findings_table(CheckData.from_tables(partial), PER_REPORT_RULES)
    cross = findings_table(CheckData.from_tables(_cross_input(tables, reporters)), cross_report.RULES)
    cross = cross.filter(pc.is_in(cross.column("project_id"), value_set=affected))
    return _sorted(pa.concat_tables([kept, own, cross]).combine_chunks())


def _project_ids_of_years(projects: pa.Table, years: set[int]) -> pa.Array:
    in_years = pc.is_in(projects.column("fiscal_year"), value_set=pa.array(sorted(years), projects.schema.field("fiscal_year").type))
    return projects.filter(in_years).column("project_id").combine_chunks()


def _cross_input(tables: dict[str, pa.Table], reporters: set[int]) -> dict[str, pa.Table]:
    """The projects and funds the cross-report findings of ``reporters`` years read."""
    ids = _project_ids_of_years(tables["projects"], cross_report.input_years(reporters))
    chosen = {name: tables[name].filter(pc.is_in(tables[name].column("project_id"), value_set=ids))
              for name in ("projects", "funds")}
    return chosen | {name: tables[name].schema.empty_table() for name in ("indicators", "scores", "parse_notes")}
