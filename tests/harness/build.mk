# tests/harness/build.mk: purpose-built faulty "allocators" for the harness tests.
#   build/tests/harness/crash_after.so    SIGSEGV after 100000 allocations
#   build/tests/harness/hang_after.so     sleeps forever after 100000 allocations
#   build/tests/harness/not_alloc.so      a shared library with no malloc
#   build/tests/harness/order_{a,b,c}.so  log "library,rep" at start-up (run order)
#   build/tests/harness/prog_cell         a tiny program for program cells (shims/prog_cell.c)
#   build/tests/harness/corrupt_block.so  damages one byte of a reallocated block
#   build/tests/harness/{crash,hang}_after_1k.so  the same faults after 1000 allocations
#       (check cells: inside a check, after its start-up)

HB_TEST_DIR  := $(BUILD)/tests/harness
HB_ORDER_LIBS := $(HB_TEST_DIR)/order_a.so $(HB_TEST_DIR)/order_b.so $(HB_TEST_DIR)/order_c.so
HB_TEST_LIBS := $(HB_TEST_DIR)/crash_after.so $(HB_TEST_DIR)/hang_after.so $(HB_TEST_DIR)/not_alloc.so \
                $(HB_ORDER_LIBS)

TEST_PACKAGES += python3-matplotlib sqlite3 postgresql git

test-build: $(HB_TEST_DIR)/changepoint_test

$(HB_TEST_DIR)/changepoint_test: tests/harness/changepoint_test.c harness/changepoint.c harness/changepoint.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ tests/harness/changepoint_test.c harness/changepoint.c -lm

test-build: $(HB_TEST_LIBS)

$(HB_TEST_DIR)/crash_after.so: tests/harness/shims/faulty_malloc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -DFAULT_CRASH -o $@ $<

$(HB_TEST_DIR)/hang_after.so: tests/harness/shims/faulty_malloc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -DFAULT_HANG -o $@ $<

$(HB_TEST_DIR)/not_alloc.so: tests/harness/shims/not_an_allocator.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<

$(HB_ORDER_LIBS): $(HB_TEST_DIR)/order_%.so: tests/harness/shims/order_log.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $< -ldl

# The statistics check program for test_stats_scipy.sh (checked against scipy).
TEST_PACKAGES += python3-scipy
test-build: $(HB_TEST_DIR)/ci_check

$(HB_TEST_DIR)/ci_check: tests/harness/ci_check.c harness/stats.c harness/stats.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Iharness -o $@ tests/harness/ci_check.c harness/stats.c -lm

# A workload that allocates nothing, for test_peak_rss.sh.
test-build: $(HB_TEST_DIR)/noalloc
$(HB_TEST_DIR)/noalloc: tests/harness/shims/noalloc_workload.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<

# Program cells (test_program_cells.sh): a tiny program with one mode per
# behaviour, and an allocator that damages one byte of a reallocated block.
# prog_cell_nopie: the same, not position-independent (as Debian's python3),
# whose malloc lookup lands on a PLT entry (hb_identify.c).
test-build: $(HB_TEST_DIR)/prog_cell $(HB_TEST_DIR)/prog_cell_nopie $(HB_TEST_DIR)/corrupt_block.so
$(HB_TEST_DIR)/prog_cell: tests/harness/shims/prog_cell.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<

$(HB_TEST_DIR)/prog_cell_nopie: tests/harness/shims/prog_cell.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fno-pie -no-pie -o $@ $<

$(HB_TEST_DIR)/corrupt_block.so: tests/harness/shims/corrupt_block.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<

# Check cells (test_check_cells.sh): the faulty shims, faulting after 1000
# allocations: inside a check scenario (conform_align/align_max_align_t
# makes 4096, a misuse probe of 16-byte blocks 8192), after its start-up.
HB_TEST_LIBS_1K := $(HB_TEST_DIR)/crash_after_1k.so $(HB_TEST_DIR)/hang_after_1k.so
test-build: $(HB_TEST_LIBS_1K)

$(HB_TEST_DIR)/crash_after_1k.so: tests/harness/shims/faulty_malloc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -DFAULT_CRASH -DFAULT_AFTER=1000 -o $@ $<

$(HB_TEST_DIR)/hang_after_1k.so: tests/harness/shims/faulty_malloc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -DFAULT_HANG -DFAULT_AFTER=1000 -o $@ $<
