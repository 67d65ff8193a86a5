# Two commands on a fresh clone: `make demo` (set up, ingest the bundled sources, search) and
# `make test` (set up, run the tests). Everything is installed into .venv from PyPI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test golden

demo: $(VENV)/.installed
	$(BIN)/pipeline ingest
	$(BIN)/pipeline search "kidney stones"
	$(BIN)/pipeline search "حصى الكلى"

test: $(VENV)/.installed-test gettext
	$(BIN)/python -m pytest

# Rewrite tests/golden/* (JSON, PO, stats) from the current output (review the diff before committing).
golden: $(VENV)/.installed-test
	$(BIN)/python -m pytest --update-golden tests

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# GNU gettext's msgfmt is the reference checker the catalogue tests run against.
.PHONY: gettext
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "installing GNU gettext (msgfmt) with apt-get"; \
	  apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null; }
