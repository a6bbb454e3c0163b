# Two commands on a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SCALE  ?= 0.05
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: demo test install install-dev lint test-sqlite test-pg bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	bash scripts/ensure-chromium.sh

## Install, migrate, generate the Heze demo world and serve on http://127.0.0.1:8000
demo: install
	$(BIN)/mudan demo --scale $(SCALE)
	$(BIN)/mudan serve

## Lint, type-check and run the whole suite on SQLite and on PostgreSQL
test: install-dev lint test-sqlite test-pg

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy mudan
	$(BIN)/lint-imports

test-sqlite:
	$(BIN)/pytest -W error -n 2 $(PYTEST_ARGS)

test-pg:
	MUDAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -W error -n 2 $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/ids.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-artifacts
