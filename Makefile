# The two commands: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The real pandablocks-ioc pins numpy<2, so it gets a virtualenv of its own;
# the PandA tests run it from there (ophyd_blueprint.testing.panda_ioc).
PANDA_VENV := .venv-panda
PANDA_STAMP := $(PANDA_VENV)/.installed
PANDA_IOC := pandablocks-ioc==0.11.6 numpy<2
BENCH_DIR ?= ../shared/bench
# The harness skips what it has not started within its budget (14 min by
# default); with this project as a third adapter its last workloads (RunEngine
# scans, memory, soft signals) did not start within it, so it gets 40.
BENCH_ARGS ?= --budget-minutes 40

.PHONY: demo test lint typecheck layers pytest bench bench-harness schemas docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@echo "Installing ophyd-blueprint, its test servers and tools into $(VENV)" \
	    "(once, about a minute) ..."
	$(PY) -m pip install --disable-pip-version-check --quiet --upgrade pip setuptools
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -e '.[all,dev]'
	touch $(STAMP)

$(PANDA_STAMP): Makefile
	$(PYTHON) -m venv $(PANDA_VENV)
	$(PANDA_VENV)/bin/python -m pip install --disable-pip-version-check --quiet $(foreach p,$(PANDA_IOC),'$(p)')
	touch $(PANDA_STAMP)

demo: $(STAMP) $(PANDA_STAMP)
	$(VENV)/bin/blueprint demo

test: $(STAMP) lint typecheck layers pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/pyright

layers: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP) $(PANDA_STAMP)
	$(PY) -m pytest -n 3 --dist loadfile

# the documentation site in site/; strict: any warning fails the build
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

schemas: $(STAMP)
	$(VENV)/bin/blueprint schema --write schemas

bench: $(STAMP) $(PANDA_STAMP) bench-harness
	$(PY) bench/core_compare.py
	$(PY) bench/blueprint_load.py
	$(PY) bench/introspect_compare.py
	$(PY) bench/build_compare.py
	$(PY) bench/detector_compare.py
	$(PY) bench/trajectory_compare.py
	$(PY) bench/panda_table_compare.py
	$(PY) bench/panda_settings_compare.py
	$(PY) bench/fly_pause.py

# The shared harness (raw clients and ophyd-async beside us) lives outside this
# repository; without it `make bench` says so and runs the comparisons above.
bench-harness:
	@if [ -f $(BENCH_DIR)/setup.sh ]; then \
	    bash $(BENCH_DIR)/setup.sh -e . && \
	    python3 $(BENCH_DIR)/run.py --adapters \
	        raw,ophyd_async,bench/blueprint_adapter.py:BlueprintAdapter $(BENCH_ARGS); \
	else \
	    echo "make bench: no shared benchmark harness at $(BENCH_DIR) (set" \
	        "BENCH_DIR=path/to/bench to run it); running this project's own" \
	        "comparisons only"; \
	fi

clean:
	rm -rf $(VENV) $(PANDA_VENV) .bench-venv .bench-run build *.egg-info site
