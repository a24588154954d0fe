# workloads/build.mk: the workload drivers, build/workloads/<name>.
# They call plain malloc/free, so LD_PRELOAD picks the allocator. Built as PIE
# so that malloc's address (for the "allocator" field) comes from the GOT, and
# with -fno-builtin-* so the compiler never folds a malloc/free pair away.
# build/workloads/tools/random_mixed_null is random_mixed with allocation
# replaced by nothing: it measures the loop's own cost (workloads/README.md).
# cpp_mix is C++ (g++): its new/delete go to the allocator's operator new if
# it exports one, else to libstdc++'s, which calls malloc; -fno-allocation-dce
# keeps the compiler from folding a new/delete pair away. The option tables
# leave fields out of designated initializers, as C does (zero), which g++
# would warn about.

WL_NAMES   := random_mixed larson longrun mt_contention false_sharing churn prodcons large
WL_CXX_NAMES := cpp_mix
WL_BINS    := $(addprefix $(BUILD)/workloads/,$(WL_NAMES) $(WL_CXX_NAMES))
WL_NULL    := $(BUILD)/workloads/tools/random_mixed_null
WL_HDRS    := workloads/common.h workloads/mixed.h
WL_CFLAGS  := $(CFLAGS_BASE) -fPIE -pthread -fno-builtin-malloc -fno-builtin-free \
              -fno-builtin-calloc -fno-builtin-realloc
WL_LDFLAGS := -pie -pthread
WL_LIBS    := -ldl -lm
CXX        ?= g++
WL_CXXFLAGS := -std=gnu++17 -g $(OPT) $(WARN) -D_GNU_SOURCE -fPIE -pthread \
               -fno-builtin-malloc -fno-builtin-free -fno-allocation-dce \
               -Wno-missing-field-initializers

BUILD_PACKAGES += g++

all: $(WL_BINS) $(WL_NULL)

$(BUILD)/workloads/common.o: workloads/common.c | deps
	@mkdir -p $(@D)
	$(CC) $(WL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/workloads/%: workloads/%.c $(BUILD)/workloads/common.o $(WL_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(WL_CFLAGS) $(WL_LDFLAGS) -o $@ $< $(BUILD)/workloads/common.o $(WL_LIBS)

$(BUILD)/workloads/%: workloads/%.cc $(BUILD)/workloads/common.o $(WL_HDRS) | deps
	@mkdir -p $(@D)
	$(CXX) $(WL_CXXFLAGS) $(WL_LDFLAGS) -o $@ $< $(BUILD)/workloads/common.o $(WL_LIBS)

$(WL_NULL): workloads/random_mixed.c $(BUILD)/workloads/common.o $(WL_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(WL_CFLAGS) -DWL_NULL_ALLOC $(WL_LDFLAGS) -o $@ $< $(BUILD)/workloads/common.o $(WL_LIBS)
