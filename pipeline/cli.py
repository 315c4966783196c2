"""``perfwh``: build, validate, query and export the warehouse from the command line."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from pipeline import build, validated_publish
from pipeline.ingest import default_workers
from pipeline.paths import CACHE_DIR, RAW_DIR, WAREHOUSE_DIR
from pipeline.schema import TABLES
from pipeline.warehouse import DB_NAME

app = typer.Typer(help="Chinese public-sector performance reports -> a DuckDB/Parquet warehouse.", no_args_is_help=True)
console = Console()

RawOpt = Annotated[Path, typer.Option("--raw", help="folder of raw reports")]
WarehouseOpt = Annotated[Path, typer.Option("--warehouse", help="warehouse folder")]


def print_result(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    table = RichTable(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@app.command("build")
def build_command(
    raw: RawOpt = RAW_DIR,
    warehouse: WarehouseOpt = WAREHOUSE_DIR,
    workers: Annotated[int, typer.Option(help="parallel parser processes")] = default_workers(),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="re-parse every file")] = False,
    full: Annotated[bool, typer.Option("--full", help="rebuild every table instead of patching the published build")] = False,
) -> None:
    """Build the warehouse directly (without Dagster run history; `make run` records runs)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("starting", total=None)
        try:
            report = build.build_warehouse(
                raw, warehouse, None if no_cache else CACHE_DIR, workers,
                stage=lambda s: bar.update(task, description=s), incremental=not full,
            )
        except validated_publish.IntegrityFailed as failed:
            console.print(f"[red]{failed}[/red]")
            for name, validation in failed.failed.items():
                for f in validation.failures:
                    console.print(f"  {name}: {f.expectation} {f.column or ''} unexpected={f.unexpected_count}")
            raise typer.Exit(1) from failed
    counts = [(name, t.num_rows) for name, t in report.tables.items()]
    kind = f"incremental: {report.reparsed_files} file(s) parsed" if report.incremental else "full build"
    print_result(["table", "rows"], counts, title=f"published {report.folder} ({kind})")
    console.print("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))


@app.command()
def validate(warehouse: WarehouseOpt = WAREHOUSE_DIR) -> None:
    """Run the integrity suites on the published warehouse (its Parquet files, exact types)."""
    _connect(warehouse).close()
    tables = {name: pq.read_table(warehouse / f"{name}.parquet") for name in TABLES if (warehouse / f"{name}.parquet").exists()}
    results = validated_publish.validate_all(tables)
    rows = [(n, "ok" if v.success else "FAILED", len(v.failures)) for n, v in results.items()]
    print_result(["table", "result", "failed expectations"], rows)
    if not all(v.success for v in results.values()):
        raise typer.Exit(1)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL, or a path to a .sql file")],
    warehouse: WarehouseOpt = WAREHOUSE_DIR,
    limit: Annotated[int, typer.Option(help="rows to print at most")] = 100,
) -> None:
    """Run read-only SQL against warehouse.duckdb and print the result as a table."""
    text = Path(sql).read_text(encoding="utf-8") if sql.endswith(".sql") and Path(sql).exists() else sql
    con = _connect(warehouse)
    try:
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description or []]
        print_result(columns, cursor.fetchmany(limit))
    except duckdb.Error as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        con.close()


@app.command("export")
def export_command(
    dest: Annotated[Path, typer.Argument(help="folder to write the snapshot to")],
    warehouse: WarehouseOpt = WAREHOUSE_DIR,
) -> None:
    """Snapshot every table as Parquet, CSV (UTF-8 with BOM) and XLSX with Chinese headers."""
    from pipeline.export import ExportError, export_snapshot

    try:
        with console.status("exporting") as status:
            written = export_snapshot(warehouse, dest, progress=lambda t, f: status.update(f"exporting {t} as {f}"))
    except ExportError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"wrote {len(written)} files to {dest}")


@app.command()
def docs() -> None:
    """Regenerate docs/data-dictionary.md from the data dictionary."""
    from pipeline.dictionary_docs import write_data_dictionary

    console.print(f"wrote {write_data_dictionary()}")


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    path = warehouse / DB_NAME
    if not path.exists():
        console.print(f"[red]no warehouse at {path}: run `make run` first[/red]")
        raise typer.Exit(2)
    return duckdb.connect(str(path), read_only=True)


def main() -> None:
    """The ``perfwh`` program: run the command, then end the process at once.

    The interpreter's teardown at a normal exit collects garbage over every object still
    alive, Great Expectations' 200,000 included (``pipeline.memory``): 1.1-1.4 s after a
    build, more than a tenth of a one-changed-file rebuild. By then the command has
    closed its files and connections and published its build, so the process ends
    without it once the output is flushed (tests call ``app`` and keep their process).
    """
    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    end_process(code)


def end_process(code: int) -> NoReturn:
    """End the process at once, its output flushed, without the interpreter's teardown (see ``main``)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
