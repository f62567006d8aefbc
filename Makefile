# csirt-collect: one plain Makefile.
#
#   make            build/csirt-collect
#   make check      every test; ends with "N passed, N failed"
#   make deps       install build and test dependencies (Debian/Ubuntu, as root)
#   make static     build/csirt-collect-static
#   make static ARCH=arm64   build-arm64/csirt-collect-static (cross build)
#   make bench      benchmarks (not part of check)
#   make install    honours PREFIX and DESTDIR
#   make fuzz       libFuzzer targets in build-fuzz/fuzz/ (clang)
#   make fuzz-run   run each for FUZZ_TIME seconds on a copy of its corpus
#   make check-asan every test under ASan+UBSan+LeakSanitizer (build-asan/)
#
# CFLAGS, CPPFLAGS and LDFLAGS are yours: they come after the flags the
# code needs (make CFLAGS='-O0 -g' builds). OPT is the default -O and -g.

MAKEFLAGS += --no-print-directory

# ARCH: the Debian architecture built for. arm64 on another host is a
# cross build for `make static` and `make deb` (packaging/README.md): its
# own build directory, Debian's cross compiler, the :arm64 libraries
# (`make deps ARCH=arm64`).
# Only from the command line: shells often export ARCH=x86_64 for kernels.
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ifneq ($(origin ARCH),command line)
ARCH	:= $(HOST_ARCH)
endif
ifeq ($(ARCH)-$(filter arm64,$(HOST_ARCH)),arm64-)
BUILD	?= build-arm64
CC	= aarch64-linux-gnu-gcc
STRIP	= aarch64-linux-gnu-strip
PKG_CONFIG ?= aarch64-linux-gnu-pkg-config
CROSS	= arm64
endif
CC	?= cc
STRIP	?= strip
PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
OPT	?= -O2 -g
WERROR	?=
SANITIZE ?=
PKG_CONFIG ?= pkg-config
FUZZ_CC	?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 60
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
# The tests with threads (readers, zstd, hand-over, SFTP stream) for check-tsan
# (not t-stall: its FUSE server, tests/tools/stallfs, is built by check only).
TSAN_TESTS ?= t-pool t-upload t-sftp t-crypt t-run t-limits t-yara
# Sanitizers for check-asan and the fuzz targets: any UB report is fatal.
SAN_FLAGS ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer

PKGS	= libarchive libzstd yara libssh2 libsodium libcrypto jansson yaml-0.1 inih \
	  libnftnl libmnl sqlite3

VERSION	= 0.1.0

CFLAGS	?=
CPPFLAGS ?=
LDFLAGS	?=

# The flags the code needs, kept apart from the user's: the user's come
# last (a later -O wins). _FORTIFY_SOURCE only where the last -O optimises
# (glibc warns without), and not twice when the user's flags set it.
# -MMD -MP: each object lists the headers it includes (BUILD/*.d, read
# below), so editing a header rebuilds its users.
LAST_O	 = $(lastword $(filter -O%,$(OPT) $(CFLAGS)))
FORTIFY	 = $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,\
	   $(if $(filter-out -O0,$(LAST_O)),-D_FORTIFY_SOURCE=2))
CC_CPPFLAGS = -D_GNU_SOURCE -DCC_VERSION='"$(VERSION)"' -Iagent -Icollectors $(FORTIFY)
CC_CFLAGS = -std=gnu11 $(OPT) -Wall -Wextra -Wshadow -Wformat=2 $(WERROR) $(SANITIZE) \
	   -fstack-protector-strong -pthread -MMD -MP
ALL_CFLAGS = $(CC_CPPFLAGS) $(CC_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANITIZE) -pthread $(LDFLAGS)

# pkg-config checks fail with a clear message naming the missing library.
PKG_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
ifneq ($(PKG_MISSING),)
ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
$(error missing libraries (pkg-config): $(PKG_MISSING); run 'make deps$(if $(CROSS), ARCH=$(ARCH))' as root)
endif
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

AGENT_SRC = $(sort $(wildcard agent/*.c))
COLL_SRC  = $(sort $(wildcard collectors/*.c))
# The report's page: agent/report.html as a C string (report_html).
REPORT_HTML = $(BUILD)/agent/report-html.o
OBJ	  = $(patsubst %.c,$(BUILD)/%.o,$(AGENT_SRC) $(COLL_SRC)) $(REPORT_HTML)
LIBOBJ	  = $(filter-out $(BUILD)/agent/main.o,$(OBJ))

UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

# Fuzz targets tests/fuzz/fuzz_NAME.c, corpus tests/fuzz/corpus/NAME/;
# each is also linked with the replay driver (no libFuzzer) for check.
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
REPLAY_BIN = $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_NAMES))
FUZZ_BIN  = $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))

BIN	= $(BUILD)/csirt-collect
# Test tools (never installed): stallfs, a FUSE server that stops answering;
# bpfhold, which loads and holds eBPF objects for t-kernel;
# sniffer, an AF_PACKET socket with a BPF filter (t-netdepth);
# dumpme, a process with an executable anonymous mapping (t-procdump);
# suspect, a process holding deleted files, memfds and an unlinked library;
# iocproc, a process holding an indicator and a connection (t-iocmatch).
TOOL_BIN  = $(BUILD)/tools/stallfs $(BUILD)/tools/bpfhold $(BUILD)/tools/sniffer \
	    $(BUILD)/tools/dumpme $(BUILD)/tools/suspect $(BUILD)/tools/iocproc

.PHONY: all deps check check-unit check-cli check-fuzz check-asan check-tsan fuzz \
	fuzz-targets fuzz-run static bench install uninstall clean

all: $(BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/agent/report-html.c: agent/report.html
	@mkdir -p $(dir $@)
	{ echo 'const char report_html[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } >$@
$(REPORT_HTML): $(BUILD)/agent/report-html.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

$(BIN): $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIBOBJ) $(PKG_LIBS) $(ALL_LDFLAGS)

deps:
	sh packaging/deps.sh $(filter-out $(HOST_ARCH),$(ARCH))

# The replay driver is an object of its own (named here so that make
# keeps it): gcc -MMD writes one .d per output, which a link of two
# sources would fill with the last one's.
REPLAY_OBJ = $(BUILD)/tests/fuzz/replay.o
$(REPLAY_BIN): $(REPLAY_OBJ)
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c $(REPLAY_OBJ) $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(REPLAY_OBJ) $(LIBOBJ) $(PKG_LIBS) $(ALL_LDFLAGS)

# t-kit embeds the static agent (a sanitized build cannot link one: there
# t-kit skips that part). The static link takes about a second.
CHECK_STATIC = $(if $(SANITIZE),,$(BUILD)/csirt-collect-static)
check: $(BIN) $(TOOL_BIN) $(UNIT_BIN) $(REPLAY_BIN) $(CHECK_STATIC)
	sh tests/run.sh $(BUILD)

check-fuzz: $(REPLAY_BIN)
	sh tests/run.sh $(BUILD) fuzz

# The whole suite with the sanitizers, in its own build directory.
# verify_asan_link_order=0: t-live runs the agent under an LD_PRELOAD
# rootkit, which ASan would otherwise refuse to start with.
check-asan:
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) BUILD=$(ASAN_BUILD) OPT="-O1 -g" SANITIZE="$(SAN_FLAGS)" check

# ThreadSanitizer over the unit tests and the threaded CLI tests (any
# report fails the test: TSan exits 66). Its own build directory.
check-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="-O1 -g" SANITIZE="-fsanitize=thread" \
	    $(TSAN_BUILD)/csirt-collect $(patsubst $(BUILD)/%,$(TSAN_BUILD)/%,$(UNIT_BIN))
	CC_TSAN=1 TSAN_OPTIONS=report_signal_unsafe=0 sh tests/run.sh $(TSAN_BUILD) unit
	for t in $(TSAN_TESTS); do \
	    CC_TSAN=1 TSAN_OPTIONS=report_signal_unsafe=0 sh tests/run.sh $(TSAN_BUILD) cli $$t || exit 1; \
	done

# libFuzzer needs clang; the objects get coverage, the targets the runtime.
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="-O1 -g" \
	    SANITIZE="$(SAN_FLAGS) -fsanitize=fuzzer-no-link" fuzz-targets

fuzz-targets: $(FUZZ_BIN)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBOBJ) $(PKG_LIBS) $(ALL_LDFLAGS)

# Each target for FUZZ_TIME seconds; new inputs go to a scratch corpus,
# not into the repository (minimise and add the good ones by hand).
fuzz-run: fuzz
	sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME)

check-unit: $(UNIT_BIN)
	sh tests/run.sh $(BUILD) unit

check-cli: $(BIN) $(TOOL_BIN)
	sh tests/run.sh $(BUILD) cli

# Static, glibc included (packaging/README.md: libraries, size, limits).
# --gc-sections: libarchive's format table names every writer, and its xar
# writer would pull libxml2's ICU converters (31 MB, and libstdc++) that
# a pax writer never calls. libmagic: yara.pc names -lmagic without its
# private deps. The link warns that getaddrinfo and dlopen need glibc's
# shared libraries: see the README (names resolve without them).
#
# Debian ships no libmnl.a (libmnl-dev has the shared library only), and
# libnftnl.a needs it: without one the static agent gets a firewall.o
# built without the nf_tables reader (it logs why; iptables and audit
# are in). With a libmnl.a (another distribution, a local build) it has
# the same firewall.o as the dynamic agent.
MNL_STATIC := $(wildcard $(shell $(PKG_CONFIG) --variable=libdir libmnl 2>/dev/null)/libmnl.a)
ifeq ($(MNL_STATIC),)
STATIC_PKGS = $(filter-out libnftnl libmnl,$(PKGS)) libmagic
STATIC_OBJ = $(filter-out $(BUILD)/collectors/firewall.o,$(OBJ)) \
	     $(BUILD)/static/collectors/firewall.o
else
STATIC_PKGS = $(PKGS) libmagic
STATIC_OBJ = $(OBJ)
endif
# Debian's libssh2 is built with OpenSSL, yet its libssh2.pc still names
# -lgpg-error in Libs.private (a leftover of its libgcrypt days: no symbol
# of libssh2.a comes from there). Where no libgpg-error.a is installed (the
# arm64 one cannot be: libgpg-error-dev is not Multi-Arch: same) it is
# dropped; a libgcrypt build of libssh2 would then fail to link naming
# the gcry_ symbols, not silently.
STATIC_LIBS = $$(libs=$$($(PKG_CONFIG) --static --libs $(STATIC_PKGS)) && \
	libdir=$$($(PKG_CONFIG) --variable=libdir libssh2) && \
	if [ -f "$$libdir/libgpg-error.a" ]; then echo "$$libs"; \
	else echo "$$libs" | sed 's/ -lgpg-error\b//g'; fi)
$(BUILD)/static/collectors/firewall.o: collectors/firewall.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFIREWALL_NO_NFT -c -o $@ $<
static: $(BUILD)/csirt-collect-static
$(BUILD)/csirt-collect-static: $(STATIC_OBJ)
	$(CC) -static -Wl,--gc-sections $(ALL_LDFLAGS) -o $@ $(STATIC_OBJ) \
	    $(STATIC_LIBS)
	$(STRIP) $@

bench: $(BIN)
	bash tests/bench.sh $(BUILD)

# INSTALL_BIN: the binary installed (the packages install the static one).
INSTALL_BIN ?= $(BIN)
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/csirt-collect
install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/csirt-collect/rules \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/csirt-collect
	install -m 0644 rules/*.yar $(DESTDIR)$(PREFIX)/share/csirt-collect/rules/
	install -m 0644 packaging/csirt-collect.1 $(DESTDIR)$(MANDIR)/man1/csirt-collect.1
	install -m 0644 packaging/csirt-collect.ini $(DESTDIR)$(DOCDIR)/examples/csirt-collect.ini

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/csirt-collect
	rm -f $(DESTDIR)$(MANDIR)/man1/csirt-collect.1
	rm -rf $(DESTDIR)$(PREFIX)/share/csirt-collect $(DESTDIR)$(DOCDIR)

# Packages (packaging/README.md). Both hold the static binary.
DEB	= $(BUILD)/csirt-collect_$(VERSION)_$(ARCH).deb
.PHONY: deb rpm check-packaging check-arm64
deb: $(DEB)
$(DEB): $(BUILD)/csirt-collect-static packaging/csirt-collect.1 packaging/csirt-collect.ini \
	    $(wildcard packaging/deb/* rules/*.yar)
	sh packaging/deb/build.sh $(BUILD) $(VERSION) $(ARCH)

# On a host whose packages rpm does not know (Debian: the rpm package
# brings rpmbuild, its database is empty), BuildRequires cannot be checked.
RPMBUILD_FLAGS ?= $(shell rpm -q rpm >/dev/null 2>&1 || echo --nodeps)
rpm: $(BUILD)/csirt-collect-static
	@command -v rpmbuild >/dev/null || { echo "rpm: rpmbuild is not installed"; exit 1; }
	rpmbuild -bb $(RPMBUILD_FLAGS) --define "_topdir $(abspath $(BUILD))/rpm" \
	    --define "_tmppath $(abspath $(BUILD))/rpm/tmp" --define "srcdir $(CURDIR)" \
	    --define "builddir $(BUILD)" packaging/rpm/csirt-collect.spec

# The slow tests, run by CI after check: static binary, packages, Ansible.
check-packaging: $(BIN) $(BUILD)/csirt-collect-static $(DEB)
	sh tests/run.sh $(BUILD) packaging

# The arm64 static agent and .deb under qemu-user (tests/packaging/t-arm64.sh),
# beside this host's agent, which verifies and bundles them; the unit
# tests and fuzz replays built for arm64 run there too.
check-arm64: $(BIN)
	$(MAKE) ARCH=arm64 BUILD=$(BUILD)-arm64 WERROR=$(WERROR) static deb \
	    $(patsubst $(BUILD)/%,$(BUILD)-arm64/%,$(UNIT_BIN) $(REPLAY_BIN))
	CC_ARM64_BUILD=$(BUILD)-arm64 sh tests/run.sh $(BUILD) packaging t-arm64

clean:
	rm -rf $(BUILD) $(BUILD)-arm64 $(FUZZ_BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

# The headers each object, test and fuzz target includes (-MMD), from
# their last build; none before the first.
-include $(wildcard $(OBJ:.o=.d) $(REPLAY_OBJ:.o=.d) $(UNIT_BIN:=.d) \
	$(BUILD)/static/collectors/firewall.d \
	$(REPLAY_BIN:=.d) $(FUZZ_BIN:=.d))
