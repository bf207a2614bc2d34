#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: an auto-block flood against a live daemon. 400 unrelated
# flux domains, each answering twice from consumer-ISP bots of its own
# (no two share an address, so none rides on another's flux network),
# within a few seconds, sent by tests/tools/dns_craft from the trusted
# resolver's address onto the lab's veth.
# Checks: exactly auto_max_per_minute (10) are blocked; every other one is
# still scored and refused as rate_limited, an alert event each and a
# count in fluxwall_auto_block_refusals_total; only the first 10 alerts of
# the minute carry their evidence, so the log stays small; the daemon read
# every sample the program sent, down to the last domain's.
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs in single quotes
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e auto-block flood"
e2e_require_env jq awk
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"

GEO=/var/lib/fluxwall/geo
INJECT=$E2E_REPO/build/tools/dns_craft
DOMAINS=400
LIMIT=10
[[ -x $INJECT ]] || e2e_skip_or_fail "$INJECT is not built (make build-tests)"
flux_geo_present "$GEO" || e2e_skip_or_fail "geo databases missing in $GEO (scripts/fetch-geo.sh)"

lab_init
lab_on_cleanup e2e_on_exit
lab_netns_up
lab_bpffs_up
flux_pool "$GEO/asn-ipv4.csv" "$LAB_TMP/isp" "${FLUX_ISP_ASNS[@]}" ||
	e2e_skip_or_fail "no consumer-ISP ranges in $GEO/asn-ipv4.csv"
# 12 distinct bots a domain: 8 in its first answer, 4 of them and 4 new in its second
flux_draw "$LAB_TMP/isp" $((DOMAINS * 12)) 42 0 | awk '{ print $1 }' >"$LAB_TMP/bots"

EVENTS=$LAB_TMP/events.jsonl
mkdir -p "$LAB_TMP/textfile"
cat >"$LAB_TMP/fluxwall.conf" <<EOF
event_log = $EVENTS
textfile_dir = $LAB_TMP/textfile
textfile_interval = 1s
trusted_resolvers = $FLUX_RES4
auto_max_per_minute = $LIMIT
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
e2e_daemon_up "$LAB_TMP/fluxwall.conf" "$LAB_TMP/daemon.out"

# answers SET: every domain's first (SET 0) or second (SET 1) answer
answers() {
	awk -v set="$1" -v n="$DOMAINS" '{ bot[NR - 1] = $1 }
		END {
			for (d = 0; d < n; d++) {
				line = sprintf("www.flood-%d.example 60", d)
				for (i = 0; i < 8; i++)
					line = line " " bot[d * 12 + i + set * 4]
				print line
			}
		}' "$LAB_TMP/bots"
}
inject() {
	ip netns exec "$LAB_SRV_NS" "$INJECT" --iface "$LAB_VETH_SRV" --src "$FLUX_RES4" \
		--dst "$LAB_CLI4" --rate 2000 >/dev/null
}
t0=$SECONDS
answers 0 | inject
sleep 1.1 # the second answer sets in a later second
answers 1 | inject
sleep 2 # the commit and a textfile write
echo "flood sent in $((SECONDS - t0)) s"

autos=$(lab_fw block list --json | jq '[.[] | select(.origin == "auto")] | length')
check_eq "exactly the limit of $LIMIT domains is auto-blocked" "$LIMIT" "$autos"
check_eq "... each with a block event" "$LIMIT" \
	"$(jq -c 'select(.event == "block")' "$EVENTS" | wc -l)"
limited=$(jq -c 'select(.event == "alert" and (.reason | test("is the limit")))' "$EVENTS" | wc -l)
check_eq "every other domain is scored and refused as rate_limited, an alert each" \
	$((DOMAINS - LIMIT)) "$limited"
check_eq "the last domain of the flood got its verdict" 1 \
	"$(jq -c "select(.name == \"flood-$((DOMAINS - 1)).example\")" "$EVENTS" | wc -l)"
prom=$(awk '$1 == "fluxwall_auto_block_refusals_total{reason=\"rate_limited\"}" { print $2 }' \
	"$LAB_TMP/textfile/fluxwall.prom")
check_eq "fluxwall_auto_block_refusals_total{reason=\"rate_limited\"} counts them" "$limited" "$prom"
check_eq "only the first $LIMIT alerts of the minute carry their evidence" "$LIMIT" \
	"$(jq -c 'select(.event == "alert" and .evidence != null)' "$EVENTS" | wc -l)"
bytes=$(jq -c 'select(.event == "alert" and .evidence == null)' "$EVENTS" | wc -c)
check_gt "... the others are short lines (under 600 bytes on average)" $((600 * (limited - LIMIT))) "$bytes"
received=$(lab_fw top </dev/null | awk '/samples/ { for (i = 1; i < NF; i++) if ($i == "samples") print $(i + 1) }')
check_eq "the daemon read every sample the program sent" \
	"$(lab_fw status --json | jq '.counters.samples_sent')" "$received"
check_eq "no sample was lost in the ring buffer" 0 "$(lab_fw status --json | jq '.counters.samples_lost')"

flux_daemon_stop INT
check_eq "SIGINT stops the daemon with status 0" 0 "$FLUX_DAEMON_RC"
e2e_end
