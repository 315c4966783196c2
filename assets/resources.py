"""What the steps of a run share, as Dagster resources: where the pipeline reads and writes
(tests point it elsewhere), who runs the Great Expectations suites, and a patched build
being written while the run goes on."""

from pathlib import Path

import dagster as dg
import pyarrow as pa
from pydantic import PrivateAttr

from pipeline.build import patch_likely
from pipeline.ingest import default_workers
from pipeline.patching import TablePatch
from pipeline.paths import CACHE_DIR, RAW_DIR, WAREHOUSE_DIR
from pipeline.quality.validation_process import Validator, separate_process_pays
from pipeline.validated_publish import stage_patch
from pipeline.warehouse import StagedPatch


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


class IntegrityValidation(dg.ConfigurableResource):
    """Runs the integrity suites of a run: its blocking asset checks', then the ``warehouse``
    step's, right before it publishes.

    In a run that will most likely patch the published build (this code made it), on a
    machine with a core to spare, a process of its own is started with the run: it imports
    Great Expectations while the run reads and patches, validates the changed rows for the
    checks, and when the ``warehouse`` step sends it the same rows it renders their Data
    Docs without validating them again (``pipeline.quality.validation_process``). Every row
    of a full build is validated in the run's process."""

    paths: PipelinePaths
    _validator: Validator | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._validator = Validator(apart=separate_process_pays() and patch_likely(self.paths.warehouse))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        validator, self._validator = self._validator, None
        if validator is not None:
            validator.close()

    @property
    def validator(self) -> Validator:
        if self._validator is None:  # (outside a run's setup: validates in this process)
            self._validator = Validator()
        return self._validator


class BuildStaging(dg.ConfigurableResource):
    """A patched build written while the run makes the rest of it: ``tidy_tables`` starts
    writing its tables (Parquet files, the database patched, its precomputed views) while the
    checks and the findings run; the ``warehouse`` step adds the findings and publishes it
    (``pipeline.warehouse.StagedPatch``). A run that does not get that far drops it."""

    _staged: StagedPatch | None = PrivateAttr(default=None)

    def start(self, tables: dict[str, pa.Table], warehouse_dir: Path, patch: TablePatch) -> None:
        self.drop()
        self._staged = stage_patch(tables, warehouse_dir, patch)

    def take(self) -> StagedPatch | None:
        """The build staged in this run, if any (the caller finishes or closes it)."""
        staged, self._staged = self._staged, None
        return staged

    def drop(self) -> None:
        staged, self._staged = self._staged, None
        if staged is not None:
            staged.close()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.drop()


def run_resources(paths: PipelinePaths, io_manager: dg.IOManagerDefinition | dg.ConfigurableIOManagerFactory
                  ) -> dict[str, object]:
    """Every resource a run of the graph needs, given where it works and keeps its steps' outputs."""
    return {"paths": paths, "validation": IntegrityValidation(paths=paths), "staging": BuildStaging(),
            "io_manager": io_manager}
