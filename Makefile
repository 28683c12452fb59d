# thrifty-ml, the template. `make help` lists the targets.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
BUILD := build
DEMO := $(BUILD)/thrifty-demo
# The template folder is Jinja, linted after baking by the tests; the hooks parse as they stand.
LINTED := tests benchmarks hooks local_extensions.py

# The browser the report is checked in (tests/test_browser.py): Debian's package, not a
# download of Playwright's own. Installed once, with sudo when not root.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help env browser demo test lint bench bench-knobs bench-loop bench-scale bench-cluster clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN { FS = ":.*## " } { printf "  make %-10s %s\n", $$1, $$2 }'

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r pyproject.toml
	touch $@

env: $(VENV)/.installed ## build the template's environment (.venv)

demo: env ## bake a default project into build/, set it up, run its pipeline, show the results
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir $(BUILD) . project_name="Thrifty Demo"
	cd $(DEMO) && PATH="$(BIN):$$PATH" $(MAKE) --no-print-directory setup
	cd $(DEMO) && .venv/bin/dvc repro
	@echo; echo "Leaderboard ($(DEMO)/reports/leaderboard.csv):"
	@$(BIN)/python -c 'import pandas as pd; b = pd.read_csv("$(DEMO)/reports/leaderboard.csv"); print(b[["model", "score", "score_se", "cpu_seconds", "kept", "why"]].to_string(index=False))'
	@echo; echo "Verdict ($(DEMO)/reports/done.json):"
	@$(BIN)/python -c 'import json; d = json.load(open("$(DEMO)/reports/done.json")); print(d["verdict"], "-", d["metric"], round(d["score"], 4), "target", d["target"]); print("\n".join("  - " + a for a in d["actions"]))'

browser: ## Debian's Chromium for the browser test (apt-get, once)
	@test -x $(CHROMIUM) || $(SUDO) apt-get install -y -q chromium \
		|| { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

test: env browser ## run the template's tests (they bake projects and run them)
	$(BIN)/pytest

lint: env ## ruff on the template's own Python (baked code is linted by the tests)
	$(BIN)/ruff check $(LINTED) && $(BIN)/ruff format --check $(LINTED)

bench: env ## the thrift benchmark (not part of the tests; ARGS=--only-ours, datasets...)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r pyproject.toml --extra bench
	$(BIN)/python benchmarks/thrift.py $(ARGS)

bench-knobs: env ## the race's knobs one at a time against the stored benchmark rows
	$(BIN)/python benchmarks/knobs.py $(ARGS)

bench-loop: env ## the everyday loop, timed through a real bake's `make setup`, against the floor
	$(BIN)/python benchmarks/loop.py $(ARGS)

bench-scale: env ## prepare + sample on generated CSVs of 1M-20M rows, and dvc repro at 5M (ARGS=--sizes ...)
	$(BIN)/python benchmarks/scale.py $(ARGS)

bench-cluster: env ## the demo's dvc repro -f on a Dask LocalCluster against local, and equal scores
	$(BIN)/python benchmarks/cluster.py $(ARGS)

clean: ## remove the build folder and the environment
	rm -rf $(BUILD) $(VENV)
