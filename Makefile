# Two entry points for a newcomer: `make demo` and `make test`. Each builds the venv itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install system-deps demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m infra.simulate_day $(ARGS)

# tests/e2e/test_report_render.py screenshots the HTML report in Debian's headless Chromium; a Japanese
# font makes the screenshot show the text rather than empty boxes. Installed once, as root (as CI runs).
system-deps:
	@command -v chromium >/dev/null && fc-list :lang=ja 2>/dev/null | grep -q . || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic; }

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -q tests

bench: $(STAMP)
	@for f in tests/bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
