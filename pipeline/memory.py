"""Arrow's memory pool, and handing freed memory back to the system between stages.

The pool. pyarrow allocates from mimalloc by default, which keeps pages that
hold any live block: after the tables of a 100,000-report build are assembled
chunk by chunk, about 325 MB of its pages stay resident with nothing of value
in most of them, and the peak of the run rises by as much. jemalloc hands such
pages back; the same build then peaks at 1.86 GB instead of 2.27 GB, in the
same time (measured at 100,000 reports; the C library's malloc returns as much
but parsed about 10 % slower). Importing this module therefore makes jemalloc
Arrow's default pool, where the pyarrow build has it, unless the user chose a
pool with Arrow's own ``ARROW_DEFAULT_MEMORY_POOL`` variable. Buffers allocated
earlier stay with the pool that allocated them, so switching is always safe.

That switch reaches the pyarrow functions only. Arrow's C++ code allocates from
the pool ``ARROW_DEFAULT_MEMORY_POOL`` named when pyarrow was imported (Arrow to
pandas conversions, some compute kernels): left at mimalloc, the findings stage
kept about 150 MB more resident and peaked about 130 MB higher (100,000 reports). So importing the
``pipeline`` package, before pyarrow wherever the entry point allows (the CLI,
``assets``, ``bench``), sets that variable to jemalloc on Linux, unless it is set.

Decay. jemalloc hands freed pages back on a timer, not on ``release_unused``
alone: with Arrow's settings the 0.85 GB of tables a cold build frees once they
are written (``WarehouseRun._map_tables``) stayed resident for seconds, well into
the database build, and the pages of the findings stage's frames likewise. The
package therefore also sets ``JE_ARROW_MALLOC_CONF`` (``pipeline.JEMALLOC_DECAY``):
freed pages go back after 200 ms, without the lazy "muzzy" stage the kernel
still counts as resident. Measured at 100,000 reports: the publish stage then
peaks at 1.51-1.54 GiB instead of 1.61-1.87, in the same time; handing pages back
at once (0 ms) made the findings stage 25 % slower.

Garbage collection. Python's cyclic collector visits every tracked object on each
full collection, and it runs one each time the surviving objects have grown by a
quarter. Building a large structure that lives on (the inventory of 36,479 files
and the previous build's state, Great Expectations' 200,000 module objects) thus
sets off a full collection after full collection, each visiting everything built
so far: 40-200 ms apiece on the benchmark machine, about 1.2 s of a 9 s
one-changed-file rebuild, all of it holding the GIL. ``collections_paused`` holds
automatic collection off while such a structure is built, and
``exempt_from_collections`` moves what lives for the rest of the process out of
the collector's reach. Streaming parse results into the tables makes no reference
cycles at all, yet set off 1.8 s of collections in a 100,000-report build, so
collection is paused for it too.

Releasing. Arrow's pool and malloc keep freed memory for reuse instead of
returning it, so a process's resident set stays at its high-water mark: the
frames of the findings stage would still count while DuckDB builds the
database. Calling ``release_unused_memory`` where a stage has let go of its
data returns those pages.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pyarrow as pa

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def returning_memory_pool() -> pa.MemoryPool:
    """jemalloc's pool where pyarrow was built with it, else the default pool."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


def use_returning_memory_pool() -> str:
    """Make ``returning_memory_pool`` Arrow's default (not when ``ARROW_DEFAULT_MEMORY_POOL``
    is set); the name of the pool in use."""
    if not os.environ.get(POOL_VARIABLE):
        pa.set_memory_pool(returning_memory_pool())
    return pa.default_memory_pool().backend_name


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where there is none (macOS, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_unused_memory() -> None:
    """Return the memory Arrow's pool and malloc hold free to the operating system."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic garbage collection while the block runs (in any thread): for a block
    that builds objects which outlive it, or that makes no reference cycles. Reference counting still frees everything let go;
    reference cycles made garbage meanwhile wait for the next collection after the block.
    Nested or concurrent blocks leave collection on once the outermost one ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@lru_cache(maxsize=1)
def _unfreeze_at_exit() -> None:
    atexit.register(gc.unfreeze)


def exempt_from_collections() -> None:
    """Every object alive now moved out of the collector's reach (``gc.freeze``): for
    objects that live as long as the process, such as a large library's modules just
    imported. Reference counting still frees each one when it is let go; only reference
    cycles among them are never collected. They are handed back at exit, so that the
    interpreter's last collection still finalizes them."""
    gc.freeze()
    _unfreeze_at_exit()


use_returning_memory_pool()
