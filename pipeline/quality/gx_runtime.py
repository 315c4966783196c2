"""Great Expectations, imported lazily and configured once per process.

Importing GX takes 3-11 s, so nothing imports it at module level: the first
validation pays for it. Analytics are switched off (no network calls) and
progress bars are disabled so logs stay readable.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.memory import collections_paused, exempt_from_collections

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"

_lock = threading.Lock()


@lru_cache(maxsize=1)
def gx() -> Any:
    """The ``great_expectations`` module (imported on first use)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # its ~200,000 module objects live as long as the process: full collections over them
    # while they are created, and after, would only cost time (see pipeline.memory)
    with collections_paused():
        import great_expectations
    exempt_from_collections()

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return great_expectations


def skip_fingerprints() -> None:
    """GX hashes every in-memory DataFrame it validates (a batch "fingerprint"
    kept only as metadata); on a million rows that costs seconds. Frames here
    are built fresh for each validation, so the fingerprint is skipped."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def quiet(context: Any) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


class _Validator:
    """One ephemeral context with a pandas data source; validates one frame at a time."""

    def __init__(self) -> None:
        module = gx()
        skip_fingerprints()
        self.context = quiet(module.get_context(mode="ephemeral"))
        source = self.context.data_sources.add_pandas("warehouse")
        self.batch_definition = source.add_dataframe_asset("tables").add_batch_definition_whole_dataframe("whole")

    def validate(self, frame: Any, suite: Any, result_format: dict) -> Any:
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format=result_format)


_creating = threading.Lock()


@lru_cache(maxsize=1)
def _shared_validator() -> _Validator:
    with collections_paused():  # the context lives as long as the process, like the modules
        made = _Validator()
    exempt_from_collections()
    return made


def validator() -> _Validator:
    """The process's one validator (created on first use, by one thread only)."""
    with _creating:
        return _shared_validator()


def warm_up() -> threading.Thread:
    """Import GX and set up its context in a background thread, so the first
    validation does not wait for them; e.g. started while reports are parsed
    in worker processes. Returns the (daemon) thread."""
    thread = threading.Thread(target=validator, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def validate(frame: Any, suite: Any, result_format: dict) -> Any:
    with _lock:  # the shared context is not meant for concurrent use
        return validator().validate(frame, suite, result_format)


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


def suite_json(name: str) -> dict:
    """The suite definition as stored in ``expectations/<name>.json``."""
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def suite(name: str) -> Any:
    """A fresh ``gx.ExpectationSuite`` built from the JSON file."""
    validator()  # suites are built against an active context
    return gx().ExpectationSuite(**suite_json(name))
