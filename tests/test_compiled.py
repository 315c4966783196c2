"""The parse modules compiled by Cython (pipeline/compiled.py, pipeline/build_extensions.py).

The tests run the compiled parsers wherever a C compiler is at hand (``make test``
compiles them first); the compiled and the pure Python parsers must give the same
result for every file, and an extension built from another source must never run.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import json
import os
import pickle
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import pipeline.build_extensions as build_extensions
import pipeline.compiled as compiled
from pipeline.ingest import parse_bytes
from pipeline.synthetic import generate_file, plan

ROOT = Path(__file__).resolve().parent.parent
SEED = 20240
#: A script printing each file's parse result digest (see ``result_digests``) for the
#: files named on stdin, run in a fresh interpreter.
DIGESTS_SCRIPT = """
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
from test_compiled import result_digests
import pipeline.compiled, pipeline.document
files = json.load(sys.stdin)
print(json.dumps({{"compiled": pipeline.compiled.parsers_compiled(), "document": pipeline.document.__file__,
                  "digests": result_digests([(name, bytes.fromhex(data)) for name, data in files])}}))
"""


def result_digests(files: list[tuple[str, bytes]]) -> dict[str, str]:
    """Each file's name -> sha256 of its pickled parse result."""
    return {name: hashlib.sha256(pickle.dumps(parse_bytes(name, data))).hexdigest() for name, data in files}


def sample_files() -> list[tuple[str, bytes]]:
    """The seeds, the malformed inputs, and every layout of a small synthetic corpus."""
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    bad = ROOT / "tests" / "bad_inputs" / "files"
    files += [(str(p.relative_to(bad)), p.read_bytes()) for p in sorted(bad.rglob("*")) if p.is_file()]
    files += [(g.source_file, g.data) for g in (generate_file(SEED, e) for e in plan(600, SEED))]
    return files


def _extension_loaded(module: str) -> bool:
    return importlib.import_module(module).__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler: the parsers run as Python")
def test_every_parse_module_runs_compiled():
    """What the tests check is what ships: ``make test`` compiled every parse module from its current source."""
    assert not compiled.stale_modules(), "run `make install` to compile the edited modules again"
    assert compiled.parsers_compiled()
    assert all(_extension_loaded(module) for module in compiled.COMPILED_MODULES)


def test_compiled_and_pure_python_parsers_give_the_same_results():
    files = sample_files()
    env = dict(os.environ, **{compiled.PURE_ENV: "1"})
    script = DIGESTS_SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests"))
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps([(n, d.hex()) for n, d in files]),
                          capture_output=True, text=True, env=env, check=True)
    pure = json.loads(done.stdout.splitlines()[-1])
    assert not pure["compiled"] and pure["document"] == str(compiled.source_of("pipeline.document"))
    pure = pure["digests"]
    here = result_digests(files)
    assert len(here) == len(files) > 200
    assert [name for name in here if here[name] != pure[name]] == []


def test_pure_python_is_run_on_request(monkeypatch):
    monkeypatch.setenv(compiled.PURE_ENV, "1")
    spec = compiled.SourceWhenStale().find_spec("pipeline.document", None)
    assert spec is not None and spec.origin == str(compiled.source_of("pipeline.document"))
    assert isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert not compiled.parsers_compiled()


def test_an_extension_built_from_another_source_is_not_run(monkeypatch):
    monkeypatch.delenv(compiled.PURE_ENV, raising=False)
    monkeypatch.setattr(compiled, "current_extensions", lambda: frozenset(compiled.COMPILED_MODULES) - {"pipeline.text"})
    finder = compiled.SourceWhenStale()
    assert finder.find_spec("pipeline.document", None) is None  # current: the usual finders load the extension
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = finder.find_spec("pipeline.text", None)
    assert spec.origin == str(compiled.source_of("pipeline.text"))
    if compiled._extension_files("pipeline.text"):
        assert "not built from its current source" in str(caught[0].message)
    assert finder.find_spec("pipeline.tables", None) is None  # never compiled: not this finder's business


def test_the_manifest_records_the_sources_it_was_built_from(tmp_path, monkeypatch):
    manifest = tmp_path / "compiled.json"
    monkeypatch.setattr(compiled, "MANIFEST", manifest)
    built = {m for m in compiled.COMPILED_MODULES if m != "pipeline.numbers"}  # numbers.so deleted since
    monkeypatch.setattr(compiled, "_extension_files", lambda m: [tmp_path / f"{m}.so"] if m in built else [])
    digests = compiled.source_digests()
    assert set(digests) == set(compiled.COMPILED_MODULES)
    assert compiled.recorded_digests() == {}  # no build
    edited = dict(digests, **{"pipeline.text": "0" * 64})
    manifest.write_text(json.dumps({"python": sys.implementation.cache_tag, "modules": edited}))
    compiled.current_extensions.cache_clear()
    try:
        assert compiled.current_extensions() == frozenset(built) - {"pipeline.text"}
        manifest.write_text(json.dumps({"python": "another-python", "modules": digests}))
        compiled.current_extensions.cache_clear()
        assert compiled.current_extensions() == frozenset()
    finally:
        monkeypatch.undo()
        compiled.current_extensions.cache_clear()


def test_every_parse_module_is_listed():
    """A new family module is compiled without being named anywhere."""
    families = {f"pipeline.families.{p.stem}" for p in (ROOT / "pipeline" / "families").glob("*.py") if p.stem != "__init__"}
    assert families <= set(compiled.COMPILED_MODULES)
    assert all(compiled.source_of(m).exists() for m in compiled.COMPILED_MODULES)


def test_a_failed_build_leaves_the_parsers_running_as_python(monkeypatch, capsys):
    def fails() -> None:
        raise RuntimeError("cc: command failed")

    monkeypatch.setattr(build_extensions, "current_extensions", lambda: frozenset())
    monkeypatch.setattr(build_extensions, "build", fails)
    assert build_extensions.main() == 0  # `make install` goes on
    assert "compiling failed (RuntimeError: cc: command failed); they run as Python" in capsys.readouterr().err


def test_current_extensions_are_not_built_again(monkeypatch, capsys):
    monkeypatch.setattr(build_extensions, "current_extensions", lambda: frozenset(compiled.COMPILED_MODULES))
    monkeypatch.setattr(build_extensions, "build", lambda: pytest.fail("built again"))
    assert build_extensions.main() == 0
    assert f"{len(compiled.COMPILED_MODULES)} compiled modules up to date" in capsys.readouterr().out
