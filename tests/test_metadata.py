"""The Dagster metadata of a table: row count, the data dictionary's column schema, a preview."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import dagster as dg
import pyarrow as pa

from assets.metadata import PREVIEW_ROWS, PREVIEW_TEXT_CHARS, table_metadata
from pipeline.schema import TABLES
from tests.seed_warehouse import seed_tables


def test_every_seed_table_has_its_count_schema_and_first_rows():
    for name, table in seed_tables().items():
        metadata = table_metadata(name, table)
        assert metadata["dagster/row_count"] == table.num_rows
        assert [c.name for c in metadata["dagster/column_schema"].columns] == TABLES[name].column_names
        preview = metadata["preview"]
        assert isinstance(preview, dg.TableMetadataValue)
        assert len(preview.records) == min(PREVIEW_ROWS, table.num_rows)
        assert [c.name for c in preview.schema.columns] == TABLES[name].column_names
        for record, row in zip(preview.records, table.slice(0, PREVIEW_ROWS).to_pylist()):
            assert list(record.data) == list(row)


def test_preview_cells_keep_numbers_and_show_the_rest_as_short_text():
    row = {name: None for name in TABLES["projects"].column_names}
    row.update(project_id="p1", project_name="项目" * 30, total_score=Decimal("92.5000"),
               evaluation_date=date(2023, 3, 1), source_line=7)
    table = pa.Table.from_pylist([row], schema=TABLES["projects"].schema)
    [record] = table_metadata("projects", table)["preview"].records
    assert record.data["project_name"] == ("项目" * 30)[:PREVIEW_TEXT_CHARS]
    assert record.data["total_score"] == "92.5000" and record.data["evaluation_date"] == "2023-03-01"
    assert record.data["source_line"] == 7 and record.data["project_id"] == "p1"
    assert record.data["planned_start_date"] is None
