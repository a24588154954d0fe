# allocator/build.mk: hakmem's libraries.
#   build/libhakmem.so        LD_PRELOAD-able, exports malloc & co. and the C++
#                             operator new/delete family
#   build/libhakmem.a         static, exports the same (link it in)
#   build/libhakmem-api.a     only the hak_* API, no libc names: for tests under
#                             ThreadSanitizer/ASan/libFuzzer, which bring their own malloc
#   build/debug/libhakmem.so  internal assertions on (HAKMEM_DEBUG=1), -O1
# `make debug` builds the debug variant.

HAK_SRCS      := $(wildcard allocator/src/*.c)
# The exported libc names and C++ operators: not in libhakmem-api.a.
HAK_OVERRIDE  := allocator/src/override.c allocator/src/override_cxx.c
HAK_API_SRCS  := $(filter-out $(HAK_OVERRIDE),$(HAK_SRCS))
HAK_HDRS      := $(wildcard allocator/include/*.h allocator/src/*.h)
# No libc allocation calls, no stack protector canaries needing TLS setup
# surprises, and exported names only where we say so.
HAK_CFLAGS    := $(CFLAGS_BASE) -fPIC -fvisibility=hidden -fno-builtin-malloc \
                 -fno-builtin-free -fno-builtin-calloc -fno-builtin-realloc \
                 -ftls-model=initial-exec -fno-plt -Iallocator/include -Iallocator/src
HAK_DEBUG_CFLAGS := $(filter-out -O%,$(HAK_CFLAGS)) -O1 -DHAKMEM_DEBUG=1

HAK_OBJS      := $(patsubst allocator/src/%.c,$(BUILD)/allocator/%.o,$(HAK_SRCS))
HAK_API_OBJS  := $(patsubst allocator/src/%.c,$(BUILD)/allocator/%.o,$(HAK_API_SRCS))
HAK_DBG_OBJS  := $(patsubst allocator/src/%.c,$(BUILD)/allocator-debug/%.o,$(HAK_SRCS))

LIBHAKMEM_SO  := $(BUILD)/libhakmem.so
LIBHAKMEM_A   := $(BUILD)/libhakmem.a
LIBHAKMEM_API := $(BUILD)/libhakmem-api.a
LIBHAKMEM_DBG := $(BUILD)/debug/libhakmem.so

all: $(LIBHAKMEM_SO) $(LIBHAKMEM_A) $(LIBHAKMEM_API)
debug: $(LIBHAKMEM_DBG)

$(BUILD)/allocator/%.o: allocator/src/%.c $(HAK_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(HAK_CFLAGS) -c $< -o $@

$(BUILD)/allocator-debug/%.o: allocator/src/%.c $(HAK_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(HAK_DEBUG_CFLAGS) -c $< -o $@

# operator new throws std::bad_alloc through override_cxx.c's frames: give
# them unwind information whatever the platform's default.
$(BUILD)/allocator/override_cxx.o: HAK_CFLAGS += -fexceptions
$(BUILD)/allocator-debug/override_cxx.o: HAK_DEBUG_CFLAGS += -fexceptions

$(LIBHAKMEM_SO): $(HAK_OBJS)
	$(CC) -shared -Wl,-z,now -Wl,-soname,libhakmem.so -o $@ $^ -lpthread

$(LIBHAKMEM_A): $(HAK_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBHAKMEM_API): $(HAK_API_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBHAKMEM_DBG): $(HAK_DBG_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-z,now -Wl,-soname,libhakmem.so -o $@ $^ -lpthread
