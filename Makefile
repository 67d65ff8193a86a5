# Two commands on a fresh clone: `make demo` (set up, ingest the bundled sources, search) and
# `make test` (set up, lint, build the docs, run the tests). Everything is installed into .venv from PyPI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs golden messages bench

demo: $(VENV)/.installed
	$(BIN)/pipeline ingest
	$(BIN)/pipeline search "kidney stones"
	$(BIN)/pipeline search "حصى الكلى"

# What CI runs (.ci/run): lint, the documentation build, then every test.
test: $(VENV)/.installed-dev gettext chromium lint docs
	$(BIN)/python -m pytest

# Style, imports and the package's fences (ruff), then types (mypy); both configured in pyproject.toml.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# The documentation site, into site/ (not committed); --strict fails on broken links and missing pages.
docs: $(VENV)/.installed-docs
	$(BIN)/mkdocs build --strict --quiet --site-dir site

# Speed and memory on the shared corpus (see docs/performance.md); CORPUS and SCALE may be given.
CORPUS ?= ../shared/corpus
SCALE ?= 10
bench: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks.speed $(CORPUS) --scale $(SCALE)

# The reader page's own words: extract them from its templates and merge them into every locale's PO
# (then translate the new entries in pipeline/web/locales/<locale>/LC_MESSAGES/messages.po).
messages: $(VENV)/.installed
	cd pipeline/web && $(abspath $(BIN))/pybabel -q extract -F babel.cfg -c "Translators:" \
	  --project=medref-pipeline --copyright-holder="medref-pipeline contributors" -o locales/messages.pot .
	$(BIN)/pybabel -q update -D messages -i pipeline/web/locales/messages.pot -d pipeline/web/locales

# Rewrite tests/golden/* (JSON, PO, stats) from the current output (review the diff before committing).
golden: $(VENV)/.installed-test
	$(BIN)/python -m pytest --update-golden tests

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	@# Bytecode for the package itself (pip compiles only what it installs into the venv), so that
	@# every command starts without compiling it where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q pipeline
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-docs: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# GNU gettext's msgfmt is the reference checker the catalogue tests run against.
.PHONY: gettext
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "installing GNU gettext (msgfmt) with apt-get"; \
	  apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null; }

# Debian's Chromium for the browser test (Playwright drives it; no browser is downloaded at run time),
# and Noto fonts so that Arabic pages are drawn with real glyphs.
.PHONY: chromium
chromium:
	@test -x /usr/bin/chromium && { ! command -v dpkg >/dev/null || dpkg -s fonts-noto-core >/dev/null 2>&1; } || { \
	  echo "installing Debian's chromium and fonts-noto-core with apt-get"; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends chromium fonts-noto-core >/dev/null; }
