"""The one ``Definitions`` object: ``dagster dev -m assets.definitions``."""

import dagster as dg

from assets.automation import build_warehouse_job, daily_build, raw_files_changed
from assets.checks import INTEGRITY_CHECKS
from assets.io_manager import TablesIOManager
from assets.pipeline_assets import quality_findings, raw_files, tidy_tables, warehouse
from assets.resources import PipelinePaths, run_resources

ASSETS = [raw_files, tidy_tables, quality_findings, warehouse]

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=INTEGRITY_CHECKS,
    jobs=[build_warehouse_job],
    schedules=[daily_build],
    sensors=[raw_files_changed],
    resources=run_resources(PipelinePaths(), TablesIOManager()),
    # One process for the whole run: the steps are light, and every extra process would pay
    # Great Expectations' multi-second import again. Parsing itself fans out over processes.
    executor=dg.in_process_executor,
)
