#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fluxwall replay on small generated captures (the scenario generator of
# `make eval`, real allocations and geo data): every single-flux domain is
# blocked by its third answer set, no NTP-pool-like or CDN-like domain is,
# the reference score does flag the pool, all.pcap merges every category,
# --trace follows one domain's score to its block, and score_* keys from
# --config reach the scorer.
# Runs as root (BPF_PROG_TEST_RUN); no namespace or interface is made.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e replay"
e2e_require_env jq

GEN=$E2E_REPO/build/tools/gen_scenarios
GEO=${FLUXWALL_GEO_DIR:-/var/lib/fluxwall/geo}
lab_init
lab_on_cleanup e2e_on_exit
OUT=$LAB_TMP/captures

check "the scenario generator is built" test -x "$GEN"
check "geo data is there (scripts/fetch-geo.sh)" test -s "$GEO/asn-ipv4.csv"
"$GEN" --geo-dir "$GEO" --out "$OUT" --seed 11 --hours 2 --scale 0.2 >"$LAB_TMP/gen.log" 2>&1 ||
	e2e_not_ok "gen_scenarios ran" "$(tail -n 3 "$LAB_TMP/gen.log")"

# replay PCAP [ARGS...]: the JSON report on stdout, stderr kept in $LAB_TMP.
replay() {
	local pcap=$1
	shift
	"$FLUXWALL" replay "$OUT/$pcap" --json "$@" 2>"$LAB_TMP/replay.err"
}
labelled() { jq -r --arg c "$1" 'to_entries[] | select(.value.category == $c) | .key' "$OUT/labels.json" | sort; }

FLUX=$(replay single-flux.pcap)
flux_names=$(labelled single-flux)
check_gt "the capture holds single-flux domains" "$(wc -w <<<"$flux_names")" 4
check_eq "every single-flux domain is blocked" "$flux_names" \
	"$(jq -r '.domains[] | select(.blocked) | .domain' <<<"$FLUX" | sort)"
check_eq "... each by its third distinct answer set" 0 \
	"$(jq '[.domains[] | select(.blocked and .answer_sets_at_block > 3)] | length' <<<"$FLUX")"

NTP=$(replay ntppool.pcap)
check_gt "the capture holds NTP-pool-like domains" "$(jq '.domains | length' <<<"$NTP")" 4
check_eq "no NTP-pool-like domain is blocked (fluxwall's score)" 0 \
	"$(jq '[.domains[] | select(.blocked)] | length' <<<"$NTP")"
check_eq "no CDN-like domain is blocked" 0 \
	"$(replay cdn.pcap | jq '[.domains[] | select(.blocked)] | length')"
check_gt "the Holz reference score blocks NTP-pool-like domains (the hard negative)" \
	"$(replay ntppool.pcap --score holz | jq '[.domains[] | select(.blocked)] | length')" 0

# all.pcap: every category's responses, merged in time order, and its
# replay (one scorer state) reports every labelled domain that is queried
# (CDN edge zones appear only as CNAME targets).
packets() { tcpdump -nr "$1" 2>/dev/null | wc -l; }
sum=0
for f in "$OUT"/*.pcap; do
	[ "$f" = "$OUT/all.pcap" ] || sum=$((sum + $(packets "$f")))
done
check_eq "all.pcap holds every category's responses" "$sum" "$(packets "$OUT/all.pcap")"
check "... in time order" sort -c -n <(tcpdump -tt -nr "$OUT/all.pcap" 2>/dev/null | cut -d' ' -f1)
check_eq "the replay of all.pcap reports every labelled domain" "" \
	"$(comm -23 <(jq -r 'to_entries[] | select(.value.category != "cdn-edge") | .key' "$OUT/labels.json" | sort) \
		<(replay all.pcap | jq -r '.domains[].domain' | sort))"

# --trace: one line per scored response, ending where the block happened.
one=$(head -n 1 <<<"$flux_names")
trace=$("$FLUXWALL" replay "$OUT/single-flux.pcap" --trace "www.$one" 2>/dev/null | grep '^trace ' || true)
check_gt "--trace www.$one prints score lines" "$(wc -l <<<"$trace")" 1
check_eq "... all of them for $one" "" "$(grep -v "^trace $one " <<<"$trace" || true)"
check_match "... the last one is the block" '*-> BLOCK' "$(tail -n 1 <<<"$trace")"
check_match "... and names the score's terms" '*: flux score * >= 55.0: rotation_across_networks *' \
	"$(tail -n 1 <<<"$trace")"
replay single-flux.pcap --trace "$one" >"$LAB_TMP/report.json"
check "--json --trace: standard output stays one JSON document" jq -e '.domains | length > 0' "$LAB_TMP/report.json"
check "--json --trace: the trace is JSON lines on standard error, as explain --json" \
	jq -se --arg d "$one" 'length > 1 and all(.[]; (.name | endswith($d)) and (.terms | length) > 5)' \
	"$LAB_TMP/replay.err"

# The blocked domain's explanation is the one from block time, not from the end.
text=$("$FLUXWALL" replay "$OUT/single-flux.pcap" 2>/dev/null)
check_match "the text report explains each block with its terms" \
	'*rotation_across_networks * x * 40.0 = *' "$text"

# Score keys in the config file reach the scorer.
printf 'score_threshold = 1000\n' >"$LAB_TMP/strict.conf"
check_eq "--config with score_threshold = 1000: nothing is blocked" 0 \
	"$("$FLUXWALL" --config "$LAB_TMP/strict.conf" replay "$OUT/single-flux.pcap" --json 2>/dev/null |
		jq '[.domains[] | select(.blocked)] | length')"
printf 'score_w_rotation_net = abc\n' >"$LAB_TMP/bad.conf"
check_match "a bad score key value is refused with its file and line" \
	"*bad.conf:1: score_w_rotation_net: 'abc' is not a number*" \
	"$("$FLUXWALL" --config "$LAB_TMP/bad.conf" replay "$OUT/single-flux.pcap" 2>&1 || true)"

# Its private maps go with it: also when a pipe reader quits early, and
# the next replay removes those of one that was killed outright.
pins() { find /sys/fs/bpf -maxdepth 1 -name 'fluxwall-replay-*' | sort; }
before=$(pins)
{ "$FLUXWALL" replay "$OUT/single-flux.pcap" 2>/dev/null || true; } | head -n 1 >/dev/null
check_eq "replay | head -n 1 leaves no pinned maps behind" "$before" "$(pins)"
true &
dead=$!
wait "$dead"
mkdir "/sys/fs/bpf/fluxwall-replay-$dead"
"$FLUXWALL" replay "$OUT/ddns.pcap" >/dev/null 2>&1
check "the next replay removes the maps of a replay that was killed" \
	test ! -e "/sys/fs/bpf/fluxwall-replay-$dead"

e2e_end
