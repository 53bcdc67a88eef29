# make run: start the bot (sandbox without Slack settings); make test: everything CI checks;
# make chaos: the full chaos test (leader killed, database cut, Slack failing).
PYTHON ?= $(shell ./scripts/fast-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed

.PHONY: run test lint bench chaos lock catalogue clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python app.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	./scripts/ensure-test-services
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	./scripts/ensure-test-services
	./scripts/ensure-bench-tools
	$(BIN)/python -m bench

# requirements.lock: the runtime dependencies of pyproject.toml pinned with their hashes, for the
# container and any reproducible install; run after changing the dependencies.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' --quiet --output-file requirements.lock

# bot/locale/: every text people read, extracted from the sources; then translate what it adds.
catalogue: $(STAMP)
	$(BIN)/python -m scripts.catalogue

chaos: $(STAMP)
	./scripts/ensure-test-services
	$(BIN)/python -m bench.chaos

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
