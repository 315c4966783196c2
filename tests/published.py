"""Looking at a published warehouse folder, and making a build fail its checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.build as build
from pipeline.quality.validation_process import ValidationProcess
from pipeline.warehouse import VERSIONS


def published_state(warehouse: Path) -> tuple[Path, list[str]]:
    """The build ``current`` points to, and every folder under ``versions/`` (staging ones too)."""
    return (warehouse / "current").resolve(), sorted(p.name for p in (warehouse / VERSIONS).iterdir())


def fail_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the build's validation reports a failed check (the first suite's), whether
    it runs in the build's process or in a validation process of its own."""
    real_validate, real_validate_apart = build.validate_tables, ValidationProcess.validate

    def failed(validations: dict) -> dict:
        next(iter(validations.values())).success = False  # as if a check had failed
        return validations

    monkeypatch.setattr(build, "validate_tables", lambda tables, projects=None: failed(real_validate(tables, projects)))
    monkeypatch.setattr(ValidationProcess, "validate", lambda self, *args: failed(real_validate_apart(self, *args)))
