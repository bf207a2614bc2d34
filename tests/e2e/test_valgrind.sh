#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: `fluxwall run` under valgrind (memcheck) over a short lab
# run is clean: no invalid read or write, no use of uninitialised memory,
# nothing definitely or indirectly lost at exit.
#
# The lab's veth pair, the daemon on the client's end, and the mixed
# traffic of scripts/lab-traffic.sh sent by tests/tools/dns_craft from the
# trusted resolver's address: a flux network, double flux, CDN customers,
# round robins, random subdomains, NXDOMAIN and hostile names, so that
# scoring, the network index, auto-blocks with their commits, refusals,
# the event log and the textfile all run. Between rounds: explain, top,
# metrics over the control socket, and a SIGHUP. The daemon is stopped
# with SIGINT and started again (it reads back networks.tsv and the auto
# entries), two more rounds, stopped again. Both runs must be clean.
# Bounded: about a minute.
# Run as root; under CI=true a missing prerequisite is a failure.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e valgrind"
e2e_require_env valgrind awk
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"
# shellcheck source=SCRIPTDIR/../../scripts/lab-traffic.sh
source "$E2E_REPO/scripts/lab-traffic.sh"

GEO=/var/lib/fluxwall/geo
INJECT=$E2E_REPO/build/tools/dns_craft
[[ -x $INJECT ]] || e2e_skip_or_fail "$INJECT is not built (make build-tests)"
flux_geo_present "$GEO" || e2e_skip_or_fail "geo databases missing in $GEO (scripts/fetch-geo.sh)"

lab_init
lab_on_cleanup e2e_on_exit
lab_netns_up
lab_bpffs_up
traffic_pools "$GEO" "$LAB_TMP/pools" || e2e_skip_or_fail "no address pools from $GEO/asn-ipv4.csv"

mkdir -p "$LAB_TMP/textfile"
cat >"$LAB_TMP/fluxwall.conf" <<EOF
event_log = $LAB_TMP/events.jsonl
textfile_dir = $LAB_TMP/textfile
textfile_interval = 1s
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
max_domains = 2000
max_addresses = 4096
auto_max_per_minute = 1
EOF
# valgrind.supp: what valgrind's model of bpf() gets wrong, in libbpf and libxdp only
# shellcheck disable=SC2054 # the commas are in valgrind options
FLUX_DAEMON_WRAP=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --num-callers=30
	--suppressions="$E2E_REPO/tests/e2e/valgrind.supp")
FLUX_DAEMON_WAIT_S=60

# run_rounds FIRST LAST: one round a second, the control socket in between.
run_rounds() {
	local r
	for ((r = $1; r <= $2; r++)); do
		traffic_round "$LAB_TMP/pools" "$r" 2 |
			ip netns exec "$LAB_SRV_NS" "$INJECT" --iface "$LAB_VETH_SRV" --src "$FLUX_RES4" \
				--dst "$LAB_CLI4" --rate 2000 >/dev/null
		lab_fw explain www.shop-1.example >/dev/null 2>&1 || true
		lab_fw explain --json fluxnet-0-0.example >/dev/null 2>&1 || true
		lab_fw top </dev/null >/dev/null 2>&1 || true
		lab_fw stats --prom >/dev/null 2>&1 || true
		((r % 3)) || kill -HUP "$FLUX_DAEMON_PID" 2>/dev/null || true
		sleep 1
	done
}

# one_run NAME FIRST LAST: start under valgrind, run the rounds, stop; checks.
one_run() {
	local name=$1 log=$LAB_TMP/$1.out
	if ! flux_daemon_start "$LAB_TMP/fluxwall.conf" "$log"; then
		e2e_not_ok "$name: fluxwall run starts under valgrind" "$(tail -n 5 "$log" | tr '\n' ' ')"
		return
	fi
	e2e_ok "$name: fluxwall run starts under valgrind"
	run_rounds "$2" "$3"
	sleep 2 # the last commit and textfile
	flux_daemon_stop INT
	check_eq "$name: the daemon exits 0 under valgrind (99: memcheck found errors)" 0 \
		"$FLUX_DAEMON_RC"
	check_match "$name: memcheck counts no error" '*ERROR SUMMARY: 0 errors from 0 contexts*' \
		"$(grep 'ERROR SUMMARY' "$log" || echo none)"
	check_eq "$name: nothing definitely lost" "" \
		"$(grep -E 'definitely lost: [1-9]' "$log" || true)"
	check_eq "$name: nothing indirectly lost" "" \
		"$(grep -E 'indirectly lost: [1-9]' "$log" || true)"
	if [[ $FLUX_DAEMON_RC != 0 ]]; then
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|[0-9,]+ bytes in)' "$log" |
			head -n 5 | sed 's/^/    /'
	fi
}

one_run first 1 6
blocks=$(lab_fw block list --json | jq -r '[.[] | select(.origin == "auto") | .name] | length')
check_gt "the run auto-blocked flux domains (the commit path ran)" "$blocks" 0
check "networks.tsv was written" test -s "$LAB_STATE/networks.tsv"
check_gt "alerts were raised (refusals)" \
	"$(grep -c '"event":"alert"' "$LAB_TMP/events.jsonl" || true)" 0
one_run restarted 7 8
e2e_end
