"""``pipeline.parse_stage``: the parse stream's file order, the cache (written by the worker
processes), damaged entries, duplicates, a dead worker pool, and streaming into the tables."""

from __future__ import annotations

import dataclasses
import gc
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pipeline.ingest as ingest  # noqa: E402
import pipeline.parse_stage as parse_stage  # noqa: E402
from pipeline.parse_stage import parsed_stream  # noqa: E402
from pipeline.cache import ParseCache  # noqa: E402
from pipeline.memory import collections_paused  # noqa: E402
from pipeline.ingest import DUPLICATE, PARSED, QUARANTINED, parse_raw_file  # noqa: E402
from pipeline.sources import discover  # noqa: E402
from tests.runs import DeadPool, copy_seeds, damage  # noqa: E402


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """The seed reports, a copy of one under another name, and a file that cannot be parsed."""
    folder = copy_seeds(tmp_path / "raw")
    first = sorted(folder.glob("0*.txt"))[0]
    shutil.copyfile(first, folder / "zz_copy.txt")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    return folder


def files_of(folder: Path):
    return sorted(discover(folder), key=lambda f: f.source_file)


def expected(files) -> list[dict]:
    """What parsing every file here, one after the other, gives (duplicates marked by hand)."""
    out, first = [], {}
    for raw in files:
        result = parse_raw_file(raw)
        if result.status == PARSED:
            original = first.setdefault(result.text_sha256, result.source_file)
            if original != result.source_file:
                result.status, result.duplicate_of = DUPLICATE, original
                result.reason = f"same report as {original} (its projects are counted once, from that file)"
        out.append(dataclasses.asdict(result))
    return out


def stream(files, cache_dir, workers) -> list[dict]:
    return [dataclasses.asdict(r) for r in parsed_stream(files, cache_dir, workers)]


@pytest.mark.parametrize("workers", [1, 2])
def test_without_a_cache_results_come_in_file_order(raw, workers):
    files = files_of(raw)
    results = stream(files, None, workers)
    assert results == expected(files)
    assert [r["status"] for r in results].count(DUPLICATE) == 1
    assert [r["status"] for r in results].count(QUARANTINED) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_fresh_results_are_cached_and_reused(raw, tmp_path, workers):
    files = files_of(raw)
    cold = stream(files, tmp_path / "cache", workers)
    cache = ParseCache(tmp_path / "cache")
    assert all(cache.has(f.sha256) for f in files)
    warm = stream(files, tmp_path / "cache", workers)
    assert cold == warm == expected(files)


def test_a_cached_result_is_not_parsed_again(raw, tmp_path, monkeypatch):
    files = files_of(raw)
    want = expected(files)
    stream(files, tmp_path / "cache", 2)
    monkeypatch.setattr(ingest, "parse_bytes", lambda *a: pytest.fail("parsed again"))
    assert stream(files, tmp_path / "cache", 2) == want


def test_a_damaged_cache_entry_is_parsed_again_and_rewritten(raw, tmp_path):
    files = files_of(raw)
    stream(files, tmp_path / "cache", 2)
    damage(ParseCache(tmp_path / "cache"), files[0].sha256)
    assert stream(files, tmp_path / "cache", 2) == expected(files)
    assert ParseCache(tmp_path / "cache").get(files[0].sha256, files[0].source_file) is not None


def test_a_dead_worker_pool_falls_back_to_parsing_here(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "ProcessPoolExecutor", DeadPool)
    files = files_of(raw)
    assert stream(files, tmp_path / "cache", 4) == expected(files)
    assert all(ParseCache(tmp_path / "cache").has(f.sha256) for f in files)


def test_worker_processes_start_before_the_first_result_even_when_it_is_cached(raw, tmp_path, monkeypatch):
    """A caller starts threads once results come (the Great Expectations import): no
    process may be forked after that, so the pool starts before anything is yielded."""
    files = files_of(raw)
    stream(files[:1], tmp_path / "cache", 1)  # the first file is cached, the others are not
    events = []
    real = parse_stage.parse_fresh

    def recording(to_parse, cache, workers):
        for result in real(to_parse, cache, workers):
            events.append(("parsed", result.source_file))
            yield result

    monkeypatch.setattr(parse_stage, "parse_fresh", recording)
    results = parse_stage.parsed_stream(files, tmp_path / "cache", 2)
    first = next(results)
    assert first.source_file == files[0].source_file  # cached, yielded first
    assert events and events[0] == ("parsed", files[1].source_file), "the workers had started"
    assert [r.source_file for r in [first, *results]] == [f.source_file for f in files]


def gc_settings_of_worker(raw) -> tuple[bool, int]:
    return gc.isenabled(), gc.get_threshold()[0]


def test_worker_processes_collect_young_garbage_less_often(raw):
    files = files_of(raw)[:4]
    settings = set(ingest.parse_stream(files, workers=2, task=gc_settings_of_worker))
    assert settings == {(True, ingest.WORKER_GC_THRESHOLD)}
    assert gc.get_threshold()[0] != ingest.WORKER_GC_THRESHOLD  # this process keeps its own


def test_worker_processes_collect_garbage_when_forked_while_the_parent_pauses_collection(raw):
    """Parsing leaves reference cycles: workers that inherited a paused collector grew by
    about 35 MB each over a 100,000-report parse_stage."""
    files = files_of(raw)[:4]
    with collections_paused():
        settings = set(ingest.parse_stream(files, workers=2, task=gc_settings_of_worker))
    assert settings == {(True, ingest.WORKER_GC_THRESHOLD)}


def test_streaming_results_into_tables_runs_no_automatic_collection(raw, monkeypatch):
    """The stream makes no reference cycles: collections would only cost this process time."""
    enabled_while_adding = []
    add = parse_stage.TableBuilder.add
    monkeypatch.setattr(parse_stage.TableBuilder, "add", lambda self, r: (enabled_while_adding.append(gc.isenabled()), add(self, r)))
    inventory = parse_stage.inventory(raw)
    streamed = parse_stage.stream_into_tables(inventory, None, 2)
    assert enabled_while_adding and not any(enabled_while_adding)
    assert gc.isenabled()  # on again afterwards
    assert streamed.tables["projects"].num_rows > 0


def test_entries_of_other_parser_code_are_dropped_and_nothing_else(raw, tmp_path):
    folder = tmp_path / "cache"
    old_version = folder / "0123456789abcdef" / "ab"
    old_version.mkdir(parents=True)
    (old_version / "ab12.pickle").write_bytes(b"stored by other parser code")
    kept = [folder / "notes.txt", folder / "0123456789abcdeg", folder / "fedcba9876543210.txt"]
    kept[0].write_text("a user's file")
    kept[1].mkdir()  # not a fingerprint: left alone
    kept[2].write_text("a file, not a version folder")
    files = files_of(raw)
    assert stream(files, folder, 1) == expected(files)
    assert not (folder / "0123456789abcdef").exists()
    assert all(path.exists() for path in kept)
    assert all(ParseCache(folder).has(f.sha256) for f in files)
