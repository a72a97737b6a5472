# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## install: Debian packages when missing (.ci/system-packages), then the virtualenv
install: system-packages $(STAMP)

system-packages:
	@bash .ci/system-packages

## run: set up, migrate, seed the demo period, serve on http://127.0.0.1:5000 with the scheduler
# The demo signs in with passwords alone: two-factor sign-in is optional here (each user may
# turn it on), while a deployment requires it of NLOs and co-chairs by default.
run: export JPA_TWO_FACTOR ?= optional
run: install
	$(BIN)/jpa db upgrade
	$(BIN)/jpa demo
	@echo ""
	@echo "Serving on http://127.0.0.1:5000 - log in with one of the demo accounts above."
	@echo "The scheduler (jpa scheduler) runs beside the web server; Ctrl-C stops both."
	@$(BIN)/jpa scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/jpa serve --host 127.0.0.1 --port 5000 --workers 2; status=$$?; \
	exit $$status

## lint: ruff and the import-layer contracts
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## test: lint, then the whole suite (PostgreSQL when JPA_TEST_POSTGRES_URL is set, Chromium when present)
test: lint
	$(BIN)/pytest

## bench: benchmarks, measured and printed (never asserted)
bench: install
	@if ls bench/*.py >/dev/null 2>&1; then for f in bench/*.py; do $(BIN)/python $$f || exit 1; done; \
	else echo "no benchmarks yet"; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
