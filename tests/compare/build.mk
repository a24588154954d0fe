# tests/compare/build.mk: the Mann-Whitney check program for test_mannwhitney.sh
# (compare itself is tested through build/hakbench compare).
CMP_TEST_DIR := $(BUILD)/tests/compare
test-build: $(CMP_TEST_DIR)/mw_pvalue

$(CMP_TEST_DIR)/mw_pvalue: tests/compare/mw_pvalue.c harness/mannwhitney.c harness/mannwhitney.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Iharness -o $@ tests/compare/mw_pvalue.c harness/mannwhitney.c -lm
