# vserlink: virtual serial links between libvirt guests.
#
# make                 build build/vserlink
# make check           unit, golden, integration (and e2e when it can run) tests
# make install         PREFIX, SYSCONFDIR, DESTDIR are honoured on every path
# make deb             the Debian package vserlink_VERSION_ARCH.deb (debian/)
# make SANITIZE=1 ...  ASan + UBSan build (dynamic link)
# make fuzz FUZZ_SECONDS=N  libFuzzer (clang) on both parsers, N seconds each
# make valgrind       the integration tests with every hook under valgrind

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
HOOKDIR    ?= $(SYSCONFDIR)/libvirt/hooks
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# Where "vserlink xml" puts pipe paths: on /run, so that a host crash leaves
# no FIFOs the hook would not recognise (see hook/cmd/xml.c).
PIPEDIR    ?= /run/vserlink-pipes
DESTDIR    ?=
VERSION    := 0.1.0

CC         ?= cc
PKG_CONFIG ?= pkg-config
BUILD      ?= build

WARN := -Werror -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
        -Wmissing-prototypes -Wwrite-strings -Wvla -Wno-unused-parameter
# Project flags first, the user's CFLAGS last so they can override.
# Recursive (=): pkg-config runs when a file is built, after "make deps" installed it.
VS_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -Iparser -Ihook -Ihook/cmd -Itests/unit \
             $(shell $(PKG_CONFIG) --cflags libxml-2.0 inih) \
             -DVSERLINK_VERSION='"$(VERSION)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
             -DPIPE_DIR='"$(PIPEDIR)"' \
             -MMD -MP

# The hook runs on every lifecycle event of every guest, and libvirt waits for
# it. Debian's shared libxml2 pulls in ICU and libstdc++ at start-up, which
# triples the cost of an event that needs no XML at all, and even a static
# libxml2 in a dynamically linked program costs 1.7 times a bare process. So
# the hook is linked statically, as a position-independent executable (ASLR
# stays), with its relative relocations packed (DT_RELR, glibc 2.36), and
# without ICU or liblzma: hook/static_link.c says why and stands in for the
# few ICU, liblzma and glibc functions it must not reach. tests/bench shows
# the figures.
# Sanitizer builds link everything dynamically.
ifeq ($(SANITIZE),1)
  VS_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  VS_LDFLAGS := -fsanitize=address,undefined
  VS_LIBS     = $(shell $(PKG_CONFIG) --libs libxml-2.0 inih)
  BUILD      := build/sanitize
  LINK_SRC   :=
else
  VS_LDFLAGS := -static-pie -Wl,-z,pack-relative-relocs -Wl,--wrap=getaddrinfo,--wrap=gethostbyname
  VS_LIBS     = $(filter-out -licu% -llzma,$(shell $(PKG_CONFIG) --static --libs libxml-2.0 inih))
  LINK_SRC   := hook/static_link.c
endif

PARSER_SRC := parser/alloc.c parser/sax.c parser/domain_xml.c parser/pairs.c parser/pairs_ini.c
HOOK_SRC   := hook/log.c hook/fsops.c hook/state_codec.c hook/state.c hook/state_load.c hook/state_find.c hook/wire_run.c hook/wire_prepare.c hook/wire_release.c hook/wire_apply.c hook/hook.c hook/config.c \
              $(LINK_SRC)
# The subcommands an administrator runs (check, plan, status, xml).
CMD_SRC    := $(addprefix hook/cmd/,check.c virsh.c plan.c status.c xml.c)
MAIN_SRC   := hook/main.c $(CMD_SRC)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(PARSER_SRC) $(HOOK_SRC))
BIN        := $(BUILD)/vserlink

# The fault-injection variant (hook/fault.h) for the crash tests: its own
# objects and binary, so that the production binary never contains it.
FAULT_DIR  := $(BUILD)/fault
FAULT_BIN  := $(FAULT_DIR)/vserlink
FAULT_OBJ  := $(patsubst %.c,$(FAULT_DIR)/%.o,$(PARSER_SRC) $(HOOK_SRC) $(MAIN_SRC) hook/fault.c)

UNIT_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/test_*.c))
TEST_TOOLS := $(BUILD)/tests/tools/fifo_io
# The fuzz targets' inputs, replayed by make check with the build's compiler.
FUZZ_REPLAY := $(BUILD)/tests/fuzz/replay_domain $(BUILD)/tests/fuzz/replay_pairs

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(VS_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BIN): $(LIB_OBJ) $(patsubst %.c,$(BUILD)/%.o,$(MAIN_SRC))
	$(CC) $(VS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(VS_LIBS)

$(FAULT_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(VS_CFLAGS) -DVSERLINK_FAULT_INJECTION $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(FAULT_BIN): $(FAULT_OBJ)
	$(CC) $(VS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(VS_LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/golden.o $(LIB_OBJ)
	$(CC) $(VS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(VS_LIBS)

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o
	$(CC) $(filter -fsanitize=%,$(VS_LDFLAGS)) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(LIB_OBJ)
	$(CC) $(VS_LDFLAGS) $(LDFLAGS) -o $@ $^ $(VS_LIBS)

check: $(BIN) $(FAULT_BIN) $(UNIT_TESTS) $(TEST_TOOLS) $(FUZZ_REPLAY)
	tests/run.sh $(BUILD)

# libFuzzer needs clang; the targets link libxml2 and inih dynamically.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 $(WARN) -Iparser \
                $(shell $(PKG_CONFIG) --cflags libxml-2.0 inih) $(FUZZ_SAN)
FUZZ_BINS    := $(FUZZ_DIR)/fuzz_domain $(FUZZ_DIR)/fuzz_pairs

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o $(patsubst %.c,$(FUZZ_DIR)/%.o,$(PARSER_SRC))
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ \
	    $(shell $(PKG_CONFIG) --libs libxml-2.0 inih)

fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR)

# Every hook process of the integration tests under valgrind (slow), in a
# dynamically linked build: valgrind cannot follow a static glibc's malloc.
VG_BUILD := build/valgrind
valgrind:
	$(MAKE) BUILD=$(VG_BUILD) VS_LDFLAGS= VS_LIBS="$(shell $(PKG_CONFIG) --libs libxml-2.0 inih)" \
	    $(VG_BUILD)/vserlink $(VG_BUILD)/tests/tools/fifo_io
	tests/hardening/valgrind.sh $(VG_BUILD)

# install/install.sh never replaces a hook that is not vserlink's, nor the
# user's pairs.ini, and says where everything went.
INSTALL_VARS = DESTDIR='$(DESTDIR)' SBINDIR='$(SBINDIR)' SYSCONFDIR='$(SYSCONFDIR)' \
               HOOKDIR='$(HOOKDIR)' MANDIR='$(MANDIR)' TMPFILESDIR='$(TMPFILESDIR)' \
               PIPEDIR='$(PIPEDIR)'

install: $(BIN)
	$(INSTALL_VARS) sh install/install.sh install $(BIN)

uninstall:
	$(INSTALL_VARS) sh install/install.sh uninstall

# Installs the build dependencies, libvirt, QEMU and a guest kernel (Debian 12, as root).
deps:
	bash install/deps.sh

# The Debian package, built by dpkg-buildpackage in a copy of this tree under
# build/deb (where its other products stay), and copied here. The version is
# debian/changelog's, which must be the Makefile's.
DEB_DIR  := $(BUILD)/deb
DEB_JOBS ?= 2
DEB_ARCH  = $(shell dpkg --print-architecture)
# The tree without version control, builds and packages (tests/package uses the same list).
DEB_EXCLUDE = --exclude-vcs --exclude=./build --exclude=./$(BUILD) --exclude='./*.deb' \
              --exclude=./debian/vserlink --exclude=./debian/.debhelper --exclude=./debian/files \
              --exclude='./debian/*.substvars' --exclude='./debian/*.debhelper*' \
              --exclude=./debian/debhelper-build-stamp
deb:
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = '$(VERSION)' ] || \
	    { echo "make deb: debian/changelog says $$v, the Makefile's VERSION is $(VERSION)" >&2; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/vserlink-$(VERSION)
	tar -c $(DEB_EXCLUDE) . | tar -x -C $(DEB_DIR)/vserlink-$(VERSION)
	cd $(DEB_DIR)/vserlink-$(VERSION) && dpkg-buildpackage -us -uc -j$(DEB_JOBS)
	cp $(DEB_DIR)/vserlink_$(VERSION)_$(DEB_ARCH).deb .
	@echo "built vserlink_$(VERSION)_$(DEB_ARCH).deb"

# Two throwaway guests linked by four ports on the local libvirt.
demo: $(BIN)
	bash install/demo.sh $(BIN)

# The end-to-end test alone: a real libvirt daemon and two QEMU guests.
e2e: $(BIN)
	bash tests/e2e/run.sh $(BIN)

# The hook's cost per event against a bare process and a shell hook.
bench: $(BIN)
	sh tests/bench/run.sh $(BIN) tests/bench/results.md

clean:
	rm -rf build

# Keep intermediate objects: deleting them would print after the tests'
# closing "N passed, N failed" line.
.SECONDARY:

.PHONY: all check clean install uninstall deps demo e2e bench fuzz valgrind deb
# (Not the package's build tree, where qemu.d is a directory.)
-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -type f -name '*.d' -print 2>/dev/null)
