# gwstress: stress tester for the SAM HTTP SSE gateway.
#
#   make run                  install missing Debian packages (as root), build,
#                             and run the smoke profile against gwsim
#   make test                 the same set-up, then check + check-stress
#   make                      build ./gwstress and the bundled gateway ./gwsim
#   make check                unit suites (Check) + loopback integration tests
#   make check-stress         the scenario catalogue against the bundled gateway
#                             (scale from STRESS_SCALE, default smoke)
#   make check SANITIZE=address,undefined   or   SANITIZE=thread
#   make CC=clang             any C11 compiler; gcc and clang are both clean
#   make hdr-check            every header compiles on its own
#   make checksrc             clang-format, one prefix per module, comments,
#                             header guards (CI runs it); make format applies
#                             .clang-format
#   make bench                ring + collector throughput (prints figures)
#   make bench-load           workload fidelity against gwsim (prints figures)
#   make bench-clients        gwstress's cost per event and per held stream
#                             beside a lean C client, Locust, wrk and hey
#   make bench-proto          SSE event classification, Jansson's tree against
#                             gw_jscan, ns per event (prints figures)
#   make bench-metrics        what --metrics-listen costs at 1,000 held streams
#                             scraped every second (prints figures)
#   make valgrind-smoke       a smoke run under valgrind memcheck
#   make fuzz                 libFuzzer harnesses (clang, ASan+UBSan) built in
#                             build/fuzz, each run FUZZ_SECONDS (default 60)
#   make install              gwstress, gwsim, the profiles and examples, the
#                             man pages and the bash completion under
#                             $(DESTDIR)$(PREFIX) (default /usr/local)
#   make uninstall            removes exactly what make install put there
#   make V=1                  show full command lines
#
# Object directories: build/ for the plain build, build/<cc>[-<sanitizers>]
# otherwise; programs go to ./ for the plain build and to that directory
# otherwise.  Test scripts find them through $GWSTRESS and $GWSIM.
#
# Changing CC, CFLAGS or SANITIZE rewrites build/FLAGS, which rebuilds
# everything (git's GIT-CFLAGS trick), so sanitizer and plain objects never mix.

CC       ?= cc
PKG_CONFIG ?= pkg-config
comma := ,
space := $(subst ,, )
# Each compiler/sanitizer combination gets its own object directory, so a
# sanitizer build never overwrites the plain one (and two can run at once).
# Programs land in the top directory for the plain build, else in $(O).
ifdef SANITIZE
O ?= build/$(notdir $(CC))-$(subst $(comma),-,$(SANITIZE))
else ifneq ($(filter cc gcc,$(notdir $(CC))),)
O ?= build
else
O ?= build/$(notdir $(CC))
endif
BIN := $(if $(filter build,$(O)),.,$(O))
GWSTRESS := $(BIN)/gwstress
GWSIM := $(BIN)/gwsim
export GWSTRESS GWSIM

PKGS_GW  := libcurl jansson inih libmicrohttpd
PKGS_SIM := libmicrohttpd jansson
PKGS_TST := check

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
        -Wshadow -Wvla -Wwrite-strings -Wformat-security -Wformat=2 \
        -Wno-format-nonliteral -Wpointer-arith -Wcast-align=strict
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),clang)
WARN := $(filter-out -Wcast-align=strict,$(WARN)) -Wcast-align
endif

OPT      ?= -O2 -g
CFLAGS   ?= $(OPT)
BASE_CFLAGS := -std=c11 -pthread $(WARN)
# _GNU_SOURCE: pipe2, accept4-free code still needs memmem, strcasestr and
# SOCK_CLOEXEC; the portable subset alone (_POSIX_C_SOURCE) hides them.
CPPFLAGS += -D_GNU_SOURCE -Iinclude -MMD -MP

ifdef SANITIZE
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
BASE_CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1))

ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS)

ifneq ($(V),1)
Q_CC = @echo '   CC    ' $@;
Q_LD = @echo '   LINK  ' $@;
Q_AR = @echo '   AR    ' $@;
Q    = @
endif

GW_SRC   := $(filter-out src/main.c,$(wildcard src/*.c src/engine/*.c \
            src/sam/*.c src/scenarios/*.c src/report/*.c src/load/*.c))
GW_OBJ   := $(GW_SRC:%.c=$(O)/%.o)
SIM_SRC  := $(wildcard src/gwsim/*.c)
SIM_OBJ  := $(SIM_SRC:%.c=$(O)/%.o)
TST_SRC  := $(wildcard test/unit/check_*.c)
TST_BIN  := $(TST_SRC:test/unit/%.c=$(O)/test/%)
HDRS     := $(wildcard include/*.h)

all: $(GWSTRESS) $(GWSIM)

# --- flags stamp -----------------------------------------------------------
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(LDFLAGS)
$(O)/FLAGS: FORCE
	@mkdir -p $(O)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then \
		echo '   FLAGS  changed, rebuilding'; echo '$(FLAGS_NOW)' > $@; fi

# --- objects ---------------------------------------------------------------
$(O)/src/gwsim/%.o: src/gwsim/%.c $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(CPPFLAGS) -Isrc/gwsim $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_SIM)) -c -o $@ $<

$(O)/src/%.o: src/%.c $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_GW)) -c -o $@ $<

$(O)/test/%.o: test/unit/%.c $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_GW) $(PKGS_TST)) -c -o $@ $<

$(O)/test/%.o: test/bench/%.c $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(call pkg_cflags,$(PKGS_GW) $(PKGS_TST)) -c -o $@ $<

$(O)/libgw.a: $(GW_OBJ)
	$(Q_AR)rm -f $@ && ar rcs $@ $^

# --- programs --------------------------------------------------------------
$(GWSTRESS): $(O)/src/main.o $(O)/libgw.a
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_GW)) -lm

$(GWSIM): $(SIM_OBJ)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_SIM)) -lm

$(O)/test/check_%: $(O)/test/check_%.o $(O)/libgw.a
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_GW) $(PKGS_TST)) -lm

# --- the README's two commands ----------------------------------------------
# `make run`: install what is missing, build, run the smoke profile against
# the bundled gateway.  `make test`: the same set-up, then the test suite.
DEB_PKGS := build-essential pkg-config libcurl4-openssl-dev libjansson-dev \
            check libsubunit-dev libinih-dev libmicrohttpd-dev curl jq
DEB_LIBS := libcurl jansson inih libmicrohttpd check

deps:
	$(Q)if command -v $(PKG_CONFIG) >/dev/null 2>&1 && \
	    $(PKG_CONFIG) --exists $(DEB_LIBS) && command -v curl >/dev/null && \
	    command -v jq >/dev/null; \
	then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo '   DEPS   apt-get install $(DEB_PKGS)'; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$(DEB_PKGS) >/dev/null; \
	else \
		echo 'missing build dependencies; as root run:' >&2; \
		echo '  apt-get install $(DEB_PKGS)' >&2; exit 2; \
	fi

# A first run should not take 7 minutes: the soak scenario is cut to 30 s
# here (and says so); ./gwstress --scale smoke runs the profile as it is.
RUN_ARGS ?= --scale $(STRESS_SCALE) --soak-duration 30
run: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo '   RUN    ./gwstress $(RUN_ARGS)  (soak shortened to 30 s for a first look)'
	$(Q)$(GWSTRESS) $(RUN_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory check
	$(Q)$(MAKE) --no-print-directory check-stress

# --- tests -----------------------------------------------------------------
STRESS_SCALE ?= smoke
export STRESS_SCALE
# A data race must fail the test that provoked it, not scroll by on a
# stderr some test captured: TSan then exits 66 (ASan and UBSan, built
# with -fno-sanitize-recover, already abort).
TSAN_OPTIONS ?= halt_on_error=1 exitcode=66
export TSAN_OPTIONS

check: check-unit check-integration

check-unit: $(TST_BIN)
	$(Q)fail=0; for t in $(TST_BIN); do \
		echo "== $$t"; CK_DEFAULT_TIMEOUT=120 $$t || fail=1; done; exit $$fail

check-integration: $(GWSTRESS) $(GWSIM)
	$(Q)sh test/it/run.sh

check-stress: $(GWSTRESS) $(GWSIM)
	$(Q)sh test/run-stress.sh

valgrind-smoke: $(GWSTRESS) $(GWSIM)
	$(Q)sh test/run-valgrind.sh

# Benchmarks print figures; they assert only invariants, never timings.
$(O)/test/bench_%: $(O)/test/bench_%.o $(O)/libgw.a
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_GW)) -lm

# The load engine's fidelity against gwsim: rates per window, schedule lag,
# Poisson arrivals, the stall experiment, many users and streams; and what
# a new connection (TCP, TLS) costs one worker.
bench-load: $(GWSTRESS) $(GWSIM) $(O)/test/bench_tls
	$(Q)BENCH_TLS=$(O)/test/bench_tls sh test/bench/bench_load.sh

# What a client costs: gwstress beside a lean C thread-per-stream client
# and Locust on the same SSE flow, and beside wrk and hey on REST
# (test/bench/bench_clients.sh; minutes; CI does not run it).  lean_sse
# and runstat (a command's CPU and peak RSS from wait4) need no libgw.
BENCH_CLIENT_BINS := $(O)/test/lean_sse $(O)/test/runstat
$(BENCH_CLIENT_BINS): $(O)/test/%: $(O)/test/%.o
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

bench-clients: $(GWSTRESS) $(GWSIM) $(BENCH_CLIENT_BINS)
	$(Q)LEAN_SSE=$(O)/test/lean_sse RUNSTAT=$(O)/test/runstat \
		sh test/bench/bench_clients.sh

# The live metrics endpoint's cost: 1,000 held streams, with and without
# it scraped every second (BENCH_METRICS_SECONDS, default 30 s held).
bench-metrics: $(GWSTRESS) $(GWSIM)
	$(Q)sh test/bench/bench_metrics.sh

bench: $(O)/test/bench_engine
	$(Q)for w in 1 2 8 64 1024 4096; do \
		$(O)/test/bench_engine $$w 2 10e6 0 || exit 1; done
	$(Q)$(O)/test/bench_engine 2 2 0 16384

# Event classification: the Jansson version (the test oracle) against
# gw_proto_event on gw_jscan, side by side on three SAM events.
bench-proto: $(O)/test/bench_proto
	$(Q)$(O)/test/bench_proto

# Every header compiles on its own: the public ones, the scenario family's
# private gw_sc.h, and gwsim's sim.h (with gwsim's flags).
PRIV_HDRS := $(wildcard src/scenarios/*.h)
hdr-check: $(HDRS:include/%.h=$(O)/hdr/%.ok) \
	   $(PRIV_HDRS:src/scenarios/%.h=$(O)/hdr/%.ok) $(O)/hdr/sim.ok
HDR_CHECK = $(CC) $(filter-out -MMD -MP,$(CPPFLAGS)) $(ALL_CFLAGS) \
	    -fsyntax-only -x c -
$(O)/hdr/%.ok: include/%.h $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)echo '#include "$(<F)"' | $(HDR_CHECK) \
		$(call pkg_cflags,$(PKGS_GW)) && touch $@
$(O)/hdr/%.ok: src/scenarios/%.h $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)echo '#include "$(<F)"' | $(HDR_CHECK) -Isrc/scenarios \
		$(call pkg_cflags,$(PKGS_GW)) && touch $@
$(O)/hdr/sim.ok: src/gwsim/sim.h $(O)/FLAGS
	@mkdir -p $(@D)
	$(Q_CC)echo '#include "sim.h"' | $(HDR_CHECK) -Isrc/gwsim \
		$(call pkg_cflags,$(PKGS_SIM)) && touch $@

# --- the tree's rules ------------------------------------------------------
# checksrc: clang-format, one prefix per module (nm), /* */ comments, header
# guards (tools/checksrc.sh says why for each exception).  format: apply
# .clang-format to every C file of gwstress.
checksrc: $(GW_OBJ) $(SIM_OBJ)
	$(Q)sh tools/checksrc.sh $(O)

format:
	$(Q)git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'test/*.c' \
		'test/*.h' | xargs clang-format -i

# --- fuzzing (clang libFuzzer) ---------------------------------------------
# Not a flavour of the build above: libFuzzer needs clang, so the harnesses
# in test/fuzz/ are compiled and linked in one step with the five sources
# they reach (no libgw.a: its objects lack the coverage instrumentation),
# all in build/fuzz/ with its own flags stamp.  Each harness runs for
# FUZZ_SECONDS on build/fuzz/corpus/<target>/, a scratch corpus seeded with a
# copy of test/fuzz/corpus/<target>/ (so the committed seeds stay small; it
# grows from run to run until build/ is removed).  A crash, leak or timeout
# fails the target after the other harnesses ran; the input is saved as
# build/fuzz/<target>-crash-<sha1> (or leak-, timeout-).  Reproduce it with
#   build/fuzz/fuzz_<target> build/fuzz/<target>-crash-<sha1>
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_OPT     ?= -O1 -g
FUZZ_TARGETS ?= sse ini proto
FUZZ_O       := build/fuzz
FUZZ_SRC     := src/engine/gw_sse.c src/gw_config.c src/sam/gw_proto.c \
		src/sam/gw_jscan.c src/gw_util.c
FUZZ_CFLAGS  := -std=c11 -pthread -D_GNU_SOURCE -Iinclude \
	$(filter-out -Wcast-align=strict,$(WARN)) -Wcast-align $(FUZZ_OPT) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_FLAGS_NOW := $(FUZZ_CC) $(FUZZ_CFLAGS)

$(FUZZ_O)/FLAGS: FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FUZZ_FLAGS_NOW)' ]; then \
		echo '$(FUZZ_FLAGS_NOW)' > $@; fi

$(FUZZ_O)/fuzz_%: test/fuzz/fuzz_%.c $(FUZZ_SRC) $(HDRS) $(FUZZ_O)/FLAGS
	$(Q_LD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pkg_cflags,jansson inih) \
		-o $@ $< $(FUZZ_SRC) $(call pkg_libs,jansson inih) -lm

# -max_len: an SSE input needs room for events past the largest cap the
# harness picks (4096); config and JSON inputs only repeat beyond 4 KiB.
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_O)/fuzz_%)
	$(Q)fail=0; for t in $(FUZZ_TARGETS); do \
		case $$t in sse) len=8192;; *) len=4096;; esac; \
		c=$(FUZZ_O)/corpus/$$t; mkdir -p $$c; \
		cp test/fuzz/corpus/$$t/* $$c/ || exit 1; \
		echo "== fuzz_$$t: $(FUZZ_SECONDS) s, max_len $$len"; \
		$(FUZZ_O)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=$$len -timeout=10 -print_final_stats=1 \
			-dict=test/fuzz/$$t.dict \
			-artifact_prefix=$(FUZZ_O)/$$t- $$c || fail=1; \
	done; exit $$fail

# --- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/staging], GNU's and git's way:
#   $(BINDIR)               gwstress, gwsim
#   $(CONFDIR)              the five profiles and conf/load-*, conf/search-*
#   $(MAN1DIR)              gwstress.1, gwsim.1
#   $(BASHCOMPDIR)          gwstress, gwsim (one file: tools/completion.bash)
# gwstress finds the profiles relative to itself, in <bin>/../share/gwstress
# /conf (DESTDIR and a moved prefix need nothing baked in), so BINDIR and
# DATADIR stay siblings; install warns when they are not.  make uninstall
# removes exactly these files, then the two folders of gwstress's own if
# they are empty; the shared ones (bin, man1, completions) stay.
#
# install installs what make built.  It builds what is missing or stale
# with the flags of the build it finds, and never with others: when
# $(O)/FLAGS says that build used another CC, CFLAGS or SANITIZE (a root
# shell's, say), it stops and says so.  As root it builds nothing from
# scratch: the objects would belong to root, compiled with root's flags.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
MAN1DIR     ?= $(MANDIR)/man1
CONFDIR     ?= $(DATADIR)/gwstress/conf
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL     ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755
INSTALL_DATA    ?= $(INSTALL) -m 644
INSTALL_DIR     ?= $(INSTALL) -d -m 755

INST_CONF := $(addprefix conf/,smoke.ini small.ini medium.ini large.ini \
	     soak.ini) $(sort $(wildcard conf/load-*.ini conf/search-*.ini))
INST_MAN  := doc/gwstress.1 doc/gwsim.1
INST_CONF_LIST := $(subst $(space),$(comma),$(notdir $(INST_CONF)))
# where the installed gwstress will look: BINDIR's parent, then
# share/gwstress/conf (src/gw_cli.c, find_profile)
BIN_PARENT := $(patsubst %/,%,$(dir $(patsubst %/,%,$(BINDIR))))
LOOKUP_CONFDIR := $(BIN_PARENT)/share/gwstress/conf

install:
	$(Q)built=$$(cat $(O)/FLAGS 2>/dev/null); \
	if [ -n "$$built" ] && [ "$$built" != '$(FLAGS_NOW)' ]; then \
		echo 'make install: the build in $(O)/ used other flags' \
			'than these, and installing would rebuild it:' >&2; \
		echo "  built: $$built" >&2; \
		echo '  now:   $(FLAGS_NOW)' >&2; \
		echo '  give make install the CC, CFLAGS and SANITIZE that' \
			'built it (or rebuild with make first)' >&2; \
		exit 2; \
	elif [ -z "$$built" ] && [ "$$(id -u)" = 0 ]; then \
		echo 'make install: nothing built in $(O); as root, install' \
			'does not compile: run make first (as yourself)' >&2; \
		exit 2; \
	fi
	$(Q)$(MAKE) --no-print-directory all
	$(Q)if [ '$(CONFDIR)' != '$(LOOKUP_CONFDIR)' ]; then \
		echo 'make install: warning: gwstress in $(BINDIR) looks for' \
			'its profiles in $(LOOKUP_CONFDIR), not $(CONFDIR)' >&2; \
	fi
	$(Q)$(INSTALL_DIR) '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(CONFDIR)' \
		'$(DESTDIR)$(MAN1DIR)' '$(DESTDIR)$(BASHCOMPDIR)'
	@echo '   INSTALL $(DESTDIR)$(BINDIR)/{gwstress,gwsim}'
	$(Q)$(INSTALL_PROGRAM) $(GWSTRESS) $(GWSIM) '$(DESTDIR)$(BINDIR)'
	@echo '   INSTALL $(DESTDIR)$(CONFDIR)/{$(INST_CONF_LIST)}'
	$(Q)$(INSTALL_DATA) $(INST_CONF) '$(DESTDIR)$(CONFDIR)'
	@echo '   INSTALL $(DESTDIR)$(MAN1DIR)/{gwstress.1,gwsim.1}'
	$(Q)$(INSTALL_DATA) $(INST_MAN) '$(DESTDIR)$(MAN1DIR)'
	@echo '   INSTALL $(DESTDIR)$(BASHCOMPDIR)/{gwstress,gwsim}'
	$(Q)$(INSTALL_DATA) tools/completion.bash \
		'$(DESTDIR)$(BASHCOMPDIR)/gwstress'
	$(Q)$(INSTALL_DATA) tools/completion.bash \
		'$(DESTDIR)$(BASHCOMPDIR)/gwsim'

uninstall:
	@echo '   RM      what make install put under $(DESTDIR)$(PREFIX)'
	$(Q)$(RM) '$(DESTDIR)$(BINDIR)/gwstress' '$(DESTDIR)$(BINDIR)/gwsim' \
		$(foreach f,$(notdir $(INST_CONF)),'$(DESTDIR)$(CONFDIR)/$(f)') \
		'$(DESTDIR)$(MAN1DIR)/gwstress.1' '$(DESTDIR)$(MAN1DIR)/gwsim.1' \
		'$(DESTDIR)$(BASHCOMPDIR)/gwstress' \
		'$(DESTDIR)$(BASHCOMPDIR)/gwsim'
	$(Q)for d in '$(DESTDIR)$(CONFDIR)' '$(DESTDIR)$(DATADIR)/gwstress'; do \
		[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || :; done

clean:
	rm -rf build gwstress gwsim

.PHONY: all deps run test check check-unit check-integration check-stress \
	bench bench-load bench-clients bench-proto bench-metrics hdr-check \
	checksrc format fuzz install uninstall clean FORCE
.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(O)/src/*.d $(O)/src/*/*.d $(O)/test/*.d)
