# The two commands: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_DIR ?= ../shared/bench

.PHONY: demo test lint typecheck layers pytest bench schemas clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet --upgrade pip
	$(PY) -m pip install --disable-pip-version-check --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/blueprint demo

test: $(STAMP) lint typecheck layers pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/pyright

layers: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP)
	$(PY) -m pytest

schemas: $(STAMP)
	$(VENV)/bin/blueprint schema --write schemas

bench: $(STAMP)
	bash $(BENCH_DIR)/setup.sh -e .
	python3 $(BENCH_DIR)/run.py \
	    --adapters raw,ophyd_async,bench/blueprint_adapter.py:BlueprintAdapter $(BENCH_ARGS)
	$(PY) bench/core_compare.py
	$(PY) bench/blueprint_load.py
	$(PY) bench/introspect_compare.py
	$(PY) bench/build_compare.py
	$(PY) bench/detector_compare.py
	$(PY) bench/trajectory_compare.py
	$(PY) bench/fly_pause.py

clean:
	rm -rf $(VENV) .bench-venv .bench-run build *.egg-info
