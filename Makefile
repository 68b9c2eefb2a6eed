# Heart to Heart: `make run` serves the skill on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run chat test check bench locales

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/flask --app skill run --host $(HOST) --port $(PORT)

chat: install
	ALEXA_VERIFY_SIGNATURES=false $(BIN)/flask --app skill chat

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: check
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/verify_bench.py
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/serve_bench.py

# Regenerate interaction_models/en-GB|en-CA|en-AU|en-IN.json from en-US.json (tests fail when stale).
locales: install
	$(BIN)/python deploy/locales.py
