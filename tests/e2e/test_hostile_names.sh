#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: names with hostile bytes reach every output of a running
# daemon, and none breaks its format or the terminal.
#
# A DNS name on the wire may hold any byte in a label but NUL and '.':
# quotes, backslashes, escape sequences, line breaks, non-UTF-8. The lab's
# server namespace sends crafted responses (tests/tools/dns_craft) from
# the trusted resolver's address to the client, where `fluxwall run` sits
# on the veth with the real geo databases. Four rounds of fresh bots from
# consumer ISPs on five continents, one second apart, for:
#   - a hostile host name under a plain domain (hostile-sub.example),
#     which gets blocked: the name is a key of its own, `explain` shows it;
#   - a hostile registered domain, which no block rule can hold: refused
#     as unblockable, an alert, and a top domain;
#   - a hostile NS name with churning glue;
#   - then a plain flux domain, which must still be blocked: a refused
#     name must not stop later auto-blocks.
# Checks: the event log is one valid JSON object a line, with the alert
# and the blocks; the lists and their RPZ export hold LDH names only;
# fluxwall.prom is printable ASCII and a real node-exporter scrapes it
# without error, hostile top names included; `fluxwall top` and `explain`
# put no control byte on the terminal; the daemon's own log neither; the
# daemon exits 0 on SIGINT.
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs in single quotes
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e hostile names"
e2e_require_env jq awk prometheus-node-exporter curl
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"

GEO=/var/lib/fluxwall/geo
INJECT=$E2E_REPO/build/tools/dns_craft
[[ -x $INJECT ]] || e2e_skip_or_fail "$INJECT is not built (make build-tests)"
flux_geo_present "$GEO" || e2e_skip_or_fail "geo databases missing in $GEO (scripts/fetch-geo.sh)"

# Presentation text, as dns_craft reads it (\DDD is one byte).
SUB='x\027[2J\027[31m\034q\092u\032.hostile-sub.example'
REG='www.ev\034il\010\255.example'
NS_NAME='ns\027]0;pwned\007.hostile-ns.example'
PLAIN=www.after-hostile.example

lab_init
lab_on_cleanup e2e_on_exit
lab_netns_up
lab_bpffs_up

flux_pool "$GEO/asn-ipv4.csv" "$LAB_TMP/pool" "${FLUX_ISP_ASNS[@]}" ||
	e2e_skip_or_fail "no ranges for the consumer ISPs in $GEO/asn-ipv4.csv"
# bots N SEED: N fresh addresses of N different consumer ISPs, on one line.
bots() { flux_draw "$LAB_TMP/pool" "$1" "$2" 1 | awk '{ printf "%s ", $1 }'; }

TEXTFILE_DIR=$LAB_TMP/textfile
EVENTS=$LAB_TMP/events.jsonl
mkdir -p "$TEXTFILE_DIR"
cat >"$LAB_TMP/fluxwall.conf" <<EOF
event_log = $EVENTS
textfile_dir = $TEXTFILE_DIR
textfile_interval = 1s
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
e2e_daemon_up "$LAB_TMP/fluxwall.conf" "$LAB_TMP/daemon.out"

# has LITERAL TEXT: TEXT holds LITERAL, byte for byte.
has() { grep -qF -- "$1" <<<"$2"; }

inject() {
	ip netns exec "$LAB_SRV_NS" "$INJECT" --iface "$LAB_VETH_SRV" --src "$FLUX_RES4" \
		--dst "$LAB_CLI4" >/dev/null
}
for round in 1 2 3 4; do
	{
		echo "$SUB 30 $(bots 8 $((round * 10 + 1)))"
		echo "$REG 30 $(bots 8 $((round * 10 + 2)))"
		echo "ns-victim.hostile-ns.example 300 198.51.100.9 ns:$NS_NAME@$(bots 1 $((round * 10 + 3)))"
	} | inject
	sleep 1.1
done
for round in 1 2 3; do
	echo "$PLAIN 30 $(bots 8 $((round * 10 + 4)))" | inject
	sleep 1.1
done
sleep 2.5 # a commit and a textfile write

# --- the event log -----------------------------------------------------------------
lines=$(wc -l <"$EVENTS")
check_gt "the event log has events" "$lines" 1
check_eq "every line of the event log is one JSON object" "$lines" \
	"$(jq -c 'select(type == "object")' "$EVENTS" 2>/dev/null | wc -l)"
check_eq "hostile-sub.example is blocked (event)" 1 \
	"$(jq -r 'select(.event == "block" and .name == "hostile-sub.example") | .name' "$EVENTS" | wc -l)"
alert=$(grep -F '"event":"alert"' "$EVENTS" | grep -F 'not a host name' || true)
check "the hostile registered domain is an alert, its bytes escaped in JSON" \
	has '"name":"ev\"il\\010\ufffd.example"' "$alert"
check_eq "$PLAIN is blocked after it: no refused name stops the next" 1 \
	"$(jq -r 'select(.event == "block" and .name == "after-hostile.example") | .name' "$EVENTS" | wc -l)"

# --- the lists and the RPZ export --------------------------------------------------------
names=$(lab_fw block list --json | jq -r '.[].name')
check_eq "the auto entries are the two plain domains" "after-hostile.example hostile-sub.example" \
	"$(sort <<<"$names" | xargs)"
lab_fw block export --format rpz >"$LAB_TMP/export.rpz"
check "the RPZ export names hostile-sub.example" grep -q '^hostile-sub\.example CNAME' "$LAB_TMP/export.rpz"
check_eq "the RPZ export is printable ASCII" 0 "$(LC_ALL=C grep -c '[^[:print:]]' "$LAB_TMP/export.rpz" || true)"

# --- metrics -------------------------------------------------------------------------------
PROM=$TEXTFILE_DIR/fluxwall.prom
check "fluxwall.prom was written" test -s "$PROM"
check_eq "fluxwall.prom is printable ASCII" 0 "$(LC_ALL=C grep -c '[^[:print:]]' "$PROM" || true)"
check "the hostile registered domain is a top name, in presentation form" \
	has 'name="ev\"il\\010\\255.example"}' "$(cat "$PROM")"
check_gt "the refusal is counted" \
	"$(awk '$1 == "fluxwall_auto_block_refusals_total{reason=\"unblockable\"}" { print $2 }' "$PROM")" 0
PORT=$((20000 + RANDOM % 20000))
prometheus-node-exporter --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TEXTFILE_DIR" >"$LAB_TMP/ne.log" 2>&1 &
NE_PID=$!
lab_on_cleanup "kill $NE_PID 2>/dev/null; wait $NE_PID 2>/dev/null || true"
for ((i = 0; i < 50; i++)); do
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$LAB_TMP/scrape" 2>/dev/null && break
	sleep 0.1
done
check_eq "node-exporter scrapes fluxwall.prom without error" "node_textfile_scrape_error 0" \
	"$(grep '^node_textfile_scrape_error' "$LAB_TMP/scrape" || echo missing)"
check_gt "... and serves the top scores, hostile names included" \
	"$(grep -c '^fluxwall_top_domain_score{.*hostile' "$LAB_TMP/scrape" || true)" 0

# --- top and explain on the terminal ---------------------------------------------------------
# `top` clears the screen with one escape sequence of its own; nothing else.
top=$(lab_fw top </dev/null | LC_ALL=C sed 's/^\x1b\[H\x1b\[2J//')
check "fluxwall top lists the hostile domain in presentation form" \
	has 'ev"il\010\255.example' "$top"
check_eq "fluxwall top writes no control byte" 0 \
	"$(LC_ALL=C grep -c '[^[:print:]]' <<<"$top" || true)"
# typed with a capital and a trailing dot, as an operator may
explain=$(lab_fw explain $'X\e[2j\e[31m"q\\u .hostile-sub.example.' 2>&1 || true)
check "explain of the hostile name answers, in presentation form" \
	has 'x\027[2j\027[31m"q\\u\032.hostile-sub.example: ' "$explain"
check_eq "explain writes no control byte" 0 "$(LC_ALL=C grep -c '[^[:print:]]' <<<"$explain" || true)"
unknown=$(lab_fw explain $'not\e[31m.tracked.example' 2>&1 || true)
check "explain of a name not tracked says so" has 'not\027[31m.tracked.example' "$unknown"
check_eq "... without a control byte" 0 "$(LC_ALL=C grep -c '[^[:print:]]' <<<"$unknown" || true)"

# --- the daemon ------------------------------------------------------------------------------
flux_daemon_stop INT
check_eq "SIGINT stops the daemon with status 0" 0 "$FLUX_DAEMON_RC"
check_eq "the daemon's own log is printable" 0 \
	"$(LC_ALL=C grep -c '[^[:print:]]' "$LAB_TMP/daemon.out" || true)"
e2e_end
