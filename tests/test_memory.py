"""Arrow's memory pool (jemalloc unless the user chose one) and handing freed memory back."""

import gc
import os
import subprocess
import sys

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipeline.memory import POOL_VARIABLE, collections_paused, release_unused_memory, returning_memory_pool

MB = 1024 * 1024


def _pool_in_fresh_interpreter(env_pool: str | None) -> str:
    """The backend of Arrow's default pool once ``pipeline.memory`` is imported."""
    env = {k: v for k, v in os.environ.items() if k != POOL_VARIABLE}
    if env_pool is not None:
        env[POOL_VARIABLE] = env_pool
    code = "import pipeline.memory, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_importing_the_module_selects_the_returning_pool():
    assert _pool_in_fresh_interpreter(None) == returning_memory_pool().backend_name


def test_a_pool_the_user_chose_is_kept():
    assert _pool_in_fresh_interpreter("system") == "system"


def _cpp_pool_in_fresh_interpreter(first: str, env_pool: str | None = None) -> tuple[str, int]:
    """Arrow's C++ default pool after importing ``first`` then pyarrow, and how many bytes
    mimalloc ever held once a table went to pandas (a conversion C++ allocates for)."""
    env = {k: v for k, v in os.environ.items() if k != POOL_VARIABLE}
    if env_pool is not None:
        env[POOL_VARIABLE] = env_pool
    code = (f"import {first}\nimport pyarrow as pa\n"
            "pa.table({'s': [str(i) for i in range(100_000)], 'n': list(range(100_000))}).to_pandas()\n"
            "print(pa.default_memory_pool().backend_name, pa.mimalloc_memory_pool().max_memory())")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    backend, mimalloc = done.stdout.split()
    return backend, int(mimalloc)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the package chooses jemalloc on Linux only")
@pytest.mark.parametrize("entry", ["pipeline", "assets", "bench", "dagster, assets.definitions"])
def test_every_entry_point_makes_jemalloc_the_pool_of_arrows_cpp_code(entry):
    assert _cpp_pool_in_fresh_interpreter(entry) == ("jemalloc", 0)


_THREADED_ALLOCATIONS = """
import time
import pipeline
import numpy as np, pyarrow as pa, pyarrow.compute as pc
from concurrent.futures import ThreadPoolExecutor
from pipeline.memory import release_unused_memory

def anon():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('RssAnon')) // 1024

release_unused_memory()
start = anon()
base = pa.array(np.arange(262144, dtype=np.int64))
with ThreadPoolExecutor(4) as pool:  # threads allocate from arenas of their own
    chunks = list(pool.map(lambda i: pc.add(base, i), range(150)))
table = pa.table({"a": pa.chunked_array(chunks)}).combine_chunks()
held = anon() - start
del chunks, table
release_unused_memory()
waited = time.perf_counter()
while anon() - start > held / 8 and time.perf_counter() - waited < 1.5:
    time.sleep(0.05)
print(held, anon() - start)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the package sets jemalloc's decay on Linux only")
def test_memory_freed_by_every_thread_goes_back_to_the_system_soon():
    """Arrow buffers that worker threads allocated leave the resident set within 1.5 s of
    being freed (``pipeline.JEMALLOC_DECAY``). ``release_unused`` alone leaves them: with
    Arrow's own decay settings a quarter to a third was still resident after 1.5 s."""
    env = {k: v for k, v in os.environ.items() if k not in (POOL_VARIABLE, "JE_ARROW_MALLOC_CONF")}
    done = subprocess.run([sys.executable, "-c", _THREADED_ALLOCATIONS], env=env, capture_output=True, text=True,
                          check=True)
    held, left = map(int, done.stdout.split())
    assert held > 400 and left < held / 8, (held, left)
    assert "<jemalloc>" not in done.stderr  # jemalloc accepted the settings


def test_the_package_keeps_a_pool_the_user_chose():
    assert _cpp_pool_in_fresh_interpreter("pipeline", "system")[0] == "system"


def test_jemalloc_is_chosen_where_pyarrow_has_it():
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow build has no jemalloc")
    assert returning_memory_pool().backend_name == "jemalloc"


def test_freed_arrow_memory_leaves_the_resident_set():
    process = psutil.Process()
    release_unused_memory()
    before = process.memory_info().rss
    values = pa.array(np.arange(40 * MB // 8, dtype=np.int64))
    before = process.memory_info().rss
    held = pc.add(values, 1)  # 40 MB allocated by Arrow's pool and written: its pages are resident
    assert process.memory_info().rss - before > 30 * MB
    del held
    release_unused_memory()
    assert process.memory_info().rss - before < 10 * MB


def test_collection_is_paused_inside_the_block_only():
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_a_failing_block_turns_collection_back_on():
    with pytest.raises(ValueError), collections_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_pause_keeps_collection_off_where_it_was_off():
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


_EXEMPTED = """
import atexit, gc, weakref
from pipeline.memory import exempt_from_collections
atexit.register(lambda: print("frozen at exit", gc.get_freeze_count()))  # runs after the handler under test

class Node:
    pass

node = Node()
freed = []
ref = weakref.ref(node, lambda _: freed.append(True))
exempt_from_collections()
print("frozen", gc.get_freeze_count() > 1000)
del node
print("still freed by reference counting", freed == [True])
"""


def test_exempted_objects_are_frozen_freed_when_let_go_and_handed_back_at_exit():
    done = subprocess.run([sys.executable, "-c", _EXEMPTED], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["frozen True", "still freed by reference counting True", "frozen at exit 0"]


_GX_IMPORT = """
import gc
full = []
gc.callbacks.append(lambda phase, info: full.append(1) if phase == "stop" and info["generation"] == 2 else None)
from pipeline.quality.gx_runtime import validator
validator()
print(len(full), gc.isenabled(), gc.get_freeze_count() > 100_000)
"""


def test_great_expectations_is_set_up_without_full_collections_and_exempted_after():
    """Its import built ~200,000 objects under three full collections (0.14-0.21 s each, holding
    the GIL), and every later full collection visited them again."""
    done = subprocess.run([sys.executable, "-c", _GX_IMPORT], capture_output=True, text=True, check=True,
                          env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    assert done.stdout.split() == ["0", "True", "True"]
