# Thin wrapper: the build is CMake, the package list is .ci/debian-packages.txt.
#   make run [ARGS="..."]   install what is missing, build (Release), start the app
#   make test               install what is missing, build, run every test through ctest
#                           (CTEST_ARGS="-LE layout" leaves out the tests labelled layout)
#   make mutate             the mutation check (tests/mutants/): score and survivors
#   make bench              build and print the benchmark figures
#   make fuzz [FUZZ_SECONDS=600]  build the libFuzzer targets (clang) and fuzz each one
#   make soak [SOAK_SECONDS=900 SOAK_SEEDS="1 2 3"]  the GUI monkey test (tests/gui/monkey.py)
#   make                    build only
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test mutate bench clean

all: build

deps:
	@.ci/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	$(BUILD)/bin/attnlab $(ARGS)

# One private Xvfb for the whole run, started with retries; a server that cannot start is reported
# as such (exit 125), never as a test verdict. See tests/with_display.sh.
test: deps build
	cd $(BUILD) && $(CURDIR)/tests/with_display.sh -- ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Applies each one-line bug in tests/mutants/*.diff to a copy of the tree, builds it in
# build-mutate (Release), runs the non-GUI tests, prints the score and the survivors.
# MUTATE_ARGS="--full" ignores the per-mutant test restriction; "--recheck-survivors" judges the
# survivors of the fast pass again against the whole suite, window tests included; see
# tests/mutants/run_mutants.sh.
mutate: deps
	tests/mutants/run_mutants.sh $(MUTATE_ARGS)

bench: deps build
	tests/bench_window.sh $(BUILD)

fuzz: deps
	FUZZ_APP=ON tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) 2

# The monkey test of ctest's gui_monkey, longer: SOAK_SECONDS in all, split over SOAK_SEEDS, against
# the sanitizer build (build-asan, rebuilt first) when there is one, else $(BUILD). Stops at the
# first failing seed; its report names the seed, the burst and the last actions to replay.
SOAK_SECONDS ?= 900
SOAK_SEEDS ?= 1 2 3
.PHONY: soak
soak: deps
	@if [ -f build-asan/CMakeCache.txt ]; then dir=build-asan; export ASAN_OPTIONS=detect_leaks=0; else dir=$(BUILD); \
	  [ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) || exit 1; fi; \
	cmake --build $$dir -j $(JOBS) --target attnlab || exit 1; \
	seeds="$(SOAK_SEEDS)"; each=$$(( $(SOAK_SECONDS) / $$(echo $$seeds | wc -w) )); \
	for seed in $$seeds; do \
	  echo "soak: $$dir/bin/attnlab, seed $$seed, $$each s"; \
	  tests/with_display.sh -- python3 tests/gui/monkey.py $(CURDIR)/$$dir/bin/attnlab --seed $$seed --seconds $$each || exit 1; \
	done

clean:
	rm -rf $(BUILD)
