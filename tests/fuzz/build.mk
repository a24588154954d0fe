# tests/fuzz/build.mk: the libFuzzer target over the hak_ API.
#   build/tests/fuzz/fuzz_hak   fuzz_hak.c (clang, -fsanitize=fuzzer,address)
#       linked with allocator/build.mk's fuzz variant (ASan and coverage)
# `make fuzz-corpus-update` merges what the long fuzz run found into
# tests/fuzz/corpus/ (then commit it).

FZ_DIR := $(BUILD)/tests/fuzz

TEST_PACKAGES += clang libclang-rt-14-dev libasan8

.PHONY: fuzz-corpus-update
test-build: $(FZ_DIR)/fuzz_hak

$(FZ_DIR)/fuzz_hak: tests/fuzz/fuzz_hak.c $(HAK_fuzz_API) | deps
	@mkdir -p $(@D)
	$(HAK_FUZZ_CC) $(filter-out -O%,$(CFLAGS_BASE)) -O1 -Iallocator/include -fsanitize=fuzzer -fsanitize=address $^ -o $@

# The long fuzz run leaves its minimized corpus (the committed inputs plus
# what it found, merged) in $(BUILD)/tmp/fuzz/long_fuzz/merged: it replaces
# the committed inputs, except the hand-written seed-* ones.
fuzz-corpus-update:
	@test -n "$$(ls $(BUILD)/tmp/fuzz/long_fuzz/merged 2>/dev/null)" || \
	  { echo "run tests/fuzz/long_fuzz.sh first" >&2; exit 1; }
	find tests/fuzz/corpus -type f ! -name 'seed-*' -delete
	cp $(BUILD)/tmp/fuzz/long_fuzz/merged/* tests/fuzz/corpus/
	@echo "tests/fuzz/corpus: $$(ls tests/fuzz/corpus | wc -l) inputs"
