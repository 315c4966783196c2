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


#: Longer texts are cut in the preview.
PREVIEW_TEXT_CHARS = 40
_PLAIN = (int, float, bool)


def _shown(value: object) -> str | int | float | bool | None:
    """A value as a preview cell: numbers and booleans as they are, anything else (decimals,
    dates, texts) as text of at most ``PREVIEW_TEXT_CHARS`` characters."""
    if value is None or isinstance(value, _PLAIN):
        return value
    return str(value)[:PREVIEW_TEXT_CHARS]


def preview(table_name: str, table: pa.Table, rows: int = PREVIEW_ROWS) -> dg.TableMetadataValue:
    """The table's first rows, as a table in the Dagster UI."""
    records = [dg.TableRecord(data={name: _shown(value) for name, value in row.items()})
               for row in table.slice(0, rows).to_pylist()]
    return dg.MetadataValue.table(records=records, schema=column_schema(table_name))


def table_metadata(table_name: str, table: pa.Table) -> dict:
    return {
        "dagster/row_count": table.num_rows,
        "dagster/column_schema": column_schema(table_name),
        "preview": preview(table_name, table),
    }
