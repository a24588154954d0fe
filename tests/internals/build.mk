# tests/internals/build.mk: white-box tests, linked with the allocator's
# internals: they include allocator/src/internal.h and link libhakmem-api.a
# (whose _hak_* names are hidden from a shared object, not from a program).
#   build/tests/internals/sizeclass    the size-class table, _hak_class_of, direct[]
#   build/tests/internals/threadfree   the thread-free word's state machine
#   build/tests/internals/invariants   the invariant checkers (valid.c) pass and catch breakage
# and the same two linked with the debug variant (HAKMEM_DEBUG=2
# assertions on): <name>-debug.

TI_DIR    := $(BUILD)/tests/internals
TI_PROGS  := sizeclass threadfree invariants
TI_CFLAGS := $(CFLAGS_BASE) -pthread -Iallocator/include -Iallocator/src

test-build: $(TI_PROGS:%=$(TI_DIR)/%) $(TI_PROGS:%=$(TI_DIR)/%-debug)
# Kept between builds (make would delete them as intermediate files).
.SECONDARY: $(TI_PROGS:%=$(TI_DIR)/%.o)

$(TI_DIR)/%.o: tests/internals/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(TI_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TI_DIR)/%: $(TI_DIR)/%.o $(LIBHAKMEM_API)
	$(CC) -pthread $^ -o $@

$(TI_DIR)/%-debug: $(TI_DIR)/%.o $(HAK_debug_API)
	$(CC) -pthread $^ -o $@
