# Heart to Heart: `make run` serves the skill on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run chat test check bench models understanding ha-venv ha-test ha-zip

# Home Assistant's integration is tested in its own venv, on Home Assistant's Python (3.13.0,
# through pyenv), pinned by deploy/home_assistant/requirements.lock.
HA_DIR := deploy/home_assistant
HA_PYTHON ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.13.0/bin/python3.13
HA_VENV := $(HA_DIR)/.venv

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
	$(MAKE) ha-test

$(HA_VENV)/.installed: $(HA_DIR)/requirements.lock
	test -x $(HA_PYTHON) || { echo "Home Assistant's tests need Python 3.13.0 at $(HA_PYTHON) (pyenv install 3.13.0)" >&2; exit 1; }
	$(HA_PYTHON) -m venv $(HA_VENV)
	$(HA_VENV)/bin/python -m pip install --quiet -r $(HA_DIR)/requirements.lock
	touch $@

ha-venv: $(HA_VENV)/.installed

# The integration in a real Home Assistant (in process) against the real server on 127.0.0.1.
ha-test: install ha-venv
	cd $(HA_DIR) && .venv/bin/python -m pytest -p no:sugar -p no:cacheprovider

# dist/heart_to_heart.zip: unzip into Home Assistant's config/custom_components/.
ha-zip:
	$(PYTHON) $(HA_DIR)/package.py

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
