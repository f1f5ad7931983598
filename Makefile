# Quick start: `make demo` and `make test`. Everything runs in .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench setup-system clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mfgindex run --out out --report

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py

# Debian packages for CJK charts/PDF and browser tests (run as root; CI does this).
setup-system:
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends fonts-noto-cjk fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
