# Heart to Heart: `make run` serves the skill on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run chat test check bench models understanding

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	WEB_SIMULATOR=true $(BIN)/flask --app skill run --host $(HOST) --port $(PORT)

chat: install
	$(BIN)/flask --app skill chat

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: check
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/verify_bench.py
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/serve_bench.py

# Regenerate interaction_models/<locale>.json from the one grammar (tests fail when stale).
models: install
	$(BIN)/python deploy/models.py

# How well local understanding does on the corpus: accuracy per intent and every miss.
understanding: install
	$(BIN)/python tests/nlu/report.py
