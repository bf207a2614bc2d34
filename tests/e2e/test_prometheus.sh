#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The metrics as Prometheus sees them: fluxwall writes its textfile, Debian's
# real prometheus-node-exporter serves it on loopback with the textfile
# collector, and a scrape must show the fluxwall metrics with their values
# and no textfile scrape error. Also `make install` and `make uninstall`
# into a DESTDIR. Nothing leaves loopback.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e prometheus"
e2e_require_env prometheus-node-exporter curl

FW=$E2E_REPO/build/fluxwall
ID=$$-$RANDOM
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fw-prom-$ID.XXXXXX")
PIN=/sys/fs/bpf/fw-prom-$ID
NE_PID=
# Cleanup never changes the verdict: a killed exporter's status is not ours.
cleanup() {
	if [[ -n $NE_PID ]]; then
		kill "$NE_PID" 2>/dev/null || true
		wait "$NE_PID" 2>/dev/null || true
	fi
	FLUXWALL_PIN_PATH=$PIN FLUXWALL_STATE_DIR=$TMP/state "$FW" detach --purge >/dev/null 2>&1 || true
	rm -rf "$TMP" "$PIN"
}
trap cleanup EXIT
fw() { FLUXWALL_PIN_PATH=$PIN FLUXWALL_STATE_DIR=$TMP/state "$FW" "$@"; }

# ---- the textfile ----------------------------------------------------------
mkdir -p "$TMP/textfile"
check "two manual rules and one allow rule" \
	eval 'fw block add a.example b.example >/dev/null && fw allow add ok.a.example >/dev/null'
printf 'feed1.example\nfeed2.example\nfeed3.example\n' >"$TMP/feed.txt"
check "a feed of three names" fw block import "$TMP/feed.txt" --source f
# What the daemon writes every textfile_interval, written once here.
check "fluxwall stats --prom writes the textfile" \
	eval 'fw stats --prom >"$TMP/textfile/.fluxwall.prom.tmp" &&
		mv "$TMP/textfile/.fluxwall.prom.tmp" "$TMP/textfile/fluxwall.prom"'

# ---- the real node-exporter, on a free loopback port -------------------------
PORT=$((20000 + RANDOM % 20000))
prometheus-node-exporter --web.listen-address="127.0.0.1:$PORT" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TMP/textfile" >"$TMP/ne.log" 2>&1 &
NE_PID=$!
for ((i = 0; i < 50; i++)); do
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/scrape" 2>/dev/null && break
	sleep 0.1
done
check "node-exporter answers on 127.0.0.1:$PORT" test -s "$TMP/scrape"

metric() { # metric NAME{LABELS}: its value in the scrape, or "missing"
	awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print "missing" }' \
		"$TMP/scrape"
}
check_eq "node_textfile_scrape_error is 0" 0 "$(metric node_textfile_scrape_error)"
check_eq "manual block-list entries" 2 "$(metric 'fluxwall_blocklist_entries{kind="manual"}')"
check_eq "feed block-list entries" 3 "$(metric 'fluxwall_blocklist_entries{kind="feed"}')"
check_eq "allow-list entries" 1 "$(metric 'fluxwall_blocklist_entries{kind="allow"}')"
check_match "build info carries the version" '*fluxwall_build_info{version="*"} 1*' \
	"$(grep '^fluxwall_build_info' "$TMP/scrape")"
check_eq "packets counter is exported (no traffic: 0)" 0 "$(metric fluxwall_packets_total)"
check_eq "every fluxwall metric has HELP and TYPE" \
	"$(grep -c '^# HELP fluxwall_' "$TMP/textfile/fluxwall.prom")" \
	"$(grep -c '^# TYPE fluxwall_' "$TMP/textfile/fluxwall.prom")"

# A broken textfile must show up as a scrape error: the check above can fail.
echo 'fluxwall_broken{' >"$TMP/textfile/broken.prom"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/scrape" || true
check_eq "a malformed textfile is reported as node_textfile_scrape_error 1" 1 \
	"$(metric node_textfile_scrape_error)"
rm -f "$TMP/textfile/broken.prom"

# ---- make install / uninstall into a DESTDIR ---------------------------------
D=$TMP/dest
check "make install DESTDIR=... PREFIX=/usr" \
	make -s -C "$E2E_REPO" install DESTDIR="$D" PREFIX=/usr
for f in usr/sbin/fluxwall usr/share/man/man8/fluxwall.8 usr/lib/systemd/system/fluxwall.service \
	usr/share/fluxwall/protected-domains.txt; do
	check "installed $f" test -s "$D/$f"
done
check "the installed binary runs" "$D/usr/sbin/fluxwall" --version
# It must find its protected list wherever it was installed, e.g. for replay.
check "the installed binary finds its protected list (replay of a capture)" \
	"$D/usr/sbin/fluxwall" replay "$E2E_REPO/tests/data/pcap/dns_udp.pcap" --json
check "make uninstall removes them" \
	eval 'make -s -C "$E2E_REPO" uninstall DESTDIR="$D" PREFIX=/usr &&
		! test -e "$D/usr/sbin/fluxwall" && ! test -e "$D/usr/share/fluxwall"'

e2e_end
