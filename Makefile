# newsbot — the whole setup on a fresh machine with Python 3.11+ is `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck unit eval bench bench-full fuzz clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("newsbot needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Console chat when TELEGRAM_BOT_TOKEN is unset, the Telegram bot when it is set.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/newsbot run; else exec $(BIN)/newsbot chat; fi

lint: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/ruff format --check bot tests

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
