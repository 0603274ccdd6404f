# pyimport-bench. `make` builds the SPANK plugin, the library and the helper
# commands into $(BUILD); `make check` runs every test; `make demo` runs the
# plugin on a local Slurm cluster; `make bench` prints the benchmark ratios.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
SLURM_PLUGIN_DIR ?= $(LIBDIR)/slurm
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(PREFIX)/etc

BUILD ?= build
CXX ?= g++
CXXFLAGS ?= -O2 -g
EXTRA_CXXFLAGS ?=
EXTRA_LDFLAGS ?=
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_CXXFLAGS = -std=c++17 -fPIC -Wall -Wextra -Werror $(CXXFLAGS) $(EXTRA_CXXFLAGS) -Ilib -MMD -MP

LIB_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard lib/*.cpp))
LIBPYIMPORT := $(BUILD)/libpyimport.a
# The plugin is two files: the entry Slurm loads into every srun, slurmd and
# slurmstepd (tiny, no C++ runtime), and the core it loads only when needed.
PLUGIN := $(BUILD)/pyimport_bench.so
PLUGIN_CORE := $(BUILD)/pyimport_bench_core.so
CORE_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out spank_plugin/pyimport_bench.cpp,$(wildcard spank_plugin/*.cpp)))
# pyimport-aggregate: helper/aggregate/main.cpp plus a library the unit tests link too.
AGG_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out helper/aggregate/main.cpp,$(wildcard helper/aggregate/*.cpp)))
LIBAGGREGATE := $(BUILD)/libaggregate.a
HELPER_BINS := $(BUILD)/pyimport-gaggle $(BUILD)/pyimport-record $(BUILD)/pyimport-aggregate
UNIT_BINS := $(patsubst %.cpp,$(BUILD)/%,$(wildcard tests/unit/test_*.cpp))

# The core carries its C++ runtime (no dependence on the host's libstdc++);
# Debian ships no PIC libjansson.a, so jansson stays dynamic.
CORE_LIBS := -ljansson -static-libstdc++ -static-libgcc
LIBS := -ljansson -lsimdjson

.PHONY: all install check unit-tests unit-tests-sanitize demo bench clean
all: $(PLUGIN) $(PLUGIN_CORE) $(HELPER_BINS)

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIBPYIMPORT): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

# Built beside the target and renamed: a running cluster picks the new file up
# at the next srun and never sees a half-written one.
$(BUILD)/spank_plugin/pyimport_bench.o: EXTRA_CXXFLAGS += -fno-exceptions -fno-rtti
$(PLUGIN): $(BUILD)/spank_plugin/pyimport_bench.o spank_plugin/exports.map
	$(CXX) -shared -o $@.new $< -static-libstdc++ -static-libgcc -Wl,--as-needed \
	    -Wl,--version-script=spank_plugin/exports.map $(EXTRA_LDFLAGS)
	mv -f $@.new $@

$(PLUGIN_CORE): $(CORE_OBJS) $(LIBPYIMPORT) spank_plugin/core_exports.map
	$(CXX) -shared -o $@.new $(CORE_OBJS) $(LIBPYIMPORT) $(CORE_LIBS) \
	    -Wl,--version-script=spank_plugin/core_exports.map $(EXTRA_LDFLAGS)
	mv -f $@.new $@

$(BUILD)/pyimport-%: $(BUILD)/helper/pyimport_%.o $(LIBPYIMPORT)
	$(CXX) -o $@ $^ $(LIBS) $(EXTRA_LDFLAGS)

$(LIBAGGREGATE): $(AGG_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/pyimport-aggregate: $(BUILD)/helper/aggregate/main.o $(LIBAGGREGATE) $(LIBPYIMPORT)
	$(CXX) -o $@ $^ $(LIBS) -luring $(EXTRA_LDFLAGS)

$(BUILD)/tests/unit/%: tests/unit/%.cpp $(LIBAGGREGATE) $(LIBPYIMPORT)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $< $(LIBAGGREGATE) $(LIBPYIMPORT) -lcriterion $(LIBS) -luring $(EXTRA_LDFLAGS)

unit-tests: $(UNIT_BINS) $(HELPER_BINS)
unit-tests-sanitize:
	$(MAKE) BUILD=build-san EXTRA_CXXFLAGS="$(SAN_FLAGS)" EXTRA_LDFLAGS="$(SAN_FLAGS)" unit-tests

# Installs packages first (root), so this works on a fresh machine.
check:
	tests/infra/install-deps
	tests/run all

demo:
	tests/infra/install-deps
	$(MAKE) all
	demo/run

bench:
	tests/infra/install-deps
	$(MAKE) all
	bench/run

install: all
	install -d $(DESTDIR)$(SLURM_PLUGIN_DIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(PLUGIN) $(PLUGIN_CORE) $(DESTDIR)$(SLURM_PLUGIN_DIR)/
	install -m 0755 $(HELPER_BINS) helper/pyimport-env-build $(DESTDIR)$(BINDIR)/
	for s in 1 5 8; do for m in man/*.$$s; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done; done
	install -m 0644 etc/plugstack.conf.sample $(DESTDIR)$(SYSCONFDIR)/pyimport-bench.plugstack.conf.sample

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
