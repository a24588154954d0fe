# tests/checks/build.mk: test-only pieces for the check programs' tests.
#   build/tests/checks/libforklock.so  a malloc wrapper with a fork
#       deadlock on purpose (forklock_shim.c): the allocator that gets
#       fork_atfork_malloc wrong, deterministically
# The tests run the check programs under glibc, jemalloc, mimalloc and
# tcmalloc (TEST_PACKAGES of workloads/checks.mk).

CKT_SHIM := $(BUILD)/tests/checks/libforklock.so

test-build: $(CKT_SHIM)

$(CKT_SHIM): tests/checks/forklock_shim.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -fvisibility=hidden -o $@ $< -lpthread
