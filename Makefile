# The interface between set-up, data, build and serve. `make demo` and `make test` are the two commands the
# README promises work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
CSQA := $(VENV)/bin/csqa

.PHONY: help env demo test test-fast bench browser-deps lint build serve status clean

help:
	@echo "make demo   set up, generate synthetic data, ingest, build and serve http://localhost:8501"
	@echo "make test   set up and run every test (installs Debian's chromium for the browser test)"
	@echo "make bench  benchmarks at three scales (about 2 hours on 2 cores): docs/benchmarks.md and .json"
	@echo "make lint   ruff"
	@echo "make clean  remove generated data, builds and reports (keeps samples, benchmarks and data/state/ commentary)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The lock file keeps every machine (and CI) on the same versions. Bytecode is compiled once here: where Python
# may not write it (PYTHONDONTWRITEBYTECODE, a read-only install) every command would otherwise recompile
# polars, pyarrow and streamlit as it starts (about 1.2 s a process on 2 cores).
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

env: $(VENV)/.synced

demo: env
	$(CSQA) demo

# The browser test drives Debian's Chromium (never a downloaded browser build).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped"; fi; \
	fi

test: env browser-deps
	$(VENV)/bin/python -m pytest

test-fast: env
	$(VENV)/bin/python -m pytest -m "not browser and not slow and not bench"

# Not part of `make test`: it generates and builds every English authority (about 2 hours on 2 cores; set
# BENCH_SCALES=demo for a quick run). The 1 GB-file case runs here too (pytest marker `bench`).
BENCH_SCALES ?= demo,regional,national
bench: env
	$(VENV)/bin/python -m tests.bench --scales $(BENCH_SCALES)
	$(VENV)/bin/python -m pytest -m bench -s

lint: env
	$(VENV)/bin/ruff check app ingest tests

build: env
	$(CSQA) build

serve: env
	$(CSQA) serve

status: env
	$(CSQA) status

clean:
	rm -rf data/extracts data/build data/landing.duckdb data/warehouse.duckdb data/*.wal data/reports tests/artifacts
