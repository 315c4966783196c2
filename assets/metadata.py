"""Dagster metadata built from the data dictionary: row count, column schema, preview."""

import dagster as dg
import pyarrow as pa

from pipeline.schema import TABLES

PREVIEW_ROWS = 10


def column_schema(table_name: str) -> dg.TableSchema:
    spec = TABLES[table_name]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=col.name,
                type=str(col.type),
                description=f"{col.label_zh} | {col.meaning}" + (f" [{col.unit}]" if col.unit else ""),
                constraints=dg.TableColumnConstraints(nullable=col.nullable),
            )
            for col in spec.columns
        ]
    )


def preview_markdown(table: pa.Table, rows: int = PREVIEW_ROWS) -> str:
    head = table.slice(0, rows).to_pandas()
    for col in head.columns:
        head[col] = head[col].astype("string").str.slice(0, 40)
    return head.to_markdown(index=False) if len(head) else "(no rows)"


def table_metadata(table_name: str, table: pa.Table) -> dict:
    return {
        "dagster/row_count": table.num_rows,
        "dagster/column_schema": column_schema(table_name),
        "preview": dg.MetadataValue.md(preview_markdown(table)),
    }
