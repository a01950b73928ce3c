# bms-eval: `make report` runs the bundled example, `make test` runs every check.
# Both create the virtual environment in .venv on first use (make setup).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: setup report test lint lab benchmark examples clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bms-eval needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing bms-eval and its pinned dependencies into $(VENV) …"
	$(BIN)/python -m pip install $(PIP_QUIET) --constraint requirements.lock --editable '.[dev]'
	@touch $(STAMP)

report: setup
	$(BIN)/bms-eval run

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax notebooks/

lab: setup
	cd notebooks && ../$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

benchmark: setup
	$(BIN)/python benchmarks/inputs.py
	$(BIN)/python benchmarks/links.py
	$(BIN)/python benchmarks/memory.py

examples: setup
	$(BIN)/python data/make_examples.py

clean:
	rm -rf $(VENV) reports/example reports/heimdal .pytest_cache .ruff_cache
