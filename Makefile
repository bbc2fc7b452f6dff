# The two commands of the README. Both create .venv when it is missing and (re)install the
# project whenever pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: generate test golden bench bench-client fuzz clean

generate: $(VENV)/.installed
	$(BIN)/runcomfy-codegen generate

test: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy --strict generator tests
	$(BIN)/pytest -n auto

# Rewrites the golden record (generated/) from schemas/ and templates/.
golden: generate

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_import.py

# N concurrent jobs against serve in its own process (minutes at N=5000).
bench-client: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_client.py --n 100 1000 5000

# A long fuzz run (docs/security.md): FUZZ_EXAMPLES fresh random cases per kind (model files,
# pages); prints the figures and writes them to fuzz-report.txt; failing cases go to fuzz-failures/.
FUZZ_EXAMPLES ?= 300
fuzz: $(VENV)/.installed-test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_REPORT=fuzz-report.txt FUZZ_FAILURES=fuzz-failures \
		$(BIN)/pytest tests/fuzz -q -s -p no:cacheprovider

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
