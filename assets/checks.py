"""Great Expectations suites (expectations/*.json) run as blocking Dagster asset checks.

A failing integrity check has severity ERROR and is blocking, so the
``warehouse`` asset downstream does not run and the previous warehouse stays
published.
"""

import dagster as dg
import pyarrow as pa

from assets.resources import IntegrityValidation
from pipeline.patching import TablePatch, changed_rows_of
from pipeline.quality.derived_columns import NEEDS_PROJECTS
from pipeline.quality.gx_runtime import suite_names
from pipeline.quality.integrity import TableValidation

MAX_SAMPLE_ROWS = 5


def check_result(validation: TableValidation, rows_checked: str = "every row") -> dg.AssetCheckResult:
    """Dagster check result with the unexpected counts and sample rows as metadata."""
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


def validate(validation: IntegrityValidation, table_name: str, table: pa.Table, changed_rows: TablePatch | None,
             projects: pa.Table | None = None) -> dg.AssetCheckResult:
    """The table's suite on its rows, or on the rows that changed when the run patched the
    published build (``changed_rows``); child tables also get the run's project ids."""
    rows = changed_rows_of(table_name, table, changed_rows)
    scope = "every row" if changed_rows is None else f"the {rows.num_rows} changed rows (patched build)"
    validated = validation.validator.validate({table_name: rows}, projects, patched=changed_rows is not None)
    return check_result(validated[table_name], scope)


def integrity_check(table_name: str) -> dg.AssetChecksDefinition:
    """The blocking GX check of one table (child tables also get the project ids)."""
    name = f"{table_name}_integrity"
    description = (f"Great Expectations suite expectations/{table_name}.json (blocking), on every row, "
                   "or on the rows that changed when the run patched the published build.")
    changed = {"changed_rows": dg.AssetIn("changed_rows")}
    if table_name in NEEDS_PROJECTS:

        @dg.asset_check(
            asset=table_name,
            name=name,
            blocking=True,
            description=description + " Includes: every row has its project.",
            additional_ins={"projects": dg.AssetIn("projects"), **changed},
        )
        def child_check(validation: IntegrityValidation, table: pa.Table, projects: pa.Table,
                        changed_rows: TablePatch | None) -> dg.AssetCheckResult:
            return validate(validation, table_name, table, changed_rows, projects)

        return child_check

    @dg.asset_check(asset=table_name, name=name, blocking=True, description=description, additional_ins=changed)
    def table_check(validation: IntegrityValidation, table: pa.Table,
                    changed_rows: TablePatch | None) -> dg.AssetCheckResult:
        return validate(validation, table_name, table, changed_rows)

    return table_check


INTEGRITY_CHECKS = [integrity_check(name) for name in suite_names()]
