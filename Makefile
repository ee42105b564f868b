# The two commands that matter on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Install, then run the main job on the real data (SQLite file smartspec.db by default).
demo: $(STAMP)
	$(BIN)/smartspec demo

## Install, then run every check: ruff, mypy, the layer contract, pytest on SQLite and PostgreSQL.
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(shell cat .coverage-floor)

## Benchmarks (not part of `make test`): print ratios against a baseline run in the same process.
bench: $(STAMP)
	$(BIN)/python bench/import_cordis.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache smartspec.db smartspec.db-*
