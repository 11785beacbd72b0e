# Both targets bootstrap everything they need into .venv, from nothing but Python 3.11+.
# The install step runs only when pyproject.toml changed (a stamp file records the last one),
# so `make demo` opens the app at once from the second time on.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check

.PHONY: demo test lint screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The app alone; the test install below includes it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/roma-tui --demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check roma_tui tests bench
	$(BIN)/ruff format --check roma_tui tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

screenshots: $(VENV)/.installed-test
	$(BIN)/python -m roma_tui.tui.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
