# Two commands on a fresh machine:
#   make site   build the report site (from demo logs when logs/ has none) and say where to open it
#   make test   run every test (lint, unit, CLI, property, browser) with coverage
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: site test serve bench clean

$(BIN)/sitegen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python -m compileall -q sitegen  # as a regular install does: faster start-up
	touch $(BIN)/sitegen

# exit code 2 only means "there are unacknowledged alerts": the site is built
site: $(BIN)/sitegen
	$(BIN)/sitegen build --demo || [ $$? -eq 2 ]

serve: $(BIN)/sitegen
	$(BIN)/sitegen serve --open

test: $(BIN)/sitegen
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/ruff format --check sitegen tests bench
	@# the browser tests use /usr/bin/chromium, else Playwright's own Chromium (installed
	@# here when missing); without either they fail and say how to fix it
	@[ -x /usr/bin/chromium ] || [ "$$SITEGEN_SKIP_BROWSER_TESTS" = 1 ] || \
		$(BIN)/python -m playwright install chromium || \
		echo "make test: could not install Playwright's Chromium (the browser tests will fail and say how to fix it)"
	$(BIN)/pytest --cov=sitegen --cov-report=term --cov-fail-under=90 -q

bench: $(BIN)/sitegen
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site .pytest_cache .coverage
