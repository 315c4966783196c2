"""Publishing gated by validation, and what a build records for the next one.

``validate_and_publish`` is the last step of a build made stage by stage elsewhere (the
Dagster ``warehouse`` asset): every table's Great Expectations suite (the blocking
integrity checks) must pass, or ``IntegrityFailed`` is raised and the previous build stays
published. ``recorded_states`` and ``write_patchable`` write what the next run needs to
patch this build (``pipeline.incremental``); ``WarehouseRun`` uses them too.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import pyarrow as pa

from pipeline.build_state import BuildState, FileState, write_state
from pipeline.patching import TablePatch, database_patch, rows_to_validate
from pipeline.quality.integrity import TableValidation, validate_tables
from pipeline.quality.validation_process import Validator
from pipeline.snapshot import SnapshotBase, write_snapshot
from pipeline.sources import RawFile
from pipeline.warehouse import StagedPatch, publish, publish_after


class IntegrityFailed(Exception):
    """A blocking integrity check failed: the new warehouse is not published."""

    def __init__(self, failed: dict[str, object]):
        self.failed = failed
        names = ", ".join(sorted(failed))
        super().__init__(f"integrity checks failed for: {names}; the previous warehouse stays published")


def raise_if_failed(validations: dict[str, TableValidation]) -> None:
    failed = {name: v for name, v in validations.items() if not v.success}
    if failed:
        raise IntegrityFailed(failed)


def validate_all(tables: dict[str, pa.Table]) -> dict[str, TableValidation]:
    """Run every table's Great Expectations suite (the blocking integrity checks)."""
    return validate_tables(tables)


def validate_and_publish(tables: dict[str, pa.Table], warehouse_dir: Path, state: BuildState | None = None,
                         patch: TablePatch | None = None, validator: Validator | None = None,
                         staged: StagedPatch | None = None) -> tuple[Path, dict[str, TableValidation]]:
    """Validate every table; publish them with their Data Docs only if all integrity checks pass.

    With the run's ``state`` (``WarehouseRun.build_state``: this code, the manifest, every
    file's stat, hash, content fingerprint and parse status) the build records what the next
    run needs to patch it, and the tables' snapshot (the next run need not rehash unchanged
    files either); without it the next run is a full one. With the ``patch`` the tables were made by (see
    ``WarehouseRun.patch``) only the changed rows are validated, and the database is
    the patched build's with those rows replaced; the build is then written into its
    staging folder while they are validated, or, ``staged`` (``stage_patch``), it was
    started before with the tables made first, and the others are added. The suites run by
    the run's ``validator`` (by default here, in this process).
    """
    validator = validator if validator is not None else Validator()
    changed = rows_to_validate(tables, patch)
    validations: dict[str, TableValidation] = {}
    extras = partial(write_patchable, state, tables, patch=patch) if state is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        docs_dir = Path(tmp) / "data_docs"

        def validated() -> dict[str, Path]:
            """The gate of publishing: the suites pass, and their Data Docs are written."""
            validations.update(validator.validate(changed, tables.get("projects"), docs_dir, patched=patch is not None))
            raise_if_failed(validations)
            validator.docs_written()
            return {"data_docs": docs_dir}

        if staged is not None:
            assert patch is not None, "only a patched build is staged early"
            more = {name: table for name, table in tables.items() if name not in staged.table_names}
            folder = staged.finish(validated, more, database_patch(patch, {name: changed[name] for name in more}), extras)
        elif patch is None:  # every row: validated first (the frames' memory and the database's do not add up)
            folder = publish(tables, warehouse_dir, extra_dirs=validated(), write_extras=extras)
        else:
            folder = publish_after(validated, tables, warehouse_dir, database_patch(patch, changed), extras)
    return folder, validations


def stage_patch(tables: dict[str, pa.Table], warehouse_dir: Path, patch: TablePatch) -> StagedPatch:
    """A patched build's ``tables`` (those made first: no findings) being written into its
    staging folder while the run goes on; ``validate_and_publish(..., staged=)`` adds the rest."""
    return StagedPatch(warehouse_dir, tables, database_patch(patch, rows_to_validate(tables, patch)))


def recorded_states(files: list[RawFile], outcomes: dict[str, tuple[str | None, str]]) -> dict[str, FileState]:
    """What a build records of each raw file: its stat and hash, and from the run's parse
    ``outcomes`` its content fingerprint and status."""
    states = {f.source_file: FileState(f.sha256, *outcomes[f.source_file], f.stat) for f in files}
    return dict(sorted(states.items()))


def write_patchable(state: BuildState, tables: dict[str, pa.Table], folder: Path,
                     patch: TablePatch | None = None) -> None:
    """What the next run needs to patch this build: the files' states, the tables' snapshot
    (with the ``patch`` the tables were made by, the shards it did not touch are linked)."""
    write_state(state, folder)
    write_snapshot(tables, folder, snapshot_base(patch))


def snapshot_base(patch: TablePatch | None) -> SnapshotBase | None:
    """The build a patched build's snapshot shares its untouched shards with."""
    return SnapshotBase(patch.base, patch.touched) if patch is not None else None
