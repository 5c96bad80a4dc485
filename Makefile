# logtriage developer entry points. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# train: torch etc., needed by tests/model (build → export → quantize chain)
EXTRAS ?= dev,train

.PHONY: install demo test test-rust test-python lint bench clean browser

$(BIN)/maturin:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "maturin>=1.9,<2"

# grafana-client pulls niquests -> urllib3-future, whose wheel replaces `urllib3` at
# interpreter start-up and breaks requests-based tools (schemathesis). Its source build
# with URLLIB3_NO_OVERRIDE installs it beside the real urllib3 instead.
export URLLIB3_NO_OVERRIDE := 1
export PIP_NO_BINARY := urllib3-future

# Build the Rust core once in release mode and install the package (editable) with its extras.
install: $(BIN)/maturin
	$(BIN)/maturin develop --release -q --extras $(EXTRAS)

demo: install
	$(BIN)/logtriage demo

lint: install
	cargo fmt --all --check
	cargo clippy --release --all-targets -q -- -D warnings
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-rust:
	cargo test --release -q

# Debian's chromium + chromium-driver for the web page tests (idempotent).
browser:
	bash scripts/install_browser.sh

test-python: install browser
	$(BIN)/pytest

test: lint test-rust test-python

clean:
	rm -rf target $(VENV)
