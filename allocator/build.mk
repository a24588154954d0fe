# allocator/build.mk: hakmem's libraries, and every build variant of its
# sources (the tests link these; no other fragment compiles allocator/src).
#   build/libhakmem.so        LD_PRELOAD-able, exports malloc & co. and the C++
#                             operator new/delete family
#   build/libhakmem.a         static, exports the same (link it in)
#   build/libhakmem-api.a     only the hak_* API, no libc names: for tests under
#                             ThreadSanitizer/ASan/libFuzzer, which bring their own malloc
#   build/debug/libhakmem.so  internal assertions and invariant checkers on (HAKMEM_DEBUG=2), -O1
#   build/allocator-<variant>/libhakmem-api.a   the hak_* API of the
#                             tsan, ubsan and fuzz variants (below)
# `make debug` builds the debug variant.

HAK_SRCS      := $(wildcard allocator/src/*.c)
# The exported libc names and C++ operators: not in libhakmem-api.a.
HAK_OVERRIDE  := allocator/src/override.c allocator/src/override_cxx.c
HAK_API_SRCS  := $(filter-out $(HAK_OVERRIDE),$(HAK_SRCS))
# No libc allocation calls, no stack protector canaries needing TLS setup
# surprises, and exported names only where we say so.
HAK_CFLAGS    := $(CFLAGS_BASE) -fPIC -fvisibility=hidden -fno-builtin-malloc \
                 -fno-builtin-free -fno-builtin-calloc -fno-builtin-realloc \
                 -ftls-model=initial-exec -fno-plt -Iallocator/include -Iallocator/src
# Under a sanitizer: minus -Werror (a warning only a sanitizer build or clang
# gives must not stop the tests; the release build has -Werror) and -O1, with
# frame pointers, for readable reports.
HAK_SAN_CFLAGS := $(filter-out -Werror -O%,$(HAK_CFLAGS)) -O1 -fno-omit-frame-pointer

# ---- build variants -------------------------------------------------------
# $(call hak_variant,NAME,DIR,CC,CFLAGS,SOURCES): compile SOURCES with CC
# and CFLAGS into DIR/*.o (with -MMD dependency files), and DIR/libhakmem-api.a
# of those objects. Defines HAK_<NAME>_OBJS, HAK_<NAME>_API (the archive) and
# HAK_<NAME>_CFLAGS (target-specific additions append to it).
define hak_variant
HAK_$(1)_CFLAGS := $(4)
HAK_$(1)_OBJS   := $$(patsubst allocator/src/%.c,$(2)/%.o,$(5))
HAK_$(1)_API    := $(2)/libhakmem-api.a
$(2)/%.o: allocator/src/%.c | deps
	@mkdir -p $$(@D)
	$(3) $$(HAK_$(1)_CFLAGS) $$(DEPFLAGS) -c $$< -o $$@
$(2)/libhakmem-api.a: $$(filter-out $$(HAK_OVERRIDE:allocator/src/%.c=$(2)/%.o),$$(HAK_$(1)_OBJS))
	@rm -f $$@
	ar rcs $$@ $$^
endef

#   release  the libraries above (-O2)
#   debug    HAKMEM_DEBUG=2: assertions and invariant checkers, -O1: build/debug/libhakmem.so
#   tsan     ThreadSanitizer (tests/allocator's stress-tsan, large-tsan)
#   ubsan    UndefinedBehaviorSanitizer, no recovery (stress-ubsan)
#   fuzz     clang, ASan and the fuzzer's coverage (tests/fuzz's fuzz_hak)
HAK_FUZZ_CC := clang
$(eval $(call hak_variant,release,$(BUILD)/allocator,$(CC),$(HAK_CFLAGS),$(HAK_SRCS)))
$(eval $(call hak_variant,debug,$(BUILD)/allocator-debug,$(CC),$(filter-out -O%,$(HAK_CFLAGS)) -O1 -DHAKMEM_DEBUG=2,$(HAK_SRCS)))
$(eval $(call hak_variant,tsan,$(BUILD)/allocator-tsan,$(CC),$(HAK_SAN_CFLAGS) -fsanitize=thread,$(HAK_API_SRCS)))
$(eval $(call hak_variant,ubsan,$(BUILD)/allocator-ubsan,$(CC),$(HAK_SAN_CFLAGS) -fsanitize=undefined -fno-sanitize-recover=all,$(HAK_API_SRCS)))
$(eval $(call hak_variant,fuzz,$(BUILD)/allocator-fuzz,$(HAK_FUZZ_CC),$(HAK_SAN_CFLAGS) -fsanitize=fuzzer-no-link -fsanitize=address,$(HAK_API_SRCS)))

# operator new throws std::bad_alloc through override_cxx.c's frames: give
# them unwind information whatever the platform's default.
$(BUILD)/allocator/override_cxx.o: HAK_release_CFLAGS += -fexceptions
$(BUILD)/allocator-debug/override_cxx.o: HAK_debug_CFLAGS += -fexceptions

LIBHAKMEM_SO  := $(BUILD)/libhakmem.so
LIBHAKMEM_A   := $(BUILD)/libhakmem.a
LIBHAKMEM_API := $(BUILD)/libhakmem-api.a
LIBHAKMEM_DBG := $(BUILD)/debug/libhakmem.so

all: $(LIBHAKMEM_SO) $(LIBHAKMEM_A) $(LIBHAKMEM_API)
debug: $(LIBHAKMEM_DBG)

$(LIBHAKMEM_SO): $(HAK_release_OBJS)
	$(CC) -shared -Wl,-z,now -Wl,-soname,libhakmem.so -o $@ $^ -lpthread

$(LIBHAKMEM_A): $(HAK_release_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBHAKMEM_API): $(HAK_release_API)
	cp $< $@

$(LIBHAKMEM_DBG): $(HAK_debug_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-z,now -Wl,-soname,libhakmem.so -o $@ $^ -lpthread
