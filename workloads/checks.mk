# workloads/checks.mk: the conformance and misuse check programs,
# build/checks/<name>. Each runs one scenario per process (`prog SCENARIO`,
# `prog --list`); workloads/checks/README.md gives the output protocol and
# workloads/checks/classify.sh runs them all under one allocator.
#   conform_*   pass/fail checks of what the C library promises
#   misuse_*    what the allocator does with a program's misuse
#   libck_atfork.so  linked by conform_fork: its constructor registers fork
#                    handlers that allocate (before the allocator's own)
#   libck_dl.so      dlopen()ed by conform_threads: allocates in its
#                    constructor, frees in its destructor
# The programs misuse memory on purpose: -fno-builtin and the C++
# -fno-allocation-dce keep the compiler from folding the calls away, and the
# warnings about the misuse itself are off (the rest stay errors).

CK_DIR      := $(BUILD)/checks
CK_C        := conform_sizes conform_align conform_fork conform_threads \
               misuse_free misuse_overflow misuse_uaf
CK_CXX      := conform_cxx misuse_cxx
CK_LIBS     := $(CK_DIR)/libck_atfork.so $(CK_DIR)/libck_dl.so
CK_BINS     := $(addprefix $(CK_DIR)/,$(CK_C) $(CK_CXX))
CK_NOWARN   := -Wno-free-nonheap-object -Wno-use-after-free -Wno-array-bounds \
               -Wno-stringop-overflow -Wno-alloc-size-larger-than
CK_CFLAGS   := $(CFLAGS_BASE) -fPIE -pthread -fno-builtin $(CK_NOWARN)
CK_CXXFLAGS := -std=gnu++17 -g $(OPT) $(WARN) -D_GNU_SOURCE -fPIE -pthread -fno-builtin \
               -fno-allocation-dce $(CK_NOWARN) -Wno-mismatched-new-delete
CK_LDFLAGS  := -pie -pthread -rdynamic
CK_HDR      := workloads/checks/check.h
CXX         ?= g++

BUILD_PACKAGES += g++
TEST_PACKAGES  += libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4

all: $(CK_BINS) $(CK_LIBS)

$(CK_DIR)/check.o: workloads/checks/check.c | deps
	@mkdir -p $(@D)
	$(CC) $(CK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(CK_DIR)/%: workloads/checks/%.c $(CK_DIR)/check.o $(CK_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(CK_CFLAGS) $(CK_LDFLAGS) -o $@ $< $(CK_DIR)/check.o -ldl

$(CK_DIR)/%: workloads/checks/%.cc $(CK_DIR)/check.o $(CK_HDR) | deps
	@mkdir -p $(@D)
	$(CXX) $(CK_CXXFLAGS) $(CK_LDFLAGS) -o $@ $< $(CK_DIR)/check.o -ldl

$(CK_DIR)/lib%.so: workloads/checks/lib%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<

# conform_fork links the atfork library (found next to it at run time).
$(CK_DIR)/conform_fork: workloads/checks/conform_fork.c $(CK_DIR)/check.o $(CK_HDR) \
                        $(CK_DIR)/libck_atfork.so | deps
	$(CC) $(CK_CFLAGS) $(CK_LDFLAGS) -o $@ $< $(CK_DIR)/check.o -L$(CK_DIR) -lck_atfork \
	  -Wl,-rpath,'$$ORIGIN' -ldl
