# harness/build.mk: build/hakbench, the runner, reporter, plotter front end
# and (compare.c, from the compare/CI helper) comparer. Every harness/*.c is
# part of it.

HB_SRCS  := $(wildcard harness/*.c)
HB_OBJS  := $(patsubst harness/%.c,$(BUILD)/harness/%.o,$(HB_SRCS))
HAKBENCH := $(BUILD)/hakbench
# Recorded in results.json's context: how the project's code was compiled.
HB_BUILD_FLAGS := $(CC) $(CFLAGS_BASE)

BUILD_PACKAGES += libjansson-dev libsqlite3-dev libpq-dev

all: $(HAKBENCH)

$(BUILD)/harness/%.o: harness/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(DEPFLAGS) -I/usr/include/postgresql -DHB_BUILD_FLAGS='"$(HB_BUILD_FLAGS)"' -c $< -o $@

$(HAKBENCH): $(HB_OBJS)
	$(CC) -o $@ $^ -ljansson -lsqlite3 -lpq -lm -ldl

# build/hb-launch: the small launcher every run goes through, so that a run's
# peak RSS is its own and not hakbench's (see harness/launcher/hb_launch.c).
HB_LAUNCH := $(BUILD)/hb-launch
all: $(HB_LAUNCH)

$(HB_LAUNCH): harness/launcher/hb_launch.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<

# build/hb-identify.so: preloaded after the allocator in program cells, it
# records which library served each process's malloc (harness/launcher/hb_identify.c).
HB_IDENTIFY := $(BUILD)/hb-identify.so
all: $(HB_IDENTIFY)

$(HB_IDENTIFY): harness/launcher/hb_identify.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<
