"""The parse modules compiled to C extensions with Cython, and the guard that never runs a stale one.

The parse is pure Python and CPU-bound. Compiled unchanged (no C types, the
annotations ignored, so the semantics stay Python's), its modules parse a file in
about 0.8 of the time in one process; in the benchmark's two worker processes,
which also pickle, store and send each result, the parse took 6-13 % fewer
CPU-seconds at 100,000 reports (``bench/profile.py`` profiles the Python source).
``python -m pipeline.build_extensions`` (run by ``make install``) builds an extension
beside each module of ``COMPILED_MODULES`` and records the digest of the source it
was built from in ``compiled.json``.

Python would import an extension in preference to its ``.py`` file even after the
source was edited. ``SourceWhenStale`` (installed by ``import pipeline``) prevents
that: a module is loaded from its extension only if the manifest records the digest
of its current source; otherwise, or with ``PERFWH_PURE_PYTHON=1`` set (profiling,
debugging), from the source. Both give identical results (``tests/test_compiled.py``).
Without a C compiler the build warns and everything runs as Python.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
MANIFEST = PACKAGE_DIR / "compiled.json"
#: Set to 1 to run every module from its source, compiled or not.
PURE_ENV = "PERFWH_PURE_PYTHON"

#: The modules a parse runs through (in the worker processes): the document model,
#: text and number normalization, decoding, the three families' parsers and the checks
#: every report passes. Package ``__init__`` modules stay Python (``pipeline.families``
#: re-exports its compiled ``dispatch``).
COMPILED_MODULES: tuple[str, ...] = (
    "pipeline.decoding",
    "pipeline.document",
    "pipeline.ingest",
    "pipeline.numbers",
    "pipeline.report_check",
    "pipeline.report_contract",
    "pipeline.text",
    "pipeline.vocabulary",
    *sorted(f"pipeline.families.{path.stem}" for path in (PACKAGE_DIR / "families").glob("*.py")
            if path.stem != "__init__"),
)


def source_of(module: str) -> Path:
    return PROJECT_ROOT.joinpath(*module.split(".")).with_suffix(".py")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_digests() -> dict[str, str]:
    """Each compiled module's name -> the sha256 of its current source."""
    return {module: _digest(source_of(module)) for module in COMPILED_MODULES}


def recorded_digests() -> dict[str, str]:
    """What the last build compiled (module -> source digest), for this Python; empty if none."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if manifest.get("python") != sys.implementation.cache_tag:
        return {}
    return manifest.get("modules", {})


def pure_python_requested() -> bool:
    return os.environ.get(PURE_ENV, "") not in ("", "0")


@lru_cache(maxsize=1)
def current_extensions() -> frozenset[str]:
    """The modules whose extension exists and was built from their current source (read once per process)."""
    recorded = recorded_digests()
    return frozenset(m for m in COMPILED_MODULES
                     if m in recorded and recorded[m] == _digest(source_of(m)) and _extension_files(m))


def stale_modules() -> list[str]:
    """Compiled modules whose extension exists but was built from another source."""
    return [m for m in COMPILED_MODULES if _extension_files(m) and m not in current_extensions()]


def _extension_files(module: str) -> list[Path]:
    source = source_of(module)
    return [source.with_name(source.stem + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if source.with_name(source.stem + suffix).exists()]


class SourceWhenStale(importlib.abc.MetaPathFinder):
    """Loads a compiled module from its source unless its extension is current (see the module docstring)."""

    def find_spec(self, name, path, target=None):
        if name not in COMPILED_MODULES:
            return None
        if not pure_python_requested() and name in current_extensions():
            return None  # the normal finders import the extension
        if _extension_files(name) and not pure_python_requested():
            warnings.warn(f"{name}: its compiled extension was not built from its current source, so the "
                          "source runs (`make install` compiles it again)", stacklevel=2)
        return importlib.util.spec_from_file_location(name, source_of(name))


def install_finder() -> None:
    if not any(isinstance(finder, SourceWhenStale) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceWhenStale())


def parsers_compiled() -> bool:
    """True if every parse module runs from its extension in this process."""
    return not pure_python_requested() and current_extensions() == frozenset(COMPILED_MODULES)
