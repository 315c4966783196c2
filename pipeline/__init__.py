"""The pipeline's domain code: raw reports -> parsed reports -> tables -> validated warehouse.

Importing the package first chooses Arrow's memory pool for the whole process
(see ``pipeline.memory``): Arrow's C++ code reads ``ARROW_DEFAULT_MEMORY_POOL``
once, when pyarrow is imported, and Arrow's jemalloc reads ``JE_ARROW_MALLOC_CONF``
when it starts, so both have to be set before that. A value the user set is kept.

It also makes sure a parse module compiled by Cython runs only if it was built from
its current source (``pipeline.compiled``).
"""

import os
import sys

#: Arrow's jemalloc hands freed pages back to the system after this (``pipeline.memory``).
JEMALLOC_DECAY = "dirty_decay_ms:200,muzzy_decay_ms:0"

if sys.platform.startswith("linux"):  # where pyarrow's wheels are built with jemalloc
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    os.environ.setdefault("JE_ARROW_MALLOC_CONF", JEMALLOC_DECAY)

from pipeline.compiled import install_finder  # noqa: E402 (after the environment is set)

install_finder()
