# The two set-up commands: `make run` and `make test`. Both install missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: deps test-deps build run test unit blackbox web-test format clean package

deps:
	./scripts/install-deps

# The tests also need the PostgreSQL server (they start throwaway clusters of their own).
test-deps:
	./scripts/install-deps --test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target argon

# The Debian package of the Release build (docs/operations.md "Packages"):
# $(BUILD_DIR)/argon_<version>_<arch>.deb, made by scripts/build-deb with dpkg-deb.
package: build
	./scripts/install-deps --package
	./scripts/build-deb $(BUILD_DIR)/argon $(BUILD_DIR)

run: build
	./scripts/first-run $(BUILD_DIR)/argon $(DATA_DIR) $(LISTEN)

# Unit tests on SQLite and (the store, events and services ones) on a throwaway PostgreSQL
# cluster that scripts/with-postgres starts and stops.
unit: test-deps build
	cmake --build $(BUILD_DIR) -j $(JOBS)
	./scripts/with-postgres sh -c 'cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)'

# The black-box suite three times: on SQLite, on PostgreSQL, then on a cluster (every server two
# nodes on one PostgreSQL database and a NATS server). The cluster-*.test.mjs files start their
# own database, NATS server and nodes in every pass.
blackbox: test-deps build
	./scripts/blackbox $(BUILD_DIR)/argon
	./scripts/with-postgres ./scripts/blackbox $(BUILD_DIR)/argon
	./scripts/with-cluster ./scripts/blackbox $(BUILD_DIR)/argon

# The web client end to end (tests/web/): two people in Debian's chromium, driven by
# playwright-core, against a real server. Once, on SQLite (not one of the black-box passes).
web-test: test-deps build
	./scripts/web-test $(BUILD_DIR)/argon

test: unit blackbox web-test

# The tests under sanitizers (scripts/sanitize, docs/testing.md#sanitizers): every unit test and
# the black-box suite (SQLite, PostgreSQL, cluster) under AddressSanitizer + UndefinedBehavior-
# Sanitizer in build-asan/, the hub, store and relay unit tests under ThreadSanitizer in build-tsan/.
.PHONY: sanitize
sanitize: test-deps
	JOBS=$(JOBS) ./scripts/sanitize

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)

# libFuzzer targets for the parsers that see untrusted bytes (docs/fuzzing.md): clang 14 into
# build-fuzz/, then each target FUZZ_SECONDS on a copy of its seed corpus; fails on any crash,
# leak, UB or broken invariant and prints the reproducer. `make fuzz FUZZ_TARGETS=opus` runs one.
# fuzz-smoke: every target for 10 s (for CI).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
.PHONY: fuzz fuzz-smoke
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz $(FUZZ_TARGETS)

fuzz-smoke:
	FUZZ_SECONDS=10 ./scripts/fuzz $(FUZZ_TARGETS)

# The performance benchmarks (docs/benchmarks.md): HTTP (wrk against argon and an nginx baseline),
# event streams, voice; on SQLite and PostgreSQL; one summary table of the targets at the end.
# Not part of `make test`: wants a quiet machine and ~15 minutes. bench/install-bench-deps first.
.PHONY: bench
bench: deps
	./bench/install-bench-deps
	./bench/all.sh
