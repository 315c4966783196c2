"""The pipeline's domain code: raw reports -> parsed reports -> tables -> validated warehouse.

Importing the package first chooses Arrow's memory pool for the whole process
(see ``pipeline.memory``): Arrow's C++ code reads ``ARROW_DEFAULT_MEMORY_POOL``
once, when pyarrow is imported, so it has to be set before that.
"""

import os
import sys

if sys.platform.startswith("linux"):  # where pyarrow's wheels are built with jemalloc
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
