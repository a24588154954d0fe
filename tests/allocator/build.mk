# tests/allocator/build.mk: the allocator's behaviour tests (black box:
# conformance, threads, fork, memory return, misuse, out of memory,
# sanitizers). Every C test is built twice (see tests/allocator/talloc.h):
#   <name>-libc  calls malloc & co.; the scripts run it under LD_PRELOAD=libhakmem.so
#   <name>-hak   calls hak_* and links libhakmem-api.a
# plus stress-tsan, large-tsan and stress-ubsan: those tests linked with the
# allocator's tsan and ubsan variants (allocator/build.mk); bad_free and
# oom_rlimit, plain programs (rel_util.h) run with and without the preload;
# and the C++ operators' test cxx.cc, built with g++ as cxx-libc (run under
# LD_PRELOAD) and cxx-static (linked with libhakmem.a). `make
# test-allocator-libc` builds only the -libc programs (they need no
# allocator, e.g. to check them against glibc).

TA_DIR    := $(BUILD)/tests/allocator
TA_PROGS  := conform stress fork larson memreturn threadreuse reclaim handover leakchurn large slotdecay
TA_HDR    := tests/allocator/talloc.h
# -fno-builtin: the compiler must not fold or drop the allocation calls the
# tests make on purpose. -Wno-use-after-free: the tests keep using a block
# after a realloc that failed on purpose, and compare against old addresses.
TA_CFLAGS := $(CFLAGS_BASE) -fno-builtin -Wno-use-after-free -pthread -Iallocator/include
TA_LIBC   := $(TA_PROGS:%=$(TA_DIR)/%-libc)
TA_HAK    := $(TA_PROGS:%=$(TA_DIR)/%-hak)
TA_SAN    := $(TA_DIR)/stress-tsan $(TA_DIR)/large-tsan $(TA_DIR)/stress-ubsan
# Plain programs calling malloc & co. (rel_util.h).
TA_PLAIN  := $(TA_DIR)/bad_free $(TA_DIR)/oom_rlimit
# conform-static: the libc names with libhakmem.a linked in.
TA_STATIC := $(TA_DIR)/conform-static
# Fork and thread-teardown cases (preload and static only: they are about
# being the process allocator). forkcases links libtaatfork.so, whose fork
# handlers allocate; the static variant links libhakmem.a too.
TA_FORK   := $(TA_DIR)/forkcases-libc $(TA_DIR)/forkcases-static $(TA_DIR)/libtaatfork.so \
             $(TA_DIR)/teardown-libc
# Start-up test: preload only (it is about being the process allocator),
# with the dlopen()ed library whose __thread array the loader allocates.
TA_START  := $(TA_DIR)/startup-libc $(TA_DIR)/libtatls.so

# The test's side of a sanitizer build: -O1 like the allocator's variant.
TA_SAN_CFLAGS := $(filter-out -O%,$(TA_CFLAGS)) -O1 -fno-omit-frame-pointer -DT_HAK
TA_TSAN       := -fsanitize=thread
TA_UBSAN      := -fsanitize=undefined -fno-sanitize-recover=all

# The C++ operators' test (cxx.cc): g++, C++17 for std::align_val_t.
TA_CXX      := $(TA_DIR)/cxx-libc $(TA_DIR)/cxx-static
TA_CXXFLAGS := -std=gnu++17 -g $(OPT) $(WARN) -D_GNU_SOURCE -fno-builtin -pthread -Iallocator/include

# nm and readelf for test_symbols.sh, gcc's ThreadSanitizer and UBSan
# runtimes, g++ for cxx.cc, strace for test_large.sh's system call counts,
# python3 for test_oom.sh.
TEST_PACKAGES += binutils libtsan2 libubsan1 python3 g++ strace

.PHONY: test-allocator-libc
test-allocator-libc: $(TA_LIBC) $(TA_START)
test-build: $(TA_LIBC) $(TA_HAK) $(TA_SAN) $(TA_PLAIN) $(TA_START) $(TA_STATIC) $(TA_FORK) $(TA_CXX)

$(TA_DIR)/%-libc: tests/allocator/%.c $(TA_HDR) tests/allocator/rel_util.h | deps
	@mkdir -p $(@D)
	$(CC) $(TA_CFLAGS) $< -o $@ -ldl

$(TA_DIR)/%-hak: tests/allocator/%.c $(TA_HDR) tests/allocator/rel_util.h $(LIBHAKMEM_API) | deps
	@mkdir -p $(@D)
	$(CC) $(TA_CFLAGS) -DT_HAK $< -o $@ $(LIBHAKMEM_API) -ldl

# Kept between builds (make would delete them as intermediate files).
.SECONDARY: $(TA_SAN:%=%.o)

$(TA_DIR)/%-tsan.o: tests/allocator/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(TA_SAN_CFLAGS) $(TA_TSAN) $(DEPFLAGS) -c $< -o $@

$(TA_DIR)/%-tsan: $(TA_DIR)/%-tsan.o $(HAK_tsan_API)
	$(CC) $(TA_TSAN) -pthread $^ -o $@ -ldl

$(TA_DIR)/%-ubsan.o: tests/allocator/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(TA_SAN_CFLAGS) $(TA_UBSAN) $(DEPFLAGS) -c $< -o $@

$(TA_DIR)/%-ubsan: $(TA_DIR)/%-ubsan.o $(HAK_ubsan_API)
	$(CC) $(TA_UBSAN) -pthread $^ -o $@ -ldl

$(TA_PLAIN): $(TA_DIR)/%: tests/allocator/%.c tests/allocator/rel_util.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -pthread $< -o $@ -ldl

$(TA_DIR)/libtatls.so: tests/allocator/tlslib.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -shared -fPIC $< -o $@

$(TA_DIR)/conform-static: tests/allocator/conform.c $(TA_HDR) $(LIBHAKMEM_A) | deps
	@mkdir -p $(@D)
	$(CC) $(TA_CFLAGS) -DT_STATIC $< -o $@ $(LIBHAKMEM_A) -ldl

$(TA_DIR)/libtaatfork.so: tests/allocator/atforklib.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -shared -fPIC -pthread $< -o $@

$(TA_DIR)/forkcases-libc: tests/allocator/forkcases.c $(TA_DIR)/libtaatfork.so | deps
	$(CC) $(TA_CFLAGS) $< -o $@ -L$(TA_DIR) -ltaatfork -Wl,-rpath,'$$ORIGIN'

$(TA_DIR)/forkcases-static: tests/allocator/forkcases.c $(TA_DIR)/libtaatfork.so $(LIBHAKMEM_A) | deps
	$(CC) $(TA_CFLAGS) $< -o $@ $(LIBHAKMEM_A) -L$(TA_DIR) -ltaatfork -Wl,-rpath,'$$ORIGIN'

$(TA_DIR)/cxx-libc: tests/allocator/cxx.cc | deps
	@mkdir -p $(@D)
	$(CXX) $(TA_CXXFLAGS) $< -o $@ -ldl

$(TA_DIR)/cxx-static: tests/allocator/cxx.cc $(LIBHAKMEM_A) | deps
	@mkdir -p $(@D)
	$(CXX) $(TA_CXXFLAGS) -DT_STATIC $< -o $@ $(LIBHAKMEM_A) -ldl
