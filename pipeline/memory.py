"""Handing freed memory back to the system between the stages of a run.

Arrow's allocator (mimalloc) and the C library's malloc keep freed memory for
reuse instead of returning it, so a process's resident set stays at its
high-water mark: the frames of the findings stage would still count while
DuckDB builds the database. Calling this where a stage has let go of its data
returns those pages (measured at 10,000 reports: 186 MB less before publishing).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

import pyarrow as pa


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
