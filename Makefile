# bms-eval: `make report` runs the bundled example, `make test` runs the checks
# (lint, the structure rules, the test suite on every core, the notebooks).
# `make study` runs the long simulation studies, `make check-install` the setup
# without make and an installed wheel (CI runs both tests and check-install).
# Each creates the virtual environment in .venv on first use (make setup).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: setup report test study check-install lint lab benchmark examples clean

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
	$(BIN)/python -m pytest -m "not slow" -n auto --dist worksteal
	$(BIN)/python -m pytest --nbval-lax notebooks/ --ignore=notebooks/05_design.ipynb -n auto --dist loadfile

# The simulation studies in full (hundreds of panels each): make test runs a
# smaller seeded version of each.
study: setup
	$(BIN)/python -m pytest -m slow -n auto

# The README's path without make, as a Windows user takes it, on a fresh clone of
# this repository's last commit: `python -m venv .venv`, `pip install -e .[dev]`
# (with the lock), then `bms-eval run` and pytest (one quick file: the whole
# suite ran above). Then a wheel built from that clone replaces the editable
# install and must run the bundled example from outside the clone: the package
# carries its notebooks and examples.
check-install: setup
	@set -e; check=$$(mktemp -d); trap 'rm -rf "$$check"' EXIT; \
	echo "Checking the setup without make, in a fresh clone ($$check/clone) …"; \
	git clone --quiet "$(CURDIR)" "$$check/clone"; \
	cd "$$check/clone"; \
	$(PYTHON) -m venv .venv; \
	.venv/bin/python -m pip install $(PIP_QUIET) --constraint requirements.lock --editable ".[dev]"; \
	.venv/bin/bms-eval run > /dev/null; \
	test -s reports/example/report.html; \
	.venv/bin/python -m pytest --quiet -p no:cacheprovider tests/test_texts.py; \
	echo "Checking a non-editable install of a wheel built from the clone …"; \
	.venv/bin/python -m pip wheel $(PIP_QUIET) --no-deps . -w "$$check/dist"; \
	.venv/bin/python -m pip install $(PIP_QUIET) --no-deps --force-reinstall "$$check"/dist/*.whl; \
	cd "$$check"; \
	clone/.venv/bin/python -c 'import bms_eval, sys; sys.exit(0 if "site-packages" in bms_eval.__file__ else "bms_eval was not imported from the installed wheel")'; \
	clone/.venv/bin/bms-eval run --out example-report; \
	test -s example-report/report.html && test -s example-report/links.csv; \
	echo "The setup without make and the installed package ran the example."

lab: setup
	cd notebooks && ../$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

benchmark: setup
	$(BIN)/python benchmarks/structure.py
	$(BIN)/python benchmarks/inputs.py
	$(BIN)/python benchmarks/links.py
	$(BIN)/python benchmarks/discovery.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/plan.py

examples: setup
	$(BIN)/python data/make_examples.py

clean:
	rm -rf $(VENV) reports/example reports/heimdal .pytest_cache .ruff_cache
