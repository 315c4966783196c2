"""The parse cache (``pipeline.cache``): results by content hash, and runs that use it."""

from __future__ import annotations

import pickle
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.ingest as ingest
from pipeline.cache import ParseCache
from pipeline.ingest import PARSED, parse_bytes
from pipeline.packed import pack
from pipeline.parse_stage import parsed_stream
from pipeline.sources import discover
from tests.runs import SEED_PREFIXES, DeadPool, copy_seeds, damage, facts, run_folder, seed_text

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
    damage(cache, result.sha256)
    assert cache.get(result.sha256, "a.txt") is None
    cache.put_dumped(result.sha256, pickle.dumps({"not": "a result"}))
    assert cache.get(result.sha256, "a.txt") is None
    other = parse_bytes("b.txt", SEEDS["004"].encode())
    cache.put_dumped(result.sha256, pickle.dumps(pack(other)))
    assert cache.get(result.sha256, "a.txt") is None
    cache.put(result)  # the latest entry of a hash wins
    assert facts(cache.get(result.sha256, "a.txt")) == facts(result)


def test_entries_are_appended_to_one_segment_per_cache_and_read_back_by_another(tmp_path):
    results = [parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items()]
    with ParseCache(tmp_path) as cache:
        for result in results:
            cache.put(result)
    folder = ParseCache(tmp_path).folder
    assert sorted(p.suffix for p in folder.iterdir()) == [".data", ".index"]
    again = ParseCache(tmp_path)
    for result in results:
        assert facts(again.get(result.sha256, result.source_file)) == facts(result)
    with again:  # a second writer opens a segment of its own
        again.put(results[0])
    assert sorted(p.suffix for p in folder.iterdir()) == [".data", ".data", ".index", ".index"]
    assert facts(ParseCache(tmp_path).get(results[0].sha256, "x.txt")) == facts(results[0])


def test_a_torn_index_entry_or_missing_bytes_are_misses_not_errors(tmp_path):
    first, second = (parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items())
    with ParseCache(tmp_path) as cache:
        cache.put(first)
        cache.put(second)
    folder = ParseCache(tmp_path).folder
    index = next(folder.glob("*.index"))
    index.write_bytes(index.read_bytes()[:-5])  # the second entry torn
    reader = ParseCache(tmp_path)
    assert reader.has(first.sha256) and not reader.has(second.sha256)
    data = next(folder.glob("*.data"))
    data.write_bytes(data.read_bytes()[:10])  # the first entry's bytes cut short
    assert ParseCache(tmp_path).get(first.sha256, "a.txt") is None


def _segments(cache: ParseCache) -> list[Path]:
    return sorted(cache.folder.glob("*.index"))


def test_small_segments_are_merged_once_there_are_too_many(tmp_path):
    first, second = (parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items())
    for _ in range(3):  # a run each, storing one result (the later entries win)
        with ParseCache(tmp_path) as cache:
            cache.put_dumped(first.sha256, pickle.dumps(pack(second)))  # a wrong entry ...
    with ParseCache(tmp_path) as cache:
        cache.put(first)  # ... overridden by a later one
    with ParseCache(tmp_path) as cache:
        cache.put(second)
    cache = ParseCache(tmp_path)
    assert len(_segments(cache)) == 5
    assert cache.compact(most=5) == 0  # few enough
    assert cache.compact(most=4) == 5
    assert len(_segments(cache)) == 1
    assert facts(cache.get(first.sha256, "a.txt")) == facts(first)
    assert facts(cache.get(second.sha256, "b.txt")) == facts(second)
    fresh = ParseCache(tmp_path)
    assert facts(fresh.get(first.sha256, "a.txt")) == facts(first)


def test_large_segments_are_left_as_they_are(tmp_path):
    results = [parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items()]
    with ParseCache(tmp_path) as cache:  # the large one: a cold run's
        for result in results:
            cache.put(result)
    large = _segments(cache)
    size = large[0].with_suffix(".data").stat().st_size
    for result in results:
        with ParseCache(tmp_path) as cache:
            cache.put(result)
    assert ParseCache(tmp_path).compact(most=1, small=size) == 2
    kept = _segments(cache)
    assert len(kept) == 2 and large[0] in kept
    for result in results:
        assert facts(ParseCache(tmp_path).get(result.sha256, "x.txt")) == facts(result)


def test_a_run_compacts_the_cache_it_used(tmp_path, monkeypatch):
    import pipeline.cache as cache_module

    monkeypatch.setattr(cache_module, "MAX_SEGMENTS", 1)
    raw = copy_seeds(tmp_path / "raw")
    folder = tmp_path / "cache"
    for result in (parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items()):
        with ParseCache(folder) as cache:
            cache.put(result)
    first = run_folder(raw, cache_dir=folder)
    assert len(_segments(ParseCache(folder))) == 3
    files = sorted(discover(raw), key=lambda f: f.source_file)
    streamed = list(parsed_stream(files, folder, 1))
    assert len(_segments(ParseCache(folder))) == 1
    assert [facts(r) for r in streamed] == [facts(r) for r in first.results]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index_cut=st.integers(0, 200), data_cut=st.integers(0, 40_000),
       flips=st.lists(st.tuples(st.integers(0, 40_000), st.integers(1, 255)), max_size=4),
       index_flips=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 255)), max_size=4))
def test_a_damaged_segment_never_gives_a_wrong_result(tmp_path_factory, index_cut, data_cut, flips, index_flips):
    """Whatever is cut off or changed in a segment's files, every entry is either the result
    stored or a miss: never another result, never an error."""
    folder = tmp_path_factory.mktemp("cache")
    results = [parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items()]
    with ParseCache(folder) as cache:
        for result in results:
            cache.put(result)
    index, data = (next(ParseCache(folder).folder.glob(f"*{suffix}")) for suffix in (".index", ".data"))
    entries = bytearray(index.read_bytes()[:index_cut])
    for position, change in index_flips:
        if position < len(entries):
            entries[position] ^= change
    index.write_bytes(bytes(entries))
    damaged = bytearray(data.read_bytes()[:data_cut])
    for position, change in flips:
        if position < len(damaged):
            damaged[position] ^= change
    data.write_bytes(bytes(damaged))
    reader = ParseCache(folder)
    for result in results:
        got = reader.get(result.sha256, result.source_file)
        assert got is None or facts(got) == facts(result)


def test_hashes_that_are_not_sha256_are_never_stored(tmp_path):
    cache = ParseCache(tmp_path)
    cache.put_dumped("not a hash", b"anything")
    cache.put_dumped("zz" * 32, b"anything")
    assert not cache.has("not a hash") and not cache.has("zz" * 32) and not cache.has(None)
    assert not cache.folder.exists()


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
