"""The benchmark: synthetic corpus -> validated warehouse, timed stage by stage (python -m bench.run)."""
