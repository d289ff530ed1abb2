# newsbot — on a fresh machine with Python 3.11+, `make run` (console chat, or the Telegram
# bot when TELEGRAM_BOT_TOKEN is set) and `make test` are the whole setup.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# the dev tools (pytest, ruff, mypy, …) on top: only lint/typecheck/unit/eval/bench need them
DEV_STAMP := $(VENV)/.dev-installed-stamp
MIN_ANSWERABLE ?= 0.80
MIN_DECLINED   ?= 0.90

.PHONY: install install-run run test lint typecheck unit eval bench bench-quick screenshots fuzz clean

# Everything, dev tools included (what `make test` needs).
install: $(DEV_STAMP)

# Only what running the bot needs (what `make run` installs).
install-run: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("newsbot needs Python 3.11+, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

# Console chat when TELEGRAM_BOT_TOKEN is unset, the Telegram bot when it is set.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/newsbot run; else exec $(BIN)/newsbot chat; fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/ruff format --check bot tests

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP)
	$(BIN)/pytest

# Every question file on its pages (tests/eval_suites.yaml: golden files, blind pages, the
# holdout's totals only), with the table by group and every development failure printed;
# fails when a suite answers fewer questions right than its recorded floor, or the
# development totals fall below MIN_ANSWERABLE / MIN_DECLINED (so `make test` is gated by it).
eval: $(STAMP)
	$(BIN)/newsbot eval --all --min-answerable $(MIN_ANSWERABLE) --min-declined $(MIN_DECLINED)

test: lint typecheck unit eval

# Performance: latency, build, reload, memory, start-up and throughput at 1×–1,000× the page,
# next to bm25s, tantivy and SQLite FTS5 over the same tokens, and rank_bm25 as history
# (docs/performance.md).  make test runs the quick variant (no peers: tests/test_bench_peers.py).
bench: $(DEV_STAMP)
	$(BIN)/python tests/bench/bench.py

bench-quick: $(DEV_STAMP)
	$(BIN)/python tests/bench/bench.py --quick

# docs/screenshots/*.png from the bot's real messages (needs Debian's chromium and
# fonts-noto-cjk; not part of make test).
screenshots: $(DEV_STAMP)
	$(BIN)/python tools/screenshots.py

# Nightly-style hostile-input run: 10,000+ generated messages through the answerer and the
# Telegram formatter (make test runs a few hundred), plus the heavier reliability variants
# (a 2,000-message burst, random fault rates, more kill points; see docs/reliability.md).
fuzz: $(DEV_STAMP)
	NEWSBOT_FUZZ_EXAMPLES=10000 $(BIN)/pytest tests/test_fuzz.py tests/test_telegram_format.py \
		tests/test_cache_fuzz.py tests/test_reliability_hostile.py tests/test_reliability_faults.py \
		tests/test_reliability_crash.py -q

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
