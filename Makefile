# Thin wrapper: the build is CMake, the package list is .ci/debian-packages.txt.
#   make run [ARGS="..."]   install what is missing, build (Release), start the app
#   make test               install what is missing, build, run every test through ctest
#   make bench              build and print the benchmark figures
#   make                    build only
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test bench clean

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

test: deps build
	cd $(BUILD) && xvfb-run -a -s "-screen 0 1920x1080x24" ctest --output-on-failure -j $(JOBS)

bench: deps build
	tests/bench_window.sh $(BUILD)

clean:
	rm -rf $(BUILD)
