# One command per task. Each target creates .venv from the pinned requirements when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install test demo bench lint score clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# A fresh ledger of the bundled sample documents, served as the dashboard.
# Sign in as demo / demo to ingest, review and record statuses.
DEMO_PORT ?= 8000
demo: $(STAMP)
	rm -f demo.db
	$(BIN)/accord ingest samples --db sqlite:///demo.db
	ACCORD_USERS=demo:demo $(BIN)/accord serve --db sqlite:///demo.db --port $(DEMO_PORT)

lint: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/api_latency.py

# Dev-set scores, the way issue 2 measures them (needs ../shared).
score: $(STAMP)
	@for set in seeds dev; do \
	  out=$$(mktemp -d); docs=$(SHARED)/corpus/$$set; gold=$(SHARED)/gold; \
	  [ $$set = dev ] && gold=$(SHARED)/gold/dev; \
	  for f in $$docs/*.txt; do $(BIN)/accord extract $$f --format jsonl > $$out/$$(basename $$f).jsonl; done; \
	  echo "== $$set"; python3 $(SHARED)/gold/score.py $$gold $$docs $$out; rm -rf $$out; \
	done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
