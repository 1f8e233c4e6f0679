# authd — the two commands a fresh Debian machine needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
VENV ?= .venv
PYTHON := $(abspath $(VENV))/bin/python
REQUIREMENTS := $(wildcard Tests/Interop/requirements*.txt)
# Arguments for `make run`: `authd serve` by default; e.g. `make run ARGS="password hash --cost 12"`.
ARGS ?= serve

.PHONY: run test docs swift-test interop-test conformance js-test example-test fuzz-smoke bench-smoke lint format bench bench-report bench-cluster bench-venv deps \
	packages-run packages-bench packages-test venv clean

## run: install the system packages it needs when missing (as root), build authd (release) and run it.
run: packages-run
	$(SWIFT) build -c release --product authd
	$$($(SWIFT) build -c release --show-bin-path)/authd $(ARGS)

## test: install the system packages the suites need when missing (as root), then every test: lint, Swift Testing
## suites, the DocC catalogs without warnings, the Python interop suites and the official protocol suites against the
## built authd, fuzz and bench smoke.
## (Prerequisites run in order.)
test: packages-test venv lint docs swift-test interop-test conformance js-test example-test fuzz-smoke bench-smoke

## docs: DocC documentation of every library target (swift-docc-plugin), warnings as errors (scripts/docs-check.sh);
## the archives land in .build/plugins/Swift-DocC/outputs/.
docs:
	SWIFT=$(SWIFT) bash scripts/docs-check.sh

## swift-test: the Swift Testing suites; the store suites also run against a private PostgreSQL 15 server
## (scripts/postgres.sh, in POSTGRES_DIR), started for the run and stopped afterwards, also when tests fail. With
## AUTHD_TEST_POSTGRES_URL already set, that server is used instead.
POSTGRES_DIR ?= $(CURDIR)/.build-services/postgres
swift-test: venv
	AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) build --build-tests
	@if [ -n "$$AUTHD_TEST_POSTGRES_URL" ]; then \
		echo "AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) test --skip-build (PostgreSQL: AUTHD_TEST_POSTGRES_URL)"; \
		AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) test --skip-build; \
	else \
		url=$$(bash scripts/postgres.sh start "$(POSTGRES_DIR)") || exit 1; \
		trap 'bash scripts/postgres.sh stop "$(POSTGRES_DIR)"' EXIT; \
		echo "AUTHD_TEST_POSTGRES_URL=$$url AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) test --skip-build"; \
		AUTHD_TEST_POSTGRES_URL=$$url AUTHD_TEST_PYTHON=$(PYTHON) $(SWIFT) test --skip-build; \
	fi

interop-test: venv
	$(SWIFT) build --product authd
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd $(PYTHON) -m pytest -q Tests/Interop

## conformance: the official engine.io-protocol and socket.io-protocol suites (Debian's mocha + node-ws) against `authd conformance`.
conformance:
	$(SWIFT) build --product authd
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd bash Tests/Conformance/run.sh engine.io
	AUTHD_BIN=$$($(SWIFT) build --show-bin-path)/authd bash Tests/Conformance/run.sh socket.io

## js-test: the browser client's own Node tests (node:test, Debian's nodejs + node-ws), from its real file.
js-test:
	bash Tests/JSClient/run.sh

## example-test: Examples/hummingbird-app, a package that embeds authd by path, builds and its test passes.
example-test:
	$(SWIFT) build --package-path Examples/hummingbird-app --build-tests
	$(SWIFT) test --package-path Examples/hummingbird-app --skip-build

## fuzz-smoke: every libFuzzer harness (the nested package Fuzz/) for a short, bounded time (FUZZ_SECONDS each), so
## that they cannot rot.
FUZZ_SECONDS ?= 15
fuzz-smoke: packages-bench
	bash Fuzz/run.sh $(FUZZ_SECONDS)

## lint: swift-format in lint mode (the configuration is .swift-format).
lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks Fuzz Examples

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks Fuzz Examples

## bench: micro-benchmarks (the nested package Benchmarks/) in release mode; results go to Docs/benchmarks.md by hand.
bench: packages-bench
	bash Benchmarks/run.sh

## bench-smoke: every load scenario of authd-bench once, tiny, against ws-echo, the Flask peer and authd (no timings).
bench-smoke: packages-bench
	bash Benchmarks/smoke.sh

## bench-report: the side-by-side load report (raw ceilings, authd vs Flask peer vs ws-echo) into Docs/benchmarks.md
## and Docs/images/; takes about 10 minutes on 2 cores. Knobs: BENCH_SECONDS, BENCH_LOGIN_COSTS, BENCH_IDLE_STEPS.
BENCH_VENV ?= .venv-bench
bench-report: packages-bench bench-venv venv
	BENCH_PYTHON=$(abspath $(BENCH_VENV))/bin/python bash Benchmarks/report.sh
	$(MAKE) bench-cluster

## bench-cluster: three release authd instances on one private PostgreSQL: cross-instance emit latency, revocation
## propagation (p50/p99), logins/s with the PostgreSQL store against the SQLite store; JSON into Benchmarks/results/.
bench-cluster: packages-bench venv
	$(SWIFT) build -c release --product authd
	mkdir -p Benchmarks/results
	AUTHD_BIN=$$($(SWIFT) build -c release --show-bin-path)/authd $(PYTHON) Benchmarks/cluster/cluster_bench.py \
		--logins 2000 --json Benchmarks/results/cluster-$$(date -u +%Y%m%dT%H%M%SZ).json

bench-venv: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: Benchmarks/requirements.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r Benchmarks/requirements.txt
	touch $@

## packages-*: the Debian packages each goal needs, installed when missing (the lists: scripts/install-packages.sh).
packages-run packages-bench packages-test: packages-%:
	@bash scripts/install-packages.sh $*

## deps: every system package the tests need (what `make test` installs first).
deps: packages-test

## venv: the Python environment of outside implementations used by interop tests.
venv: $(VENV)/.installed

$(VENV)/.installed: $(REQUIREMENTS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(foreach r,$(REQUIREMENTS),-r $(r))
	touch $@

clean:
	rm -rf .build Benchmarks/.build Fuzz/.build Examples/hummingbird-app/.build .build-fuzz $(VENV) $(BENCH_VENV)
