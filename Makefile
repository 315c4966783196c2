# The two commands: `make run` builds the warehouse, `make test` runs the tests.
# Both install everything first (into .venv, from the pinned requirements.lock).

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
LOCK_HASH := $(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# Keep Great Expectations' progress bars and analytics out of logs.
export GX_ANALYTICS_ENABLED := False
export TQDM_DISABLE := 1

.PHONY: install run test dev export clean-warehouse
## Install, then compile the parse modules with Cython (a no-op when they are current).
install: $(STAMP)
	@$(VENV_PY) -m pipeline.build_extensions

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

## Build the whole warehouse from data/raw/ (runs recorded in .dagster_home/).
run: install
	$(VENV)/bin/dg launch --assets '*'

## Run the whole test suite.
test: install
	$(VENV)/bin/pytest

## The Dagster UI: asset graph, run history, asset checks, schedule and sensor.
dev: install
	$(VENV)/bin/dagster dev -m assets.definitions

## Snapshot every table to DEST as Parquet, CSV (UTF-8 BOM) and XLSX.
export: install
	@test -n "$(DEST)" || (echo "usage: make export DEST=<folder>" && exit 2)
	$(VENV)/bin/perfwh export "$(DEST)"

-include bench/bench.mk
