# Have Your Say - developer commands. Start with `make run` or `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.setup-stamp
SPACY_PIPELINE := build/spacy/en_haveyoursay
RARITY_TABLE := build/understanding/word_rarity.json
NODE_STAMP := node_modules/.setup-stamp
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup run test train lint format clean help bench bench-quick bench-portal fuzz understanding themes-eval

help:
	@echo "make run    - set up if needed, train if needed, load seeds/ and start the assistant"
	@echo "make test   - set up if needed and run every test"
	@echo "make setup  - create .venv with pinned packages and build the spaCy pipeline (idempotent)"
	@echo "make train  - retrain the Rasa model"
	@echo "make lint   - ruff check and format check"
	@echo "make understanding - right / re-asked / wrong on the corpus of residents' phrasings (tests/understanding)"
	@echo "make themes-eval - suggested comment themes against hand-confirmed ones: P/R/F1 per theme (tests/themes)"
	@echo "make bench  - performance benchmark against Rasa's default assistant (BENCH_ARGS='--soak 10')"

# The virtualenv is rebuilt when any requirements file or pyproject.toml changes.
$(STAMP): requirements.txt requirements-dev.txt requirements.lock pyproject.toml scripts/find-python310.sh
	@python_bin="$$(scripts/find-python310.sh)" || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(SPACY_PIPELINE)/config.cfg: $(STAMP) actions/text/pipeline.py actions/text/data/lexicon.yml
	$(PY) -m actions.text.pipeline $(SPACY_PIPELINE)

# Word frequencies for the understanding layer, cut down from spacy-lookups-data (see actions/understanding/words.py).
$(RARITY_TABLE): $(STAMP) actions/understanding/words.py actions/understanding/setup_data.py
	$(PY) -m actions.understanding.setup_data

# socket.io-client for the chat widget; playwright-core and axe-core for browser tests (no browser download:
# tests use Debian's chromium).
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the web widget and browser tests: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

setup: $(STAMP) $(SPACY_PIPELINE)/config.cfg $(RARITY_TABLE) $(NODE_STAMP)

run: setup
	$(PY) -m actions.runner

train: setup
	$(PY) -m actions.training --force

# Train only when config.yml, domain.yml or data/ changed.
models/haveyoursay.tar.gz: setup
	$(PY) -m actions.training

test: setup models/haveyoursay.tar.gz
	$(BIN)/rasa data validate --domain domain.yml --data data
	$(BIN)/rasa test core --stories tests/stories --model models/haveyoursay.tar.gz \
	  --out var/test-results/core --fail-on-prediction-errors
	$(BIN)/pytest --durations=20  # the slowest twenty, to see where CI time goes
	@echo "== the survey conversations again with every speed-up off (stock Rasa code; tests/test_e2e_parity.py compares both ways)"
	HYS_SPEEDUPS=off $(BIN)/pytest -q tests/test_e2e_survey.py

# Performance against a stock `rasa init` assistant on this machine (about 15 minutes). See docs/performance.md.
bench: setup models/haveyoursay.tar.gz
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/portal.py $(PORTAL_BENCH_ARGS)

# The portal's results and reading pages on 100,000 responses: p95 per page against 1 s (docs/portal.md).
bench-portal: setup
	$(PY) bench/portal.py $(PORTAL_BENCH_ARGS)

# How well residents' own words are understood: right / re-asked / wrong by type, dev and test halves.
understanding: setup
	$(PY) -m tests.understanding.measure $(UNDERSTANDING_ARGS)

# Automatic theme suggestions against hand-confirmed themes: precision, recall, F1 per theme, 95% intervals.
themes-eval: setup
	$(PY) -m tests.themes.measure $(THEMES_ARGS)

# Property-based tests with a large budget (CI runs the same tests with a small one).
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py -q

bench-quick: setup models/haveyoursay.tar.gz
	$(PY) bench/run.py --quick

lint: setup
	$(BIN)/ruff check actions tests bench
	$(BIN)/ruff format --check actions tests bench

format: setup
	$(BIN)/ruff format actions tests
	$(BIN)/ruff check --fix actions tests

clean:
	rm -rf build models var/test-results .pytest_cache
