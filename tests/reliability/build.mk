# tests/reliability/build.mk: programs of the reliability suite (issue 7).
#   build/tests/reliability/{thread_churn,fork_threads,oom_rlimit,bad_free}
#       plain C calling malloc & co.; the scripts run them with and without
#       LD_PRELOAD=build/libhakmem.so
#   build/tests/reliability/stress_api-tsan, stress_api-ubsan
#       stress_api.c and the allocator sources ($(HAK_API_SRCS)) compiled
#       with -fsanitize=thread / -fsanitize=undefined
#   build/tests/reliability/fuzz_hak
#       tests/fuzz/fuzz_hak.c + allocator sources, clang libFuzzer + ASan
# `make fuzz-corpus-update` merges what the long fuzz run found into
# tests/fuzz/corpus/ (then commit it).

RB         := $(BUILD)/tests/reliability
RB_PROGS   := thread_churn fork_threads oom_rlimit bad_free
RB_CFLAGS  := $(CFLAGS_BASE) -pthread
# Allocator sources under a sanitizer: the allocator's flags minus -Werror
# (a warning only a sanitizer build or clang gives in another part's file must
# not stop the tests; the normal build has -Werror) and minus -O2.
RB_HAK_SAN_CFLAGS := $(filter-out -Werror -O%,$(HAK_CFLAGS)) -O1 -fno-omit-frame-pointer
RB_SAN_SRC_CFLAGS := $(filter-out -O%,$(RB_CFLAGS)) -O1 -fno-omit-frame-pointer -Iallocator/include
RB_TSAN    := -fsanitize=thread
RB_UBSAN   := -fsanitize=undefined -fno-sanitize-recover=all
RB_FUZZ_CC := clang
RB_FUZZ    := -fsanitize=address
RB_SAN_BINS := $(RB)/stress_api-tsan $(RB)/stress_api-ubsan $(RB)/fuzz_hak

TEST_PACKAGES += sqlite3 git redis-server redis-tools python3 libpython3.11-testsuite \
                 clang libclang-rt-14-dev libtsan2 libubsan1 libasan8

.PHONY: fuzz-corpus-update
test-build: $(RB_PROGS:%=$(RB)/%) $(RB_SAN_BINS)

$(RB)/%: tests/reliability/%.c tests/reliability/rel_util.h | deps
	@mkdir -p $(@D)
	$(CC) $(RB_CFLAGS) $< -o $@ -ldl

# Allocator objects, one set per sanitizer.
$(RB)/tsan/%.o: allocator/src/%.c $(HAK_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(RB_HAK_SAN_CFLAGS) $(RB_TSAN) -c $< -o $@
$(RB)/ubsan/%.o: allocator/src/%.c $(HAK_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(RB_HAK_SAN_CFLAGS) $(RB_UBSAN) -c $< -o $@
# Coverage instrumentation (fuzzer-no-link) in the allocator guides the fuzzer
# through its code paths.
$(RB)/fuzz/%.o: allocator/src/%.c $(HAK_HDRS) | deps
	@mkdir -p $(@D)
	$(RB_FUZZ_CC) $(RB_HAK_SAN_CFLAGS) -fsanitize=fuzzer-no-link $(RB_FUZZ) -c $< -o $@

$(RB)/stress_api-tsan: tests/reliability/stress_api.c $(HAK_API_SRCS:allocator/src/%.c=$(RB)/tsan/%.o)
	$(CC) $(RB_SAN_SRC_CFLAGS) $(RB_TSAN) $^ -o $@
$(RB)/stress_api-ubsan: tests/reliability/stress_api.c $(HAK_API_SRCS:allocator/src/%.c=$(RB)/ubsan/%.o)
	$(CC) $(RB_SAN_SRC_CFLAGS) $(RB_UBSAN) $^ -o $@
$(RB)/fuzz_hak: tests/fuzz/fuzz_hak.c $(HAK_API_SRCS:allocator/src/%.c=$(RB)/fuzz/%.o) | deps
	$(RB_FUZZ_CC) $(filter-out -O%,$(CFLAGS_BASE)) -O1 -Iallocator/include -fsanitize=fuzzer $(RB_FUZZ) $^ -o $@

# The long fuzz run leaves its minimized corpus (the committed inputs plus
# what it found, merged) in $(BUILD)/tmp/reliability/long_fuzz/merged: it
# replaces the committed inputs, except the hand-written seed-* ones.
fuzz-corpus-update:
	@test -n "$$(ls $(BUILD)/tmp/reliability/long_fuzz/merged 2>/dev/null)" || \
	  { echo "run tests/reliability/long_fuzz.sh first" >&2; exit 1; }
	find tests/fuzz/corpus -type f ! -name 'seed-*' -delete
	cp $(BUILD)/tmp/reliability/long_fuzz/merged/* tests/fuzz/corpus/
	@echo "tests/fuzz/corpus: $$(ls tests/fuzz/corpus | wc -l) inputs"
