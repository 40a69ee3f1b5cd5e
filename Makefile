# One command per task. Each target creates .venv from the pinned requirements when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install test demo bench lint score train clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

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
	$(BIN)/python bench/writer.py
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/scale_out.py

# The shipped models' tables on seeds, dev and train, and what predicts unseen text:
# 5-fold cross-validation grouped by document, with the calibration of `confidence` (needs ../shared).
score: $(STAMP)
	$(BIN)/python -m accord.extract.training score $(SHARED)

# Rebuild the shipped models (src/accord/data/models) from ../shared; the same files every time.
train: $(STAMP)
	$(BIN)/python -m accord.extract.training train $(SHARED)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
