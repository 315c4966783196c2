# The two commands: `make run` builds the warehouse, `make test` runs the tests.
# Both install everything first (into .venv, from the pinned requirements.lock).

# The interpreter the venv is made from, unless PYTHON is given: the first of
# PYTHON_CANDIDATES that is Python 3.11+, can make a venv with pip and has the C headers
# the parse modules are compiled against; else python3. The distribution's interpreter comes
# first: Debian's python3.11 is built with profile-guided and link-time optimization and
# parses the same files in 11-14 % fewer CPU-seconds than a default (pyenv) build of 3.11
# (docs/benchmark-history.md, sixteenth session).
PYTHON_CANDIDATES ?= /usr/bin/python3 python3
_USABLE_PYTHON := import ensurepip, os.path, sys, sysconfig; ensurepip.version(); \
	sys.exit(sys.version_info < (3, 11) or not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))
PYTHON ?= $(or $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(if $(shell $(p) -c '$(_USABLE_PYTHON)' >/dev/null 2>&1 && echo yes),$(p)))),python3)
# Looked for once, not at every use.
PYTHON := $(PYTHON)
VENV := .venv
VENV_PY := $(VENV)/bin/python
# The install is redone when the lock, the project or the interpreter changes.
LOCK_HASH := $(shell (cat requirements.lock pyproject.toml; echo '$(PYTHON)') | sha256sum | cut -c1-12)
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
	@base=$$($(PYTHON) -c 'import sys; print(sys.base_prefix)'); \
	  test -x $(VENV_PY) && test "$$($(VENV_PY) -c 'import sys; print(sys.base_prefix)')" = "$$base" \
	  || { echo "making $(VENV) with $(PYTHON) ($$base)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

## Build the whole warehouse from data/raw/ (runs recorded in .dagster_home/).
run: install
	$(VENV)/bin/dg launch --assets '*'

## Run the whole test suite, spread over one pytest worker per core (pytest-xdist).
test: install
	$(VENV)/bin/pytest -n auto

## The Dagster UI: asset graph, run history, asset checks, schedule and sensor.
dev: install
	$(VENV)/bin/dagster dev -m assets.definitions

## Snapshot every table to DEST as Parquet, CSV (UTF-8 BOM) and XLSX.
export: install
	@test -n "$(DEST)" || (echo "usage: make export DEST=<folder>" && exit 2)
	$(VENV)/bin/perfwh export "$(DEST)"

-include bench/bench.mk
