# The two commands a fresh machine needs: `make demo` and `make test` (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export BACKBONE_HOME ?= $(CURDIR)/.backbone

.PHONY: demo test test-fast ui lint format validate clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled once here, not on every run: Python writes no .pyc where it cannot or is
# told not to (PYTHONDONTWRITEBYTECODE), and then every `backbone` process compiles each module
# it imports again (Dagster, pandas, GX: about half the time of an import). uv compiles the
# venv; compileall our editable packages, whose sources stay in the checkout.
COMPILE := $(BIN)/python -m compileall -q -j 0

$(VENV)/.runtime: $(BIN)/uv requirements.lock pyproject.toml
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	$(COMPILE) pipeline assets resources sandbox
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.lock
	$(COMPILE) tests bench
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/backbone demo

# Both cores (pytest-xdist): a test file stays on one worker, so its fixtures are shared as before.
test: $(VENV)/.dev
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=15

# Everything but the end-to-end tests that materialize the whole graph (about a minute).
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not e2e"

ui: $(VENV)/.runtime
	$(BIN)/python -c "from pipeline.app.instance import prepare_dagster_home; prepare_dagster_home()"
	DAGSTER_HOME=$(BACKBONE_HOME)/dagster BACKBONE_SANDBOX_STATE=$${BACKBONE_SANDBOX_STATE:-$(BACKBONE_HOME)/sandbox-state.pickle} \
		$(BIN)/dagster dev -w workspace.yaml

validate: $(VENV)/.runtime
	$(BIN)/dagster definitions validate -w workspace.yaml

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .backbone .tmp_dagster_home_*
