# tests/workloads/build.mk: test-only pieces for the workload driver tests.
#   build/tests/workloads/libcorrupt.so  a deliberately corrupting malloc for
#                                        LD_PRELOAD (see corrupt_shim.c)
# The tests parse JSON with python3 and check the "allocator" field by
# preloading jemalloc.

WLT_SHIM := $(BUILD)/tests/workloads/libcorrupt.so
TEST_PACKAGES += python3 libjemalloc2

test-build: $(WLT_SHIM)

$(WLT_SHIM): tests/workloads/corrupt_shim.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -fvisibility=hidden -o $@ $< -lpthread
