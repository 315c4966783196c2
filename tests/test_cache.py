"""The parse cache (``pipeline.cache``): results by content hash, and runs that use it."""

from __future__ import annotations

import pickle

import pipeline.ingest as ingest
from pipeline.cache import ParseCache
from pipeline.ingest import PARSED, parse_bytes
from tests.runs import SEED_PREFIXES, DeadPool, copy_seeds, facts, run_folder, seed_text

SEEDS = {prefix: seed_text(prefix) for prefix in ("001", "004")}


def test_the_cache_returns_a_result_under_the_name_asked_for(tmp_path):
    cache = ParseCache(tmp_path)
    result = parse_bytes("a.txt", SEEDS["001"].encode())
    cache.put(result)
    again = cache.get(result.sha256, "copy/b.txt")
    assert again.source_file == "copy/b.txt" and facts(again) == facts(result)


def test_a_damaged_or_foreign_cache_entry_is_a_miss(tmp_path):
    cache = ParseCache(tmp_path)
    result = parse_bytes("a.txt", SEEDS["001"].encode())
    cache.put(result)
    path = cache._path(result.sha256)
    path.write_bytes(path.read_bytes()[:100])
    assert cache.get(result.sha256, "a.txt") is None
    path.write_bytes(pickle.dumps({"not": "a result"}))
    assert cache.get(result.sha256, "a.txt") is None
    other = parse_bytes("b.txt", SEEDS["004"].encode())
    path.write_bytes(pickle.dumps(other))
    assert cache.get(result.sha256, "a.txt") is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    cache = ParseCache(tmp_path / "blocked")
    cache.put(parse_bytes("a.txt", SEEDS["001"].encode()))  # no exception
    assert cache.get("0" * 64, "a.txt") is None


def test_a_rerun_from_the_cache_gives_identical_tables(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    (raw / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    first = run_folder(raw, cache_dir=tmp_path / "cache")
    second = run_folder(raw, cache_dir=tmp_path / "cache")
    for name, table in first.tables.arrow.items():
        assert table.equals(second.tables[name]), name


def test_a_dead_worker_pool_falls_back_to_parsing_here(monkeypatch, tmp_path):
    monkeypatch.setattr(ingest, "ProcessPoolExecutor", DeadPool)
    raw = copy_seeds(tmp_path / "raw")
    run = run_folder(raw, workers=4)
    assert [r.status for r in run.results] == [PARSED] * len(SEED_PREFIXES)
