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
# Hardening: the core runs inside root's slurmstepd. Every object and link gets
# these (tests/integration/05-hardening.sh checks the built files). A packager's
# CPPFLAGS/CXXFLAGS/LDFLAGS come after them; one that sets _FORTIFY_SOURCE
# itself (dpkg-buildflags does) replaces ours. HARDEN_*= (empty) turns one off.
HARDEN_FORTIFY ?= $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS)),,-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
HARDEN_CXXFLAGS ?= -fstack-protector-strong -fstack-clash-protection -fcf-protection
HARDEN_LDFLAGS ?= -Wl,-z,relro,-z,now -Wl,-z,noexecstack
HARDEN_EXE_LDFLAGS ?= -pie
ALL_CXXFLAGS = -std=c++17 -fPIC -Wall -Wextra -Werror $(HARDEN_FORTIFY) $(HARDEN_CXXFLAGS) $(CPPFLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS) -Ilib -MMD -MP
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
# Objects are rebuilt when the hardening flags change (a build dir made before
# them, or with HARDEN_*= overridden, is never silently mixed).
HARDEN_STAMP = $(BUILD)/.hardening-flags

LIB_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard lib/*.cpp))
LIBPYIMPORT := $(BUILD)/libpyimport.a
# The plugin is two files: the entry Slurm loads into every srun, slurmd and
# slurmstepd (tiny, no C++ runtime), and the core it loads only when needed.
PLUGIN := $(BUILD)/pyimport_bench.so
PLUGIN_CORE := $(BUILD)/pyimport_bench_core.so
CORE_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out spank_plugin/dispatch_entry.cpp,$(wildcard spank_plugin/*.cpp)))
# pyimport-aggregate: helper/aggregate/main.cpp plus a library the unit tests link too.
AGG_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out helper/aggregate/main.cpp,$(wildcard helper/aggregate/*.cpp)))
LIBAGGREGATE := $(BUILD)/libaggregate.a
# pyimport-study: helper/pyimport_study.cpp plus helper/study/ as a library the unit tests link too.
STUDY_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard helper/study/*.cpp))
LIBSTUDY := $(BUILD)/libstudy.a
HELPER_BINS := $(BUILD)/pyimport-gaggle $(BUILD)/pyimport-record $(BUILD)/pyimport-aggregate $(BUILD)/pyimport-study
UNIT_BINS := $(patsubst %.cpp,$(BUILD)/%,$(wildcard tests/unit/test_*.cpp))

# The core carries its C++ runtime (no dependence on the host's libstdc++);
# Debian ships no PIC libjansson.a, so jansson stays dynamic.
CORE_LIBS := -ljansson -lcgroup -static-libstdc++ -static-libgcc
LIBS := -ljansson -lsimdjson -lcgroup

.PHONY: all install check unit-tests unit-tests-sanitize demo bench clean
# Objects that only one link needs (the helpers' mains) are kept, so a second
# make (install, a package build) does not compile them again.
.SECONDARY:
all: $(PLUGIN) $(PLUGIN_CORE) $(HELPER_BINS)

$(BUILD)/%.o: %.cpp $(HARDEN_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIBPYIMPORT): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

# Built beside the target and renamed: a running cluster picks the new file up
# at the next srun and never sees a half-written one.
$(BUILD)/spank_plugin/dispatch_entry.o: EXTRA_CXXFLAGS += -fno-exceptions -fno-rtti
$(PLUGIN): $(BUILD)/spank_plugin/dispatch_entry.o spank_plugin/exports.map
	$(CXX) -shared -o $@.new $< -static-libstdc++ -static-libgcc -Wl,--as-needed \
	    -Wl,--version-script=spank_plugin/exports.map $(ALL_LDFLAGS)
	mv -f $@.new $@

$(PLUGIN_CORE): $(CORE_OBJS) $(LIBPYIMPORT) spank_plugin/core_exports.map
	$(CXX) -shared -o $@.new $(CORE_OBJS) $(LIBPYIMPORT) $(CORE_LIBS) \
	    -Wl,--version-script=spank_plugin/core_exports.map $(ALL_LDFLAGS)
	mv -f $@.new $@

$(BUILD)/pyimport-%: $(BUILD)/helper/pyimport_%.o $(LIBPYIMPORT)
	$(CXX) -o $@ $^ $(LIBS) $(ALL_LDFLAGS)

$(LIBAGGREGATE): $(AGG_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/pyimport-aggregate: $(BUILD)/helper/aggregate/main.o $(LIBAGGREGATE) $(LIBPYIMPORT)
	$(CXX) -o $@ $^ $(LIBS) $(ALL_LDFLAGS)

$(LIBSTUDY): $(STUDY_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/pyimport-study: $(BUILD)/helper/pyimport_study.o $(LIBSTUDY) $(LIBAGGREGATE) $(LIBPYIMPORT)
	$(CXX) -o $@ $^ $(LIBS) $(ALL_LDFLAGS)

$(BUILD)/tests/unit/%: tests/unit/%.cpp $(LIBSTUDY) $(LIBAGGREGATE) $(LIBPYIMPORT)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $< $(LIBSTUDY) $(LIBAGGREGATE) $(LIBPYIMPORT) -lcriterion $(LIBS) $(ALL_LDFLAGS)

# Executables are position-independent (ASLR for the helpers too).
$(HELPER_BINS) $(UNIT_BINS): ALL_LDFLAGS += $(HARDEN_EXE_LDFLAGS)

unit-tests: $(UNIT_BINS) $(HELPER_BINS)
# No _FORTIFY_SOURCE under ASan: the *_chk calls fortify substitutes bypass
# ASan's interceptors (fewer checks, not more); ASan checks every access anyway.
unit-tests-sanitize:
	$(MAKE) BUILD=build-san HARDEN_FORTIFY= EXTRA_CXXFLAGS="$(SAN_FLAGS)" EXTRA_LDFLAGS="$(SAN_FLAGS)" unit-tests

$(HARDEN_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(HARDEN_FORTIFY) $(HARDEN_CXXFLAGS) $(HARDEN_LDFLAGS) $(HARDEN_EXE_LDFLAGS)' >$@.$$$$; \
	    if cmp -s $@.$$$$ $@; then rm -f $@.$$$$; else mv -f $@.$$$$ $@; fi
FORCE:

# Fuzzing (tests/fuzz/): libFuzzer harnesses built by clang with ASan and UBSan
# from the project's own sources into $(FUZZ_BUILD); `make fuzz` runs each one
# for FUZZ_SECONDS from its seed corpus (tests/fuzz/corpus/NAME, read only; what
# it finds goes to $(FUZZ_BUILD)/corpus/NAME) and fails on the first crash,
# leak or broken invariant (the input is left in $(FUZZ_BUILD)/artifacts/NAME/).
FUZZ_CXX ?= clang++
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CXXFLAGS ?= -O1 -g
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_ALL_CXXFLAGS = -std=c++17 -Wall -Wextra $(FUZZ_CXXFLAGS) $(FUZZ_SAN) -Ilib -Ihelper/aggregate -MMD -MP
FUZZ_NAMES := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_NAMES))
FUZZ_LIB := $(FUZZ_BUILD)/libpyimport-fuzz.a
FUZZ_LIB_OBJS := $(patsubst %.cpp,$(FUZZ_BUILD)/%.o,$(wildcard lib/*.cpp))
# The fast record reader's sources when they live outside lib/ (pyimport-aggregate's).
FUZZ_READER_OBJS := $(patsubst %.cpp,$(FUZZ_BUILD)/%.o,$(wildcard helper/aggregate/fast_record_reader*.cpp helper/aggregate/record_read*.cpp))
FUZZ_OPTIONS ?= -print_final_stats=1

# fuzz-run-NAME: one harness (not .PHONY: make skips pattern rules for those).
.PHONY: fuzz fuzz-build FORCE
fuzz-build: $(FUZZ_BINS)
fuzz: $(addprefix fuzz-run-,$(FUZZ_NAMES))

$(FUZZ_BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_ALL_CXXFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS) $(FUZZ_READER_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CXX) $(FUZZ_ALL_CXXFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# FUZZ_PREBUILT=1: run what is built, never rebuild (for runs side by side).
fuzz-run-%: $(if $(FUZZ_PREBUILT),,$(FUZZ_BUILD)/%)
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$*
	$(FUZZ_BUILD)/$* -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*/ $(FUZZ_OPTIONS) \
	    $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) $(FUZZ_BUILD)/corpus/$* $(wildcard tests/fuzz/corpus/$*)

# Installs packages first (root), so this works on a fresh machine.
check:
	tests/infra/install-deps
	tests/run all

# Only the Slurm 24.11 part of `make check` (tests/integration/90-slurm24.sh): a
# Debian 13 root (built once per machine, kept in /var/cache/pyimport-bench), the
# project built there by g++ 14 into build-debian13, its unit tests and the
# live-cluster scripts on Slurm 24.11. SLURM24_SCRIPTS="30-plugin ..." picks scripts.
.PHONY: check-slurm24
check-slurm24:
	tests/infra/install-deps
	tests/run integration '90-*'

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
	install -d $(DESTDIR)$(PREFIX)/share/pyimport-bench/study-2017
	install -m 0644 data/study-2017/overall_time.bcp data/study-2017/individual_time.bcp data/study-2017/README.md \
	    $(DESTDIR)$(PREFIX)/share/pyimport-bench/study-2017/

# Packages (README.md, Installing): `make deb` (dpkg-buildpackage)
# and `make rpm` (rpmbuild) build from a scratch copy of the tree against the
# Slurm headers in $(SLURM_INCLUDE)/slurm, whose release goes into the
# package's version and its Slurm dependency, into $(BUILD)/packages/.
SLURM_INCLUDE ?= /usr/include
.PHONY: deb rpm
deb rpm:
	packaging/build-package $@ $(BUILD) $(SLURM_INCLUDE)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) $(if $(filter fuzz%,$(MAKECMDGOALS)),$(FUZZ_BUILD)) -name '*.d' 2>/dev/null)
