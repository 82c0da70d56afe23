# Duban task runner. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
DATA := data
DEMO_SRC := $(DATA)/demo
export DUBAN_WAREHOUSE ?= $(DATA)/warehouse.duckdb
export GX_ANALYTICS_ENABLED := False

.PHONY: help setup demo test lint typecheck pytest bench lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --editable .
	@touch $@

setup: $(STAMP) ## Create .venv and install the locked dependencies (only when they changed)

demo: $(STAMP) ## Generate demo data, build the warehouse, create and print the demo accounts, serve :8501
	$(BIN)/duban demo --out $(DEMO_SRC) --no-serve
	$(BIN)/duban user demo
	$(BIN)/duban serve --port 8501

test: $(STAMP) lint typecheck pytest ## Set up, then run ruff, the format check, mypy and pytest

lint: $(STAMP) ## ruff and the format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy
	$(BIN)/mypy

pytest: $(STAMP) ## The test suite only
	$(BIN)/pytest

bench: $(STAMP) ## Run bench/ and rewrite docs/benchmarks.md
	$(BIN)/python -m bench

lock: ## Re-resolve requirements.lock from pyproject.toml (needs the network to PyPI)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements.lock

clean: ## Remove the virtualenv, generated data and caches
	rm -rf $(VENV) $(DATA) .mypy_cache .ruff_cache .pytest_cache tests/artifacts
