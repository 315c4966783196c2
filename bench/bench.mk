# Benchmark on a synthetic corpus (included by the top-level Makefile).
#   make bench              N=100000 reports, 2 parse workers
#   make bench N=10000      a smaller corpus
# The corpus is generated once into data/bench/corpus-<N>-<SEED>/ and reused;
# figures are printed and written to data/bench/latest.json.

N ?= 100000
SEED ?= 20240
BENCH_WORKERS ?= 2
BENCH_ARGS ?=

.PHONY: bench bench-profile
bench: install
	$(VENV_PY) -m bench.run --n $(N) --seed $(SEED) --workers $(BENCH_WORKERS) $(BENCH_ARGS)

## cProfile of the parse and build-table stages (reports in data/bench/profile-*.txt).
bench-profile: install
	$(VENV_PY) -m bench.profile --n $(or $(PROFILE_N),1000) --seed $(SEED)
