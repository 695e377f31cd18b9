# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: demo demo-lots test lint bench thorough clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install -q -e '.[dev,dask]'
	touch $@

# The compiled replay (setup.py) is rebuilt when a lots source changed since it was built
# (the pure module would run meanwhile: see lots.washsale.fast_module).
$(VENV)/.native: $(VENV)/.dev setup.py $(wildcard lots/*.py)
	@LOTS_REPLAY=native $(PY) -c 'import lots.washsale' 2>/dev/null \
	    || [ "$$LOTS_PURE" = 1 ] || $(PY) -m pip install -q --no-deps -e .
	touch $@

demo: $(VENV)/.base
	$(BIN)/household rebalance fixtures/households/high_earner_munis.json --out build/demo-report
	@echo "Report written to build/demo-report/report.html"

demo-lots: $(VENV)/.base
	$(BIN)/household wash-sales --accounts fixtures/csv/demo/accounts.csv \
	    --transactions fixtures/csv/demo/transactions.csv \
	    --securities fixtures/csv/demo/securities.csv
	$(BIN)/household gains --accounts fixtures/csv/demo/accounts.csv \
	    --transactions fixtures/csv/demo/transactions.csv \
	    --securities fixtures/csv/demo/securities.csv --year 2026

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lots/
	$(BIN)/lint-imports

# The whole suite on the compiled replay (setup.py builds it), then the ledger's tests
# once more on the pure-Python one (lots/fastreplay.py as it is).
test: lint $(VENV)/.native
	$(BIN)/pytest
	LOTS_REPLAY=python $(BIN)/pytest tests/lots

thorough: $(VENV)/.dev
	$(BIN)/pytest --hypothesis-profile=thorough

bench: $(VENV)/.native
	$(PY) benchmarks/wash_sales.py
	$(PY) benchmarks/location.py
	$(PY) benchmarks/rebalance.py

clean:
	rm -rf $(VENV)
