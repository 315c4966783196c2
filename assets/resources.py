"""Where the pipeline reads and writes, as a Dagster resource (tests point it elsewhere)."""

from pathlib import Path

import dagster as dg

from pipeline.paths import CACHE_DIR, RAW_DIR, WAREHOUSE_DIR
from pipeline.ingest import default_workers


class PipelinePaths(dg.ConfigurableResource):
    """Folders of one deployment: raw reports in, warehouse out, parse cache."""

    raw_dir: str = str(RAW_DIR)
    warehouse_dir: str = str(WAREHOUSE_DIR)
    cache_dir: str = str(CACHE_DIR)
    workers: int = default_workers()

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_dir)

    @property
    def cache(self) -> Path:
        return Path(self.cache_dir)
