"""After the tables of a patched run: its findings, the rows it validates, its database.

When a run patched the published build's tables (``pipeline.incremental``), a
``TablePatch`` says how: which build was patched, which files' rows were
replaced, and those files' new rows. The stages after the tables then patch
too, rather than redo everything: the findings are the previous build's with
the touched reports' recomputed, validation covers the rows that changed (the
others passed when they were published), and the database is a copy of the
published one with those rows replaced. ``WarehouseRun`` and the Dagster assets
both go through these functions; without a patch each does the full work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.memory import release_unused_memory
from pipeline.quality.cross_report import CHECK_NAMES as CROSS_REPORT_CHECKS
from pipeline.quality.findings import find_all, patch_findings
from pipeline.snapshot import read_snapshot_table
from pipeline.database import DatabasePatch, sql_string
from pipeline.warehouse import DB_NAME

FINDINGS = "quality_findings"


@dataclass
class TablePatch:
    """How a run's tables differ from those of the published build they were patched from."""

    base: Path  # the build folder whose tables were patched
    touched: list[str]  # the files whose rows were replaced, sorted (added, changed, removed)
    rows: dict[str, pa.Table]  # each table's rows of the touched files, as this run parsed them
    years: set[int]  # the fiscal years of the touched files' reports, before and after

    def previous(self, table: str) -> pa.Table:
        """A table of the patched build, memory-mapped from its snapshot (OSError if gone)."""
        try:
            return read_snapshot_table(self.base, table)
        except pa.ArrowInvalid as exc:
            raise OSError(f"unreadable snapshot of {table} in {self.base}: {exc}") from exc


def findings_of(tables: dict[str, pa.Table], patch: TablePatch | None = None) -> pa.Table:
    """The quality findings of ``tables``: every rule on every report, or with a ``patch``
    the patched build's findings with those of the touched reports (and the cross-report
    ones they can change) recomputed. Both give the same rows."""
    if patch is None:
        return find_all(tables)  # (which hands its frames' memory back)
    try:
        previous = patch.previous(FINDINGS)
    except OSError:  # the patched build was pruned meanwhile: find them all
        return find_all(tables)
    findings = patch_findings(previous, tables, patch.rows, patch.touched, patch.years)
    release_unused_memory()  # the rules' frames
    return findings


def changed_findings(findings: pa.Table, touched: list[str]) -> pa.Table:
    """Every finding that may differ from the patched build's: those of the touched files
    and the cross-report ones (a touched report can change another's)."""
    return findings.filter(pc.or_(
        pc.is_in(findings.column("source_file"), value_set=pa.array(touched, pa.string())),
        pc.is_in(findings.column("check_name"), value_set=pa.array(CROSS_REPORT_CHECKS, pa.string())),
    ))


def rows_to_validate(tables: dict[str, pa.Table], patch: TablePatch | None = None) -> dict[str, pa.Table]:
    """The rows a run validates before publishing: every row, or with a ``patch`` the rows
    that changed (``changed_rows_of``; the tables must hold the findings by then)."""
    return {name: changed_rows_of(name, table, patch) for name, table in tables.items()}


def changed_rows_of(name: str, table: pa.Table, patch: TablePatch | None = None) -> pa.Table:
    """The rows of a run's table to validate: all, or with a ``patch`` those that may
    differ from the patched build's (the others passed when it was published, and the
    touched files share no project key with the others, so no key can collide)."""
    if patch is None:
        return table
    return changed_findings(table, patch.touched) if name == FINDINGS else patch.rows[name]


def database_patch(patch: TablePatch | None, changed: dict[str, pa.Table]) -> DatabasePatch | None:
    """How to make the new database from the patched build's: the ``changed`` rows
    (``rows_to_validate``) replace the touched files' rows and the cross-report findings."""
    if patch is None:
        return None
    cross = ", ".join(sql_string(name) for name in CROSS_REPORT_CHECKS)
    return DatabasePatch(patch.base / DB_NAME, patch.touched, dict(changed),
                         also_replaced={FINDINGS: f"check_name IN ({cross})"})
