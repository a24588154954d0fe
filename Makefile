# hakmem: top-level build. Every part has its own fragment:
#   allocator/build.mk   libhakmem.so, libhakmem.a, libhakmem-api.a, and the
#                        debug, tsan, ubsan and fuzz variants the tests link
#   workloads/build.mk   build/workloads/<name>
#   harness/*.mk         build/hakbench; ci and baseline targets
#   tests/*/build.mk     test binaries and shims (built by `make test`)
# Everything goes to build/. `make test` runs tests/run.sh, whose last line is
# "N passed, N failed".

BUILD    := build
CC       ?= cc
OPT      ?= -O2
# Flags for the project's own code: warnings are errors.
WARN     := -Wall -Wextra -Werror
CFLAGS_BASE := -std=gnu11 -g $(OPT) $(WARN) -D_GNU_SOURCE
# Object files depend on the headers they include: each compile of a .o
# writes its .d next to it (-MMD), included below; -MP keeps a deleted
# header from breaking the build.
DEPFLAGS := -MMD -MP

# Debian packages needed to build, to run the tests; fragments add to them.
BUILD_PACKAGES := gcc make libc6-dev
TEST_PACKAGES  := valgrind

.PHONY: all debug test test-long test-build deps test-deps clean
all: deps

include allocator/build.mk
include $(wildcard workloads/*.mk harness/*.mk)
include $(wildcard tests/*/build.mk)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

deps:
	@harness/need-packages.sh $(BUILD_PACKAGES)

test-deps: deps
	@harness/need-packages.sh $(TEST_PACKAGES)

test: all test-deps
	@$(MAKE) --no-print-directory test-build
	@tests/run.sh

# The long tests (stress, fuzzing, real programs at full size): minutes each.
test-long: all test-deps
	@$(MAKE) --no-print-directory test-build
	@tests/run.sh --long

clean:
	rm -rf $(BUILD)
