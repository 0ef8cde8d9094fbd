# The two set-up commands: `make run` and `make test`. Both install missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: deps test-deps build run test unit blackbox format clean

deps:
	./scripts/install-deps

# The tests also need the PostgreSQL server (they start throwaway clusters of their own).
test-deps:
	./scripts/install-deps --test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target argon

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

test: unit blackbox

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
