# authd — the two commands a fresh Debian machine needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
VENV ?= .venv
PYTHON := $(abspath $(VENV))/bin/python
REQUIREMENTS := $(wildcard Tests/Interop/requirements*.txt)
# Arguments for `make run`: `authd serve` by default; e.g. `make run ARGS="password hash --cost 12"`.
ARGS ?= serve

.PHONY: run test swift-test interop-test conformance fuzz-smoke bench-smoke lint format bench bench-report bench-venv deps venv clean

## run: build authd (release) and run it.
run:
	$(SWIFT) build -c release --product authd
	$$($(SWIFT) build -c release --show-bin-path)/authd $(ARGS)

## test: every test: Swift Testing suites, then the Python interop suites against the built authd.
test: venv lint swift-test interop-test conformance fuzz-smoke bench-smoke

swift-test: venv
	AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) build --build-tests
	AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) test --skip-build

interop-test: venv
	$(SWIFT) build --product authd
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd $(PYTHON) -m pytest -q Tests/Interop

## conformance: the official engine.io-protocol and socket.io-protocol suites (Debian's mocha + node-ws) against `authd conformance`.
conformance:
	$(SWIFT) build --product authd
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd bash Tests/Conformance/run.sh engine.io
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd bash Tests/Conformance/run.sh socket.io

## fuzz-smoke: every libFuzzer harness for a short, bounded time (FUZZ_SECONDS each), so that they cannot rot.
FUZZ_SECONDS ?= 15
fuzz-smoke:
	bash Fuzz/run.sh $(FUZZ_SECONDS)

## lint: swift-format in lint mode (the configuration is .swift-format).
lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks Fuzz

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks Fuzz

## bench: micro-benchmarks in release mode; results go to Docs/benchmarks.md by hand.
bench:
	bash Benchmarks/run.sh

## bench-smoke: every load scenario of authd-bench once, tiny, against ws-echo, the Flask peer and authd (no timings).
bench-smoke:
	bash Benchmarks/smoke.sh

## bench-report: the side-by-side load report (raw ceilings, authd vs Flask peer vs ws-echo) into Docs/benchmarks.md
## and Docs/images/; takes about 10 minutes on 2 cores. Knobs: BENCH_SECONDS, BENCH_LOGIN_COSTS, BENCH_IDLE_STEPS.
BENCH_VENV ?= .venv-bench
bench-report: bench-venv
	BENCH_PYTHON=$(abspath $(BENCH_VENV))/bin/python bash Benchmarks/report.sh

bench-venv: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: Benchmarks/requirements.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r Benchmarks/requirements.txt
	touch $@

## deps: system packages for a fresh Debian machine (run as root).
deps:
	apt-get update
	apt-get install -y --no-install-recommends make pkg-config libssl-dev libsqlite3-dev libcrypt-dev python3 python3-venv python3-pip

## venv: the Python environment of outside implementations used by interop tests.
venv: $(VENV)/.installed

$(VENV)/.installed: $(REQUIREMENTS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(foreach r,$(REQUIREMENTS),-r $(r))
	touch $@

clean:
	rm -rf .build $(VENV) $(BENCH_VENV)
