# fluxwall: XDP filter against fast-flux DNS.
#
#   make          build build/fluxwall and build/fluxwall.bpf.o
#   make demo     install dependencies, build, run the namespace lab
#   make test     install dependencies, build, run every test
#   make bench    benchmarks; figures in build/bench-*.json
#   make bench-peers  CPU per packet against iptables and Unbound, in the lab
#   make eval     detection evaluation on generated scenarios
#   make soak     ten minutes of mixed lab traffic; RSS, samples, wrong drops
#   make fuzz     every libFuzzer target FUZZ_SECONDS (60) each; minimises
#                 what it found into tests/fuzz/corpus

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
SAN_BUILD := build-asan

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

CFLAGS	?= -O2 -g
# SAN=1: AddressSanitizer and UBSan, every finding fatal (make build-asan). At
# -O1 gcc cannot bound some snprintf arguments it bounds at -O2: no error there.
ifeq ($(SAN),1)
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
	   -Wno-format-truncation
endif
FW_CFLAGS := -Wall -Wextra -Werror -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	   -Iinclude -Iuserspace -I$(BUILD) -DFW_DATADIR='"$(PREFIX)/share/fluxwall"'
CFLAGS	+= $(FW_CFLAGS)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__BPF__ -Iinclude -Ibpf -I$(ARCH_INC)
LIBS	:= -lxdp -lbpf -lelf -lz -lmaxminddb -lpsl -lpcap -lldns -lpthread -lm
TEST_LIBS := $(LIBS)

BPF_SRC	 := bpf/fluxwall.bpf.c
BPF_HDRS := $(wildcard bpf/*.h) $(wildcard include/*.h)
# userspace/ by layer (docs/design.md). libfluxwall.a holds every layer but
# the CLI's verbs, which are libfluxwall-cli.a and the fluxwall binary's.
LAYERS	 := dataplane formats engine lists fleet daemon
LIB_SRC	 := $(foreach l,$(LAYERS),$(wildcard userspace/$(l)/*.c))
LIB_OBJ	 := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_SRC	 := $(filter-out userspace/cli/fluxwall.c,$(wildcard userspace/cli/*.c))
CLI_OBJ	 := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(CLI_SRC))
LIBS_FW	 := $(BUILD)/libfluxwall-cli.a $(BUILD)/libfluxwall.a
US_HDRS	 := $(wildcard userspace/*/*.h) $(wildcard include/*.h) $(BUILD)/fluxwall.skel.h
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BPFT_SRC := $(wildcard tests/bpf/test_*.c)
BPFT_BIN := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(BPFT_SRC))
TLIB_SRC := $(wildcard tests/lib/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
# tests/lib finds the repository from its binary; this is its fallback.
TEST_CFLAGS := -Itests/lib -Ibpf -DFWH_SRCDIR='"$(CURDIR)"'

# libFuzzer targets (tests/fuzz) over the program's own sources, rebuilt with
# clang, ASan and UBSan into $(BUILD)/fuzz. feed_FORMAT is one target per
# feed format, all from tests/fuzz/feed.c.
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=undefined $(FW_CFLAGS) -Wno-missing-field-initializers
FUZZ_NAMES := name_key sample_decode walk_decode conf state journal pcap networks xfr \
	      feed_plain feed_hosts feed_rpz feed_adblock feed_auto
FUZZ_BIN := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_NAMES))
FUZZ_OBJ := $(patsubst userspace/%.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC))
FUZZ_HDRS := $(US_HDRS) $(wildcard tests/fuzz/*.h)
FUZZ_SECONDS ?= 60

.PHONY: all deps demo test unit-test bpf-test e2e-test build-tests unit-bins build-asan asan-test \
	build-fuzz fuzz fuzz-test bench bench-peers eval soak install uninstall clean format

all: $(BUILD)/fluxwall $(BUILD)/bench_pass.bpf.o $(BUILD)/bench_exact.bpf.o $(BUILD)/bench_drop.bpf.o

deps:
	./scripts/install-deps.sh

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/fluxwall.skel.h: $(BUILD)/fluxwall.bpf.o
	$(BPFTOOL) gen skeleton $< name fluxwall > $@

$(BUILD)/obj/%.o: userspace/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libfluxwall.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^ # a fresh archive: no member of a deleted source stays

$(BUILD)/libfluxwall-cli.a: $(CLI_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fluxwall: userspace/cli/fluxwall.c $(LIBS_FW) $(US_HDRS)
	$(CC) $(CFLAGS) $< $(LIBS_FW) $(LIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(TLIB_SRC) $(LIBS_FW) $(US_HDRS) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $< $(TLIB_SRC) $(LIBS_FW) -lcmocka $(TEST_LIBS) -o $@

$(BUILD)/tests/%: tests/bpf/%.c $(TLIB_SRC) $(LIBS_FW) $(US_HDRS) $(BUILD)/fluxwall.bpf.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $< $(TLIB_SRC) $(LIBS_FW) -lcmocka $(TEST_LIBS) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(TLIB_SRC) $(LIBS_FW) $(US_HDRS) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $< $(TLIB_SRC) $(LIBS_FW) $(TEST_LIBS) -o $@

$(BUILD)/tools/%: tests/tools/%.c $(TLIB_SRC) $(LIBS_FW) $(US_HDRS) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $< $(TLIB_SRC) $(LIBS_FW) $(TEST_LIBS) -o $@

$(BUILD)/fuzz/obj/%.o: userspace/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/libfluxwall.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^ # a fresh archive: no member of a deleted source stays

$(BUILD)/fuzz/fuzz_feed_%: tests/fuzz/feed.c $(BUILD)/fuzz/libfluxwall.a $(FUZZ_HDRS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFEED_FORMAT='"$*"' $< \
		$(BUILD)/fuzz/libfluxwall.a $(LIBS) -o $@

# The data path's walk, built for the host, and the decoder it feeds.
$(BUILD)/fuzz/fuzz_walk_decode: tests/fuzz/walk_decode.c tests/lib/host_walk.c \
		$(BUILD)/fuzz/libfluxwall.a $(FUZZ_HDRS) $(BPF_HDRS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Ibpf -Itests/lib $< tests/lib/host_walk.c \
		$(BUILD)/fuzz/libfluxwall.a $(LIBS) -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/%.c $(BUILD)/fuzz/libfluxwall.a $(FUZZ_HDRS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(BUILD)/fuzz/libfluxwall.a $(LIBS) -o $@

build-tests: all $(UNIT_BIN) $(BPFT_BIN) $(TOOL_BIN)

unit-bins: $(UNIT_BIN)

# The unit tests once more, under AddressSanitizer and UBSan, in their own tree.
build-asan:
	$(MAKE) BUILD=$(SAN_BUILD) SAN=1 unit-bins

build-fuzz: $(FUZZ_BIN)

demo: deps
	./scripts/fetch-geo.sh
	$(MAKE) all $(TOOL_BIN)
	./scripts/lab.sh demo

test: deps
	./scripts/fetch-geo.sh
	$(MAKE) build-tests build-fuzz
	$(MAKE) build-asan
	./tests/run-all.sh

unit-test: build-tests
	./tests/run-all.sh unit

bpf-test: build-tests
	./tests/run-all.sh bpf

e2e-test: build-tests
	./tests/run-all.sh e2e

asan-test: build-asan
	./tests/run-all.sh asan

fuzz-test: build-fuzz
	./tests/run-all.sh fuzz

fuzz: deps
	$(MAKE) build-tests build-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh fuzz

bench: deps
	$(MAKE) all $(BENCH_BIN) $(TOOL_BIN)
	./tests/bench/run.sh

# Not part of make bench: minutes of lab traffic against iptables and Unbound.
bench-peers: deps
	$(MAKE) all
	./scripts/bench-peers.sh

eval: deps
	$(MAKE) all $(TOOL_BIN)
	./scripts/eval.sh

# Not part of make test: ten minutes (SOAK_SECONDS) of lab traffic.
soak: deps
	./scripts/fetch-geo.sh
	$(MAKE) all $(TOOL_BIN)
	./scripts/soak.sh

install: all
	install -D -m 0755 $(BUILD)/fluxwall $(DESTDIR)$(PREFIX)/sbin/fluxwall
	install -D -m 0644 docs/fluxwall.8 $(DESTDIR)$(PREFIX)/share/man/man8/fluxwall.8
	install -D -m 0644 contrib/fluxwall.service $(DESTDIR)$(PREFIX)/lib/systemd/system/fluxwall.service
	install -D -m 0644 data/protected-domains.txt $(DESTDIR)$(PREFIX)/share/fluxwall/protected-domains.txt
	install -D -m 0644 contrib/fluxwall.conf $(DESTDIR)$(PREFIX)/share/fluxwall/fluxwall.conf.example

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/fluxwall $(DESTDIR)$(PREFIX)/share/man/man8/fluxwall.8 \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/fluxwall.service
	rm -rf $(DESTDIR)$(PREFIX)/share/fluxwall

format:
	clang-format -i bpf/*.c bpf/*.h include/*.h userspace/*/*.c userspace/*/*.h

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
