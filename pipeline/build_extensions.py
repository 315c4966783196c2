"""Compile the parse modules with Cython: ``python -m pipeline.build_extensions``.

``make install`` runs it; it does nothing when every extension was built from the
current source (see ``pipeline.compiled``, which decides what runs compiled).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time

from pipeline.compiled import (
    COMPILED_MODULES,
    MANIFEST,
    PROJECT_ROOT,
    current_extensions,
    source_digests,
    source_of,
)

BUILD_DIR = PROJECT_ROOT / "build" / "cython"
#: Python semantics kept exactly: annotations are not C types, no C types are inferred.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "infer_types": False}


def build(jobs: int = os.cpu_count() or 1) -> None:
    """Compile every module of ``COMPILED_MODULES`` in place and record their sources' digests.

    The manifest is removed first and written only once every extension is built, so a
    failed build leaves every module running from its source."""
    from Cython.Build import cythonize
    from setuptools import Distribution

    MANIFEST.unlink(missing_ok=True)
    digests = source_digests()
    sources = [str(source_of(m).relative_to(PROJECT_ROOT)) for m in COMPILED_MODULES]
    cwd = os.getcwd()
    os.chdir(PROJECT_ROOT)  # module names follow the paths from here (pipeline/...)
    try:
        extensions = cythonize(sources, compiler_directives=DIRECTIVES, build_dir=str(BUILD_DIR.relative_to(PROJECT_ROOT)),
                               nthreads=jobs, quiet=True)
        distribution = Distribution({"name": "perfwarehouse-parsers", "ext_modules": extensions})
        command = distribution.get_command_obj("build_ext")
        command.inplace, command.parallel = True, jobs
        command.build_temp = str(BUILD_DIR / "temp")
        distribution.run_command("build_ext")
    finally:
        os.chdir(cwd)
    import Cython

    manifest = {"python": sys.implementation.cache_tag, "cython": Cython.__version__, "modules": digests}
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> int:
    """Build the extensions unless they are current. Without a C compiler, or if compiling
    fails, say why and go on: the parsers then run as Python (slower, same results), and
    ``tests/test_compiled.py`` fails wherever a compiler is at hand."""
    if current_extensions() == frozenset(COMPILED_MODULES):
        print(f"parsers: {len(COMPILED_MODULES)} compiled modules up to date")
        return 0
    if shutil.which(os.environ.get("CC", "cc")) is None:
        print("parsers: no C compiler found; they run as Python (slower, same results)", file=sys.stderr)
        return 0
    started = time.perf_counter()
    try:
        build()
    except Exception as exc:  # noqa: BLE001 - Cython and the C compiler raise many kinds
        print(f"parsers: compiling failed ({type(exc).__name__}: {exc}); they run as Python "
              "(slower, same results)", file=sys.stderr)
        return 0
    print(f"parsers: compiled {len(COMPILED_MODULES)} modules with Cython in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
