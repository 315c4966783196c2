"""The asset graph: raw files -> tidy tables (parsed on the way) -> quality findings -> warehouse."""

from collections import Counter

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.checks import FINDINGS, TIDY_SUITES, start_checks
from assets.metadata import table_metadata
from assets.resources import BuildStaging, IntegrityValidation, PipelinePaths
from pipeline import build, validated_publish
from pipeline.parse_stage import RawInventory, inventory, known_stats
from pipeline.build_state import BuildState
from pipeline.patching import TablePatch, findings_of

GROUP = "warehouse"
TABLE_ASSETS = ("projects", "funds", "indicators", "scores", "source_files", "rejections", "parse_notes")
TABLE_DESCRIPTIONS = {
    "projects": "One row per project report (项目): header, narrative, total score and grade.",
    "funds": "One row per project x fiscal year x fund source (项目资金), amounts in 元.",
    "indicators": "One row per performance indicator (绩效指标): categories, target, actual, weight, score.",
    "scores": "One row per project x scoring component (评分): budget execution, level-1 groups, total.",
    "source_files": "One row per raw file: parsed, quarantined (with the reason) or duplicate.",
    "rejections": "Project reports inside otherwise readable files that could not be parsed, with the reason.",
    "parse_notes": "Layout repairs the parsers made (labels in the wrong column, page-break splits, ...).",
}


def value_counts(column: pa.ChunkedArray) -> dict[str, int]:
    """How often each value occurs in a column (counted by Arrow: a findings table has 100,000s of rows)."""
    counts = pc.value_counts(column.cast(pa.string()))
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


@dg.asset(group_name=GROUP, description="Every raw report file under data/raw/ with its SHA-256, and the manifest.")
def raw_files(context: dg.AssetExecutionContext, paths: PipelinePaths) -> RawInventory:
    found = inventory(paths.raw, known_stats(paths.raw, paths.warehouse))
    for problem in found.manifest_problems:
        context.log.warning(problem)
    context.add_output_metadata(
        {
            "files": len(found.files),
            "bytes": sum(f.bytes for f in found.files),
            "manifest_entries": len(found.manifest),
            "manifest_problems": dg.MetadataValue.json(found.manifest_problems),
        }
    )
    return found


FILE_STATES_DESCRIPTION = (
    "Each raw file's hash, stat, content fingerprint and parse status (parsed, quarantined, "
    "duplicate), with the code and manifest the tables were built from: published with the "
    "build, so that the next run can patch it."
)
CHANGED_ROWS_DESCRIPTION = (
    "When the tables patched the published build: that build, the files whose rows were "
    "replaced and their new rows, so that findings, validation and the database patch it too "
    "(None when every file was parsed)."
)


@dg.multi_asset(
    group_name=GROUP,
    outs={**{name: dg.AssetOut(description=TABLE_DESCRIPTIONS[name]) for name in TABLE_ASSETS},
          "file_states": dg.AssetOut(description=FILE_STATES_DESCRIPTION),
          "changed_rows": dg.AssetOut(description=CHANGED_ROWS_DESCRIPTION)},
    description="The tidy tables. When the published build can be patched (same code and manifest, "
    "few files changed), only the added or changed files are parsed and their rows replace the "
    "touched files' rows in the published tables; else every file is parsed (results cached by "
    "content hash, in worker processes) straight into the tables, so no step holds every parse "
    "result at once.",
)
def tidy_tables(context: dg.AssetExecutionContext, paths: PipelinePaths, validation: IntegrityValidation,
                staging: BuildStaging, raw_files: RawInventory):
    # GX is imported here, ahead of the checks, unless the run's validation process imports it
    run = build.WarehouseRun(paths.raw, paths.warehouse, paths.cache, paths.workers,
                             warm_up=not validation.validator.apart)
    run.read(raw_files)
    run.parse()
    tables = run.build_tables()
    if run.patch is not None:
        start_checks(validation, {name: tables[name] for name in TIDY_SUITES}, run.patch, tables["projects"])
        staging.start(tables, paths.warehouse, run.patch)  # written while the checks and the findings run
    else:  # every row is validated in this process: a validation process would only hold memory
        validation.validator.close()
    how = f"patched: {len(run.delta.changed)} file(s) parsed" if run.incremental else "full: every file"
    statuses = Counter(state.status for state in run.file_states.values())
    context.log.info(f"tables {how}; files: {dict(sorted(statuses.items()))}")
    for name in TABLE_ASSETS:
        metadata = table_metadata(name, tables[name])
        if name == "source_files":
            metadata.update({f"status/{k}": v for k, v in sorted(statuses.items())})
        yield dg.Output(tables[name], output_name=name, metadata=metadata)
    yield dg.Output(run.build_state(), output_name="file_states",
                    metadata={"files": len(run.file_states), "build": how})
    patch = run.patch
    yield dg.Output(patch, output_name="changed_rows", metadata={
        "build": how,
        "touched_files": len(patch.touched) if patch else 0,
        "patched_build": str(patch.base) if patch else "",
    })


@dg.asset(
    group_name=GROUP,
    description="Source-consistency findings: where a report does not add up (recorded, not blocking). "
    "When the tables were patched, those of the published build with the touched reports' recomputed.",
)
def quality_findings(
    validation: IntegrityValidation, projects: pa.Table, funds: pa.Table, indicators: pa.Table, scores: pa.Table,
    parse_notes: pa.Table, changed_rows: TablePatch | None,
) -> dg.Output[pa.Table]:
    tables = {"projects": projects, "funds": funds, "indicators": indicators, "scores": scores,
              "parse_notes": parse_notes}
    findings = findings_of(tables, changed_rows)
    start_checks(validation, {FINDINGS: findings}, changed_rows, projects)
    meta = table_metadata("quality_findings", findings)
    meta.update({f"severity/{k}": v for k, v in sorted(value_counts(findings.column("severity")).items())})
    return dg.Output(findings, metadata=meta)


@dg.asset(
    group_name=GROUP,
    description="Publish every table as Parquet and data/warehouse/warehouse.duckdb, atomically. "
    "Runs only when every blocking integrity check passed; the tables are validated once more "
    "right before publishing (only the changed rows when the tables were patched) and the Great "
    "Expectations Data Docs of that validation are published with them (data/warehouse/data_docs/"
    "index.html), and with what the next run (of this graph or `perfwh build`) needs to patch the "
    "build: each file's state, the tables' snapshot. A patched run's database is the published one "
    "with the changed rows replaced.",
)
def warehouse(
    context: dg.AssetExecutionContext,
    paths: PipelinePaths,
    validation: IntegrityValidation,
    staging: BuildStaging,
    projects: pa.Table,
    funds: pa.Table,
    indicators: pa.Table,
    scores: pa.Table,
    source_files: pa.Table,
    rejections: pa.Table,
    parse_notes: pa.Table,
    quality_findings: pa.Table,
    file_states: BuildState,
    changed_rows: TablePatch | None,
) -> dg.MaterializeResult:
    tables = {
        "projects": projects,
        "funds": funds,
        "indicators": indicators,
        "scores": scores,
        "source_files": source_files,
        "rejections": rejections,
        "parse_notes": parse_notes,
        "quality_findings": quality_findings,
    }
    try:
        folder, _ = validated_publish.validate_and_publish(tables, paths.warehouse, state=file_states,
                                                           patch=changed_rows, validator=validation.validator,
                                                           staged=staging.take())
    except validated_publish.IntegrityFailed as failed:
        raise dg.Failure(description=str(failed)) from failed
    context.log.info(f"published {folder}")
    return dg.MaterializeResult(
        metadata={
            "build": str(folder),
            "patched": changed_rows is not None,
            "database": dg.MetadataValue.path(str(paths.warehouse / "warehouse.duckdb")),
            **{f"rows/{name}": t.num_rows for name, t in sorted(tables.items())},
        }
    )
