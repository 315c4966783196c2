"""Great Expectations suites (expectations/*.json) run as blocking Dagster asset checks.

A failing integrity check has severity ERROR and is blocking, so the
``warehouse`` asset downstream does not run and the previous warehouse stays
published.

Every table has its own check (``<table>_integrity``). The tidy tables' checks run in
one step (``tidy_tables_integrity``): one round trip to the run's validation process
and one step's overhead instead of seven (about 0.15 s each). The findings, made
after them, are checked in a step of their own.
"""

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from assets.resources import IntegrityValidation
from pipeline.patching import TablePatch, changed_rows_of
from pipeline.quality.derived_columns import NEEDS_PROJECTS
from pipeline.quality.integrity import TableValidation

MAX_SAMPLE_ROWS = 5
#: The tables ``tidy_tables`` makes that have a suite, checked in one step.
TIDY_SUITES = ("projects", "funds", "indicators", "scores", "source_files", "rejections", "parse_notes")
FINDINGS = "quality_findings"


def check_result(validation: TableValidation, rows_checked: str = "every row") -> dg.AssetCheckResult:
    """Dagster check result of a table's validation, with the unexpected counts and sample rows as metadata."""
    failures = [
        {
            "expectation": f.expectation,
            "column": f.column,
            "unexpected_count": f.unexpected_count,
            "sample": [str(s) for s in f.sample[:MAX_SAMPLE_ROWS]],
        }
        for f in validation.failures
    ]
    return dg.AssetCheckResult(
        asset_key=validation.table,
        check_name=check_name(validation.table),
        passed=validation.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_checked": rows_checked,
            "failed_expectations": len(failures),
            "unexpected_rows": sum(f["unexpected_count"] for f in failures),
            "failures": dg.MetadataValue.json(failures),
            "statistics": dg.MetadataValue.json(validation.statistics or {}),
        },
    )


def check_name(table_name: str) -> str:
    return f"{table_name}_integrity"


def check_results(validation: IntegrityValidation, tables: dict[str, pa.Table], changed_rows: TablePatch | None,
                  projects: pa.Table) -> Iterator[dg.AssetCheckResult]:
    """Each table's suite on its rows, or on the rows that changed when the run patched the
    published build (``changed_rows``), with the run's projects (child tables check their ids)."""
    rows = _rows_to_check(tables, changed_rows)
    validated = validation.validator.validate(rows, projects, patched=changed_rows is not None)
    for name, table_validation in validated.items():
        scope = "every row" if changed_rows is None else f"the {rows[name].num_rows} changed rows (patched build)"
        yield check_result(table_validation, scope)


def start_checks(validation: IntegrityValidation, tables: dict[str, pa.Table], changed_rows: TablePatch | None,
                 projects: pa.Table) -> None:
    """Have the run's validation process (if any) validate a patched build's changed rows of
    ``tables`` now, while the step that made them goes on: their checks then find the
    results ready (``Validator.prepare``)."""
    if changed_rows is not None:
        validation.validator.prepare(_rows_to_check(tables, changed_rows), projects, patched=True)


def _rows_to_check(tables: dict[str, pa.Table], changed_rows: TablePatch | None) -> dict[str, pa.Table]:
    """Each table's rows its suite runs on: all of them, or those that changed (patched build)."""
    return {name: changed_rows_of(name, table, changed_rows) for name, table in tables.items()}


def _spec(table_name: str) -> dg.AssetCheckSpec:
    description = (f"Great Expectations suite expectations/{table_name}.json (blocking), on every row, "
                   "or on the rows that changed when the run patched the published build.")
    if table_name in NEEDS_PROJECTS:
        description += " Includes: every row has its project."
    # (every check reads which rows changed: changed_rows)
    return dg.AssetCheckSpec(check_name(table_name), asset=table_name, blocking=True, description=description,
                             additional_deps=["changed_rows"])


@dg.multi_asset_check(
    name="tidy_tables_integrity",
    specs=[_spec(name) for name in TIDY_SUITES],
    ins={**{name: dg.AssetIn(name) for name in TIDY_SUITES}, "changed_rows": dg.AssetIn("changed_rows")},
    can_subset=True,
    description="The integrity checks of the tables tidy_tables makes, in one step.",
)
def tidy_tables_integrity(
    context: dg.AssetCheckExecutionContext, validation: IntegrityValidation, projects: pa.Table, funds: pa.Table,
    indicators: pa.Table, scores: pa.Table, source_files: pa.Table, rejections: pa.Table, parse_notes: pa.Table,
    changed_rows: TablePatch | None,
) -> Iterator[dg.AssetCheckResult]:
    tables = {"projects": projects, "funds": funds, "indicators": indicators, "scores": scores,
              "source_files": source_files, "rejections": rejections, "parse_notes": parse_notes}
    selected = {key.name for key in context.selected_asset_check_keys}
    chosen = {name: table for name, table in tables.items() if check_name(name) in selected}
    yield from check_results(validation, chosen, changed_rows, projects)


@dg.asset_check(
    asset=FINDINGS,
    name=check_name(FINDINGS),
    blocking=True,
    description=_spec(FINDINGS).description,
    additional_ins={"projects": dg.AssetIn("projects"), "changed_rows": dg.AssetIn("changed_rows")},
)
def quality_findings_integrity(validation: IntegrityValidation, quality_findings: pa.Table, projects: pa.Table,
                               changed_rows: TablePatch | None) -> dg.AssetCheckResult:
    (result,) = check_results(validation, {FINDINGS: quality_findings}, changed_rows, projects)
    return result


INTEGRITY_CHECKS = [tidy_tables_integrity, quality_findings_integrity]
