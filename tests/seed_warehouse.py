"""A warehouse published from the bundled seed reports, built once per test session.

Uses the same functions as the pipeline (discover -> parse -> tidy tables ->
quality findings -> publish), without the Dagster layer and without a cache.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.ingest import mark_duplicates, parse_all
from pipeline.quality.findings import find_all
from pipeline.sources import discover, read_manifest
from pipeline.tables import build_tables
from pipeline.warehouse import publish

RAW_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"

_built: dict[str, Path] = {}


def seed_tables() -> dict[str, pa.Table]:
    """Every warehouse table built from data/raw/."""
    manifest, _problems = read_manifest(RAW_DIR)
    results = mark_duplicates(parse_all(discover(RAW_DIR)))
    tables = dict(build_tables(results, manifest).arrow)
    tables["quality_findings"] = find_all(tables)
    return tables


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse folder (with ``current``, ``warehouse.duckdb`` and the Parquet links)."""
    if "folder" not in _built:
        folder = tmp_path_factory.mktemp("seed_warehouse")
        publish(seed_tables(), folder)
        _built["folder"] = folder
    return _built["folder"]
