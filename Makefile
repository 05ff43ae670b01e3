# Two entry points (see README): `make run` and `make test`. Both are idempotent: the
# environment is rebuilt only when pyproject.toml or constraints.txt change.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PIP     := $(BIN)/pip install -qq --disable-pip-version-check -c constraints.txt

.PHONY: run test setup lint browser clean-index

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "Installing policyqa and its dependencies into $(VENV) (first run takes a few minutes)…"
	@$(PIP) torch==2.13.0
	@$(PIP) -e '.[st,dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Main job: build the index over the sample corpus if needed, then serve the chat UI.
run: $(STAMP)
	$(BIN)/policyqa serve

# Tests need Debian's Chromium for the browser test; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy app index assistant eval config prompts

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy app index assistant eval config prompts
	@# pytest exits 5 when it collected nothing: treat that as a failure, not a pass.
	@$(BIN)/python -m pytest -q; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc
	@# The quality gates: ours vs the peer baseline on both shared corpora (floors and metadata
	@# floors in eval/gate.yaml), and ours on the project's own 135 questions (eval/gate_holdout.yaml).
	$(BIN)/policyqa eval --corpus-set eval/corpora.yaml --pipeline both --gate eval/gate.yaml --report data/reports
	$(BIN)/policyqa eval --dataset eval/questions/holdout.jsonl --pipeline ours --gate eval/gate_holdout.yaml
