"""The benchmark: synthetic corpus -> validated warehouse, timed stage by stage (python -m bench.run)."""

import pipeline  # noqa: F401,E402 - chooses Arrow's memory pool before pyarrow is imported
