#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: two fluxwall nodes share detections through an RPZ zone on a
# real Knot DNS primary (issue 12, docs/fleet.md).
#
# Three labs of namespaces (scripts/lab-fleet.sh): node A, the lab of
# tests/e2e/test_flux_network.sh (Knot serves flux zones, a real Unbound
# resolves them for A's client, `fluxwall run` on A's veth end publishes its
# auto-blocks); node B, a lab of its own run by a child shell (its Knot
# serves some of the same names, `fluxwall run` there subscribes to the zone
# and takes NOTIFY on 198.51.100.6:5300); and the primary, Knot in a
# namespace of its own, a veth pair to each node's client namespace, with a
# real Unbound beside it that loads the same zone as an RPZ.
#
#  1. A detects flux-one.example by its rotating answers and publishes it;
#     B blocks www.flux-one.example within 5 s of A's block (measured: A's
#     block event to the first query through B's lab that B's XDP program
#     rewrote to NXDOMAIN, the zone's "CNAME ." policy, or dropped).
#     The same for flux-two.example, which A blocks at its first answer
#     (it answers from flux-one's addresses: a flux network). The zone
#     holds flux-one's CNAMEs and A's TXT (node, score, expiry); the Unbound
#     answers NXDOMAIN for it; B's status and metrics carry the serial.
#  2. A name seeded straight into the zone with a TXT expiry a few seconds
#     ahead, by no running node, is enforced by B and let go by B when the
#     expiry passes, while the zone still lists it.
#  3. B with a wrong key: its transfer is refused, nothing is applied, an
#     rpz_error is logged, the old list stays. B restarted with the right
#     key resumes by IXFR from its serial, not by AXFR (its event log and
#     the primary's log).
#  4. A with a wrong key blocks flux-three.example: its update is refused,
#     stays queued, and status and the event log say so; restarted with
#     the right key, A publishes it.
#  5. The primary down while A blocks flux-four and flux-five and an
#     operator deletes flux-four: restarted, the primary receives the
#     queued updates in order (flux-four absent, flux-five present). With
#     another node's TXT beside A's for flux-five, A's delete of it leaves
#     that TXT and the CNAMEs in place.
#  6. flux-one's auto entry expires on A (auto_expiry 30s): it leaves A, the
#     zone and B.
#  7. 50,000 names loaded into the zone; the primary killed in the middle of
#     B's transfer of them over a slow link: B keeps its old list in force;
#     the primary restarted, B takes them all.
#
# tests/e2e/test_fleet_bind.sh runs step 1 and a delete (an operator's
# `block del` on A, which leaves the zone and B) with BIND as the primary:
# it sets FLEET_TEST_PRIMARY=bind and FLEET_TEST_MAIN_ONLY=1 and sources
# this file.
#
# FLUX_SEED=N reproduces a run's address draws (printed at the start).
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs and eval'd checks in single quotes
# shellcheck disable=SC2119 # fleet_update, flux_daemon_stop: no arguments
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PRIMARY=${FLEET_TEST_PRIMARY:-knot} # knot or bind
MAIN_ONLY=${FLEET_TEST_MAIN_ONLY:-0}
if [[ $PRIMARY == bind ]]; then
	e2e_begin "e2e fleet bind"
	e2e_require_env jq knsupdate knotc named named-checkconf unbound unbound-checkconf awk tc date
	PRIMARY_VERSION="BIND $(named -v | awk '{ print $2 }')"
else
	e2e_begin "e2e fleet"
	e2e_require_env jq knsupdate knotc knotd unbound unbound-checkconf awk tc date
	PRIMARY_VERSION="Knot $(knotd -V | awk '{ print $NF }')"
fi
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"
# shellcheck source=SCRIPTDIR/../../scripts/lab-fleet.sh
source "$E2E_REPO/scripts/lab-fleet.sh"

GEO=/var/lib/fluxwall/geo
ZONE=rpz.fleet.example
KEY=fleet
ONE=flux-one.example   # detected by A from its own answers
TWO=flux-two.example   # its siblings: blocked by A at their first answer
THREE=flux-three.example
FOUR=flux-four.example
FIVE=flux-five.example
GHOST=ghost.example    # seeded into the zone with a near expiry
LATE=late.example      # seeded while B is down
MAX_FLUX_ROUNDS=10
FLUX_TTL=2
PROPAGATION_MS=5000 # the issue's goal: detected on A, enforced on B
BIG=50000
SEED=${FLUX_SEED:-$((RANDOM * 32768 + RANDOM))}

e2e_geo_ensure "$GEO"

# --- helpers ----------------------------------------------------------------------
iso_ms() { date -d "$1" +%s%3N; } # ISO 8601 time -> ms since the epoch
iso_s() { date -d "$1" +%s; }

# await MS CMD...: run CMD every 100 ms until it succeeds; status 1 after MS.
await() {
	local deadline=$(($(lab_ms) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		(($(lab_ms) < deadline)) || return 1
		sleep 0.1
	done
}

# events FILE JQ_FILTER: the matching events of an event log, one a line.
events() {
	jq -c "select($2)" "$1" 2>/dev/null || true
}

# b_fw ARGS...: fluxwall on node B (its lab's pins and state dir).
b_fw() { fleet_on B lab_fw "$@"; }

# entry FW NAME FIELD: FIELD of NAME's block entry with source ZONE on the
# node FW (lab_fw or b_fw), its subtree entry if it has one (an RPZ name
# with its wildcard is two entries: exact and subtree), "absent" when there
# is none.
entry() {
	"$1" block list --json 2>/dev/null | jq -r --arg n "$2" --arg z "$ZONE" --arg f "$3" \
		'[.[] | select(.name == $n and .source == $z)] | sort_by(.match != "subtree") |
			[.[] | .[$f]] | first // "absent"'
}
b_has() { [[ $(entry b_fw "$1" name) != absent ]]; }
b_lacks() { [[ $(entry b_fw "$1" name) == absent ]]; }

# zone_owner OWNER TYPE: the records of OWNER (relative to the zone) and
# TYPE the zone holds, one rdata a line; status 1 when the AXFR failed.
zone_owner() {
	local recs
	recs=$(fleet_zone_records) || return 1
	awk -v o="$1.$ZONE." -v t="$2" '$1 == o && $3 == t {
		$1 = $2 = $3 = ""; sub(/^ +/, ""); print }' <<<"$recs"
}
zone_lists() { [[ $(zone_owner "$1" CNAME) == . && $(zone_owner "*.$1" CNAME) == . ]]; }
zone_lacks() { # NAME: no CNAME nor TXT of NAME (and the zone could be read)
	local a b c
	a=$(zone_owner "$1" CNAME) && b=$(zone_owner "*.$1" CNAME) &&
		c=$(zone_owner "$1._fluxwall" TXT) && [[ -z $a$b$c ]]
}

# b_query NAME: the client of B's lab asks B's Knot; sets LAB_R.
b_query() {
	local out
	out=$(ip netns exec "$B_CLI_NS" kdig @"$LAB_SRV4" "$1" A +timeout=1 +retry=0 2>&1) || true
	lab_result "$out" A
}
# b_blocked NAME: B's XDP program stops the answer: it rewrites it to
# NXDOMAIN (the RPZ action "CNAME .") or drops it.
b_blocked() { b_query "$1" && [[ $LAB_R == NXDOMAIN || $LAB_R == TIMEOUT ]]; }
b_answered() { b_query "$1" && [[ $LAB_R == NOERROR\ * ]]; }

# status_line FW PATTERN: the first line of FW status matching PATTERN.
status_line() { "$1" status 2>/dev/null | grep -m 1 -E "$2" || true; }
queued() { # FW: updates queued for the primary, from status
	status_line "$1" 'updates queued' | grep -oE '[0-9]+ updates queued' | awk '{ print $1 }'
}
b_serial() { # B's serial of the zone, from status
	status_line b_fw "rpz $ZONE serial" | sed -n "s/.*rpz ${ZONE//./\\.} serial \([0-9]*\).*/\1/p"
}
b_serial_is() { [[ $(b_serial) == "$1" ]]; }
prom_value() { # FILE METRIC_WITH_LABELS
	awk -v m="$2" '$1 == m { v = $2 } END { print (v == "" ? "missing" : v) }' "$1" 2>/dev/null ||
		echo missing
}
# knot_xfrs KIND: the primary's log lines of transfers of KIND (AXFR or
# IXFR) to node B that started.
knot_xfrs() {
	grep -E "\] $1, outgoing, remote ${FLEET_NODE4[B]//./\\.}@[0-9]+, started" "$FLEET_LOG" || true
}

# pool_window START N: N addresses of the flux pool from index START on.
pool_window() {
	local i out=()
	for ((i = 0; i < $2; i++)); do
		out+=("${POOL[($1 + i) % ${#POOL[@]}]}")
	done
	echo "${out[*]}"
}
# await_auto NAME: up to 3 s for NAME's auto entry on A.
await_auto_a() { await 3000 test "$(flux_auto_entry "$1" name)" != absent; }

# sibling DOMAIN SET...: serve SET as www.DOMAIN in A's lab and have A's
# client ask once: A blocks DOMAIN at that response (its flux network).
sibling() {
	local d=$1
	shift
	flux_rrset_replace "$d" "www.$d" "$FLUX_TTL" A "$@"
	flux_rquery "www.$d" A
	await_auto_a "$d"
}

# conf_a KEYS_FILE, conf_b KEYS_FILE: the nodes' fluxwall.conf on stdout.
conf_a() {
	cat <<EOF
event_log = $A_EVENTS
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
auto_expiry = 30s
node_name = node-a
fleet_keys = $1
publish_zone = $ZONE
publish_primary = ${FLEET_PRI4[A]}:53
publish_key = $KEY
EOF
}
conf_b() {
	cat <<EOF
event_log = $B_EVENTS
textfile_dir = $B_TEXTFILE
textfile_interval = 1s
auto_block = false
geo_asn_db =
geo_country_db =
geo_city_db =
node_name = node-b
fleet_keys = $1
subscribe = $ZONE@${FLEET_PRI4[B]}:53/$KEY
notify_listen = ${FLEET_NODE4[B]}:5300
subscribe_refresh_max = 60s
EOF
}
# keys_file PATH SECRET: a fleet_keys file with the one key, mode 600.
keys_file() {
	(
		umask 077
		printf '# the fleet key\n%s\n' "$(fleet_keys_line "$KEY" "$2")" >"$1"
	)
}

b_start() { # CONF LOG: fluxwall run on B; status 1 when it did not start
	fleet_on B flux_daemon_start "$1" "$2"
}
b_stop() { fleet_on B flux_daemon_stop; }

# block_watch NAME: in the background, B's client asks for www.NAME every
# 50 ms (2.5 minutes at most); the time the first query that was blocked
# (NXDOMAIN or no answer) was sent goes to $FLEET_TMP/blocked-NAME. Sets
# WATCH_PID.
WATCH_PID=
block_watch() {
	local name=$1
	(
		deadline=$(($(lab_ms) + 150000))
		while (($(lab_ms) < deadline)); do
			t=$(lab_ms)
			ans=$(ip netns exec "$B_CLI_NS" kdig @"$LAB_SRV4" "www.$name" A +timeout=1 +retry=0 2>&1) || true
			if ! grep -q 'status: NOERROR' <<<"$ans"; then
				echo "$t" >"$FLEET_TMP/blocked-$name"
				exit 0
			fi
			sleep 0.05
		done
	) &
	WATCH_PID=$!
}
block_watch_stop() {
	[[ -n $WATCH_PID ]] && fleet_stop_pid "$WATCH_PID"
	WATCH_PID=
}

# propagation NAME: after A blocked NAME (with block_watch NAME running):
# wait up to 10 s for B to list and block it, print the times from A's
# block event (A's publish event, B's rpz_apply event, B's first blocked
# query) and check the block came within PROPAGATION_MS.
propagation() {
	local name=$1 blk blk_ms pub apply list_ms block_ms pub_ms apply_ms
	blk=$(events "$A_EVENTS" ".event == \"block\" and .name == \"$name\"" | head -n 1)
	blk_ms=$(iso_ms "$(jq -r .ts <<<"$blk")")
	await 10000 b_has "$name" || true
	list_ms=$(lab_ms)
	await 10000 test -s "$FLEET_TMP/blocked-$name" || true
	block_watch_stop
	pub=$(events "$A_EVENTS" ".event == \"rpz_publish\" and .name == \"$name\" and .op == \"add\"" |
		head -n 1)
	apply=$(events "$B_EVENTS" '.event == "rpz_apply" and .added > 0' | while read -r e; do
		(($(iso_ms "$(jq -r .ts <<<"$e")") >= blk_ms)) && { echo "$e"; break; }
	done || true)
	pub_ms=never apply_ms=never block_ms=never
	[[ -n $pub ]] && pub_ms=$(($(iso_ms "$(jq -r .ts <<<"$pub")") - blk_ms))
	[[ -n $apply ]] && apply_ms=$(($(iso_ms "$(jq -r .ts <<<"$apply")") - blk_ms))
	[[ -s $FLEET_TMP/blocked-$name ]] && block_ms=$(($(cat "$FLEET_TMP/blocked-$name") - blk_ms))
	echo "propagation of $name from A's block event: published +$pub_ms ms," \
		"applied on B +$apply_ms ms ($(jq -r '"\(.kind) to serial \(.serial), \(.added) added"' \
		<<<"${apply:-null}" 2>/dev/null)), first query blocked on B +$block_ms ms," \
		"listed on B (as this script saw it) +$((list_ms - blk_ms)) ms"
	if [[ $block_ms != never ]] && ((block_ms <= PROPAGATION_MS)); then
		e2e_ok "node B blocks www.$name $block_ms ms after A did (goal: $PROPAGATION_MS ms)"
	else
		e2e_not_ok "node B blocks www.$name within $PROPAGATION_MS ms of A's block" "after $block_ms ms"
	fi
}

# --- the labs ---------------------------------------------------------------------
T0=$SECONDS
lab_init
lab_on_cleanup e2e_on_exit
lab_up
fleet_init
fleet_link A "$LAB_CLI_NS"
fleet_node_add B
B_CLI_NS=$(fleet_node_var B LAB_CLI_NS)
echo "node A: lab $LAB_ID; node B: lab $(fleet_node_var B LAB_ID); primary: $FLEET_NS; seed $SEED"

SECRET=$(fleet_secret)
KEYS=$FLEET_TMP/fleet.keys
BAD_KEYS=$FLEET_TMP/wrong.keys
keys_file "$KEYS" "$SECRET"
keys_file "$BAD_KEYS" "$(fleet_secret)" # the key's name, another secret
fleet_primary_up "$PRIMARY" "$ZONE" "$KEY" "$SECRET" "${FLEET_NODE4[B]}@5300" "$FLEET_UNBOUND_NOTIFY"
fleet_unbound_up "www.$ONE" 192.0.2.71 www.unlisted.example 192.0.2.79
e2e_ok "$PRIMARY_VERSION serves $ZONE in $FLEET_NS; Unbound loads it as an RPZ"

# The lab itself: signed updates in, unsigned and wrongly signed ones out.
lab_upd() { # KEYLINE
	ip netns exec "$LAB_CLI_NS" knsupdate -t 2 -r 0 ${1:+-y "$1"} <<EOF
server ${FLEET_PRI4[A]} 53
zone $ZONE.
update add probe.$ZONE. 60 TXT "lab"
send
EOF
}
check "lab: an update with the fleet key from A's namespace is taken" \
	lab_upd "$(fleet_keys_line "$KEY" "$SECRET")"
if lab_upd "" >/dev/null 2>&1; then
	e2e_not_ok "lab: an unsigned update is refused"
else
	e2e_ok "lab: an unsigned update is refused"
fi
fleet_update <<<"update delete probe.$ZONE."

# A's lab: the flux domains and the resolver (the lab of test_flux_network.sh).
POOL_RES=$LAB_TMP/pool-residential
check "residential ISP ranges of ${#FLUX_ISP_ASNS[@]} ASNs found" \
	flux_pool "$GEO/asn-ipv4.csv" "$POOL_RES" "${FLUX_ISP_ASNS[@]}"
read -ra POOL <<<"$({
	flux_draw "$POOL_RES" 16 "$SEED"
	flux_draw "$POOL_RES" 16 $((SEED + 1))
} | awk '!seen[$1]++ { print $1 }' | xargs)"
one_set() { pool_window $((7 * ($1 - 1))) $((8 + ($1 + SEED) % 3)); }
for ip in $(one_set 1); do echo "www $FLUX_TTL A $ip"; done | flux_zone_add "$ONE"
for d in "$TWO" "$THREE" "$FOUR" "$FIVE"; do
	echo "www $FLUX_TTL A 198.51.100.200" | flux_zone_add "$d"
done
flux_unbound_start "$ONE" "$TWO" "$THREE" "$FOUR" "$FIVE"
# B's lab: its Knot answers for the names B will be told to block.
for d in "$ONE" "$TWO" "$GHOST" "$LATE"; do
	printf 'www 60 A %s\n' "$(pool_window 0 1)" | fleet_on_in B flux_zone_add "$d"
done
check "node B's client resolves www.$ONE and www.$GHOST through its own lab" \
	eval 'b_answered "www.$ONE" && b_answered "www.$GHOST"'

# --- the daemons ------------------------------------------------------------------
A_EVENTS=$FLEET_TMP/a-events.jsonl
B_EVENTS=$FLEET_TMP/b-events.jsonl
B_TEXTFILE=$FLEET_TMP/b-textfile
mkdir -p "$B_TEXTFILE"
conf_a "$KEYS" >"$FLEET_TMP/a.conf"
conf_a "$BAD_KEYS" >"$FLEET_TMP/a-wrong.conf"
conf_b "$KEYS" >"$FLEET_TMP/b.conf"
conf_b "$BAD_KEYS" >"$FLEET_TMP/b-wrong.conf"
e2e_daemon_up "$FLEET_TMP/a.conf" "$FLEET_TMP/a.out"
if b_start "$FLEET_TMP/b.conf" "$FLEET_TMP/b.out"; then
	e2e_ok "node B: fluxwall run is running, subscribed to $ZONE"
else
	e2e_not_ok "node B: fluxwall run is running" "$(tr '\n' ' ' <"$FLEET_TMP/b.out")"
	e2e_end
	exit 1
fi
SERIAL=$(fleet_serial)
check "node B: first transfer of $ZONE is an AXFR, applied (serial $SERIAL)" \
	await 5000 eval '[[ -n $(events "$B_EVENTS" ".event == \"rpz_apply\" and .kind == \"axfr\" and .zone == \"$ZONE\"") ]]'

# --- 1. A detects flux-one, then flux-two; B enforces them ----------------------------
block_watch "$ONE"
lab_on_cleanup block_watch_stop
blocked_round=
for ((r = 1; r <= MAX_FLUX_ROUNDS; r++)); do
	if ((r > 1)); then
		# shellcheck disable=SC2046
		flux_rrset_replace "$ONE" "www.$ONE" "$FLUX_TTL" A $(one_set "$r")
		sleep 1.5 # most of the resolver's 2 s cache; flux_await_set waits out the rest
	fi
	flux_await_set "www.$ONE" "$(e2e_sorted "$(one_set "$r")")" || true
	ONE_LAST=$(one_set "$r")
	sleep 0.4 # the daemon acts within its 200 ms poll
	if [[ $(flux_auto_entry "$ONE" name) != absent ]]; then
		blocked_round=$r
		break
	fi
done
if [[ -z $blocked_round ]]; then
	e2e_not_ok "node A: $ONE auto-blocked within $MAX_FLUX_ROUNDS rounds" \
		"$(lab_fw explain "$ONE" 2>&1 | tr '\n' ' ' | cut -c1-600)"
	e2e_end
	exit 1
fi
e2e_ok "node A: $ONE auto-blocked on its own answers (round $blocked_round, $((SECONDS - T0)) s in)"
propagation "$ONE"
if [[ $PRIMARY == knot ]]; then # Knot logs each NOTIFY answered (it sends it over TCP)
	check "the primary's NOTIFY to node B (${FLEET_NODE4[B]}@5300) is answered" \
		grep -qE "notify, outgoing, remote ${FLEET_NODE4[B]//./\\.}@5300, serial" "$FLEET_LOG"
else # BIND logs each round of NOTIFY (over UDP), and a NOTIFY that failed
	check "the primary sends NOTIFY at each change, and none to node B failed" \
		eval 'grep -q "sending notifies" "$FLEET_LOG" &&
			! grep -q "notify to ${FLEET_NODE4[B]}#5300 failed" "$FLEET_LOG"'
fi

# Siblings: answers from flux-one's addresses (as in test_flux_network.sh).
# A blocks each at its first answer once flux-one's network is flux; the
# network is saved (networks.tsv) once it has two domains, so flux-two
# comes before any restart of A.
read -ra last <<<"$ONE_LAST"
TWO_SET="${last[*]: -5} $(pool_window $((7 * (blocked_round - 1) + ${#last[@]})) 3)"
THREE_SET="$(pool_window 3 4) ${last[*]:0:4}"
FOUR_SET="${TWO_SET% * * *} $(pool_window 0 3)"
FIVE_SET="$(pool_window 12 4) ${last[*]:1:4}"
block_watch "$TWO"
# shellcheck disable=SC2086
check "node A blocks $TWO at its first answer (a sibling of $ONE)" sibling "$TWO" $TWO_SET
propagation "$TWO"

# What the zone holds.
check "zone: $ONE.$ZONE CNAME . and *.$ONE.$ZONE CNAME ." zone_lists "$ONE"
TXT=$(zone_owner "$ONE._fluxwall" TXT)
echo "zone: $ONE._fluxwall.$ZONE TXT $TXT"
check_eq "zone: one TXT record at $ONE._fluxwall.$ZONE" 1 "$(grep -c . <<<"$TXT")"
A_EXP=$(iso_s "$(flux_auto_entry "$ONE" expires)" 2>/dev/null || echo none)
check "zone: the TXT names node-a, match subtree, a score and A's expiry ($A_EXP)" \
	eval 'grep -q "\"node=node-a\"" <<<"$TXT" && grep -q "\"match=subtree\"" <<<"$TXT" &&
		grep -qE "\"score=[0-9.]+\"" <<<"$TXT" && grep -q "\"expires=$A_EXP\"" <<<"$TXT"'
check_eq "node B: $ONE is a feed entry with source $ZONE, subtree, nxdomain" "feed subtree nxdomain" \
	"$(entry b_fw "$ONE" origin) $(entry b_fw "$ONE" match) $(entry b_fw "$ONE" action)"
B_EXP=$(entry b_fw "$ONE" expires)
check_eq "node B: the entry carries A's expiry" "$A_EXP" "$(iso_s "$B_EXP" 2>/dev/null || echo "$B_EXP")"

# The same zone in a real Unbound.
SERIAL=$(fleet_serial)
await 5000 eval '[[ $(fleet_unbound_serial) == "$SERIAL" ]]' || true
fleet_rquery "www.$ONE"
check_eq "Unbound with the zone as an RPZ: www.$ONE is NXDOMAIN" NXDOMAIN "$LAB_R"
fleet_rquery www.unlisted.example
check_eq "Unbound: www.unlisted.example (not listed) resolves" "NOERROR 192.0.2.79" "$LAB_R"
check "Unbound logged the policy: rpz: applied [fleet] *.$ONE. rpz-nxdomain" \
	grep -q "rpz: applied \[fleet\] \*\.$ONE\. rpz-nxdomain" "$FLEET_TMP/unbound/unbound.log"

# B's status and metrics.
await 3000 b_serial_is "$SERIAL" || true
check_match "node B: status shows the zone's serial" "*rpz $ZONE serial $SERIAL*" \
	"$(status_line b_fw "rpz $ZONE")"
sleep 1.1 # textfile_interval
check_eq "node B: fluxwall_rpz_serial{zone=\"$ZONE\"}" "$SERIAL" \
	"$(prom_value "$B_TEXTFILE/fluxwall.prom" "fluxwall_rpz_serial{zone=\"$ZONE\"}")"
check_gt "node B: fluxwall_rpz_transfers_total{kind=\"axfr\"} counts the first transfer" \
	"$(prom_value "$B_TEXTFILE/fluxwall.prom" "fluxwall_rpz_transfers_total{zone=\"$ZONE\",kind=\"axfr\"}")" 0
check_gt "node B: fluxwall_rpz_transfers_total{kind=\"ixfr\"} counts the changes" \
	"$(prom_value "$B_TEXTFILE/fluxwall.prom" "fluxwall_rpz_transfers_total{zone=\"$ZONE\",kind=\"ixfr\"}")" 0

# --- BIND: the delete, and the end ------------------------------------------------------
if ((MAIN_ONLY)); then
	SERIAL=$(fleet_serial)
	t0=$(lab_ms)
	check "an operator deletes $ONE on A" lab_fw block del "$ONE"
	check "zone: $ONE's CNAMEs and A's TXT removed" await 5000 zone_lacks "$ONE"
	check "node A: rpz_publish event for $ONE (del)" \
		eval '[[ -n $(events "$A_EVENTS" ".event == \"rpz_publish\" and .name == \"$ONE\" and .op == \"del\"") ]]'
	if await $PROPAGATION_MS eval 'b_lacks "$ONE" && b_answered "www.$ONE"'; then
		e2e_ok "node B lets $ONE go $(($(lab_ms) - t0)) ms after the block del on A (goal: $PROPAGATION_MS ms)"
	else
		e2e_not_ok "node B lets $ONE go within $PROPAGATION_MS ms of the block del on A" \
			"B lists: $(entry b_fw "$ONE" name); www.$ONE: $LAB_R"
	fi
	check "$TWO stays listed in the zone and on B" eval 'zone_lists "$TWO" && b_has "$TWO"'
	await 5000 eval '[[ $(fleet_unbound_serial) == "$(fleet_serial)" ]]' || true
	fleet_rquery "www.$ONE"
	check_eq "Unbound: www.$ONE resolves again" "NOERROR 192.0.2.71" "$LAB_R"
	check "node B took every change by IXFR after its first AXFR" \
		eval '[[ -z $(events "$B_EVENTS" ".event == \"rpz_apply\" and .kind == \"axfr\"" | tail -n +2) ]]'
	echo "total $((SECONDS - T0)) s"
	e2e_end
	exit
fi

# --- 2. a TXT expiry that no node keeps ------------------------------------------------
GHOST_EXP=$(($(date +%s) + 5))
fleet_update <<EOF
update add $GHOST.$ZONE. 60 CNAME .
update add *.$GHOST.$ZONE. 60 CNAME .
update add $GHOST._fluxwall.$ZONE. 60 TXT "node=node-gone" "match=subtree" "score=0.9" "expires=$GHOST_EXP" "reason=seeded"
EOF
ghost_seen=0
if await 4000 b_blocked "www.$GHOST"; then
	# shellcheck disable=SC2034 # read in the eval below
	ghost_seen=1
	e2e_ok "node B enforces $GHOST, seeded by a node that is gone (expires in 5 s)"
else
	e2e_not_ok "node B enforces $GHOST, seeded by a node that is gone (expires in 5 s)"
fi
await 10000 b_lacks "$GHOST" || true
late_s=$(($(date +%s) - GHOST_EXP))
check "node B lets $GHOST go once its TXT expiry passed (${late_s} s after it)" \
	eval '((ghost_seen)) && b_lacks "$GHOST" && ((late_s >= 0)) && b_answered "www.$GHOST"'
check "... while the zone still lists it" zone_lists "$GHOST"

# --- 3. B: a wrong key, then a restart that resumes by IXFR ---------------------------
B_SERIAL=$(b_serial)
b_stop
AXFRS=$(knot_xfrs AXFR | wc -l)
fleet_update <<EOF
update add $LATE.$ZONE. 60 CNAME .
update add *.$LATE.$ZONE. 60 CNAME .
update add $LATE._fluxwall.$ZONE. 60 TXT "node=node-gone" "match=subtree" "score=0.9" "expires=$(($(date +%s) + 3600))" "reason=seeded"
EOF
ERRS0=$(events "$B_EVENTS" '.event == "rpz_error"' | wc -l)
APPLIES0=$(events "$B_EVENTS" '.event == "rpz_apply"' | wc -l)
if b_start "$FLEET_TMP/b-wrong.conf" "$FLEET_TMP/b-wrong.out"; then
	e2e_ok "node B with a wrong key starts"
	await 6000 eval '(($(events "$B_EVENTS" ".event == \"rpz_error\"" | wc -l) > ERRS0))' || true
	err=$(events "$B_EVENTS" '.event == "rpz_error"' | tail -n +$((ERRS0 + 1)) | head -n 1)
	echo "node B, wrong key: $err"
	grep -E "remote ${FLEET_NODE4[B]//./\\.}.*(TSIG|denied|BADSIG|BADKEY)" "$FLEET_LOG" | tail -n 1 | sed 's/^/  primary: /' || true
	check "node B, wrong key: rpz_error for $ZONE in the event log" \
		jq -en --argjson e "${err:-null}" --arg z "$ZONE" '$e.zone == $z and ($e.error | length) > 0'
	check_eq "node B, wrong key: nothing applied" "$APPLIES0" "$(events "$B_EVENTS" '.event == "rpz_apply"' | wc -l)"
	check "node B, wrong key: $LATE not listed, $ONE still is, the serial still $B_SERIAL" \
		eval 'b_lacks "$LATE" && b_has "$ONE" && b_serial_is "$B_SERIAL"'
else
	e2e_not_ok "node B with a wrong key starts" "$(tr '\n' ' ' <"$FLEET_TMP/b-wrong.out")"
fi
b_stop
if b_start "$FLEET_TMP/b.conf" "$FLEET_TMP/b2.out"; then
	e2e_ok "node B restarted with the right key"
else
	e2e_not_ok "node B restarted with the right key" "$(tr '\n' ' ' <"$FLEET_TMP/b2.out")"
fi
check "node B after the restart: $LATE listed" await 6000 b_has "$LATE"
apply=$(events "$B_EVENTS" '.event == "rpz_apply"' | tail -n +$((APPLIES0 + 1)) | head -n 1)
echo "node B's first transfer after the restart: $apply"
check_eq "node B resumed by IXFR from serial $B_SERIAL (event log)" ixfr "$(jq -r '.kind' <<<"${apply:-null}")"
check_eq "the primary sent B no AXFR since (its log)" "$AXFRS" "$(knot_xfrs AXFR | wc -l)"
check "the primary's log: an IXFR to B from serial $B_SERIAL" \
	eval 'knot_xfrs IXFR | grep -q "serial $B_SERIAL -> "'

# --- 4. A: a wrong key ------------------------------------------------------------------
flux_daemon_stop
SERIAL=$(fleet_serial)
A_ERRS0=$(events "$A_EVENTS" '.event == "rpz_error"' | wc -l)
e2e_daemon_up "$FLEET_TMP/a-wrong.conf" "$FLEET_TMP/a-wrong.out"
# shellcheck disable=SC2086
check "node A (wrong key) blocks $THREE at its first answer" sibling "$THREE" $THREE_SET
await 5000 eval '(($(events "$A_EVENTS" ".event == \"rpz_error\"" | wc -l) > A_ERRS0))' || true
err=$(events "$A_EVENTS" '.event == "rpz_error"' | tail -n +$((A_ERRS0 + 1)) | head -n 1)
echo "node A, wrong key: $err"
grep -E 'DDNS|TSIG|denied' "$FLEET_LOG" | tail -n 1 | sed 's/^/  primary: /' || true
check "node A, wrong key: rpz_error for $ZONE in the event log" \
	jq -en --argjson e "${err:-null}" --arg z "$ZONE" '$e.zone == $z and ($e.error | length) > 0'
check_gt "node A, wrong key: status shows the update queued" "$(queued lab_fw || echo 0)" 0
check "node A, wrong key: the queue is in the state directory ($LAB_STATE/fleet)" \
	eval '[[ -n $(ls -A "$LAB_STATE/fleet" 2>/dev/null) ]]'
check "node A, wrong key: the zone did not change (serial $SERIAL, no $THREE)" \
	eval '[[ $(fleet_serial) == "$SERIAL" ]] && zone_lacks "$THREE"'
flux_daemon_stop
e2e_daemon_up "$FLEET_TMP/a.conf" "$FLEET_TMP/a2.out"
check "node A with the right key publishes the queued $THREE" await 5000 zone_lists "$THREE"
check "node A: nothing left queued" await 3000 eval '[[ $(queued lab_fw) == 0 ]]'
check "node A: rpz_publish event for $THREE (add)" \
	eval '[[ -n $(events "$A_EVENTS" ".event == \"rpz_publish\" and .name == \"$THREE\" and .op == \"add\"") ]]'
check "node B blocks $THREE" await 6000 b_has "$THREE"

# --- 5. the primary down: updates queue, and arrive in order ---------------------------
fleet_primary_kill
# shellcheck disable=SC2086
check "node A blocks $FOUR while the primary is down" sibling "$FOUR" $FOUR_SET
# shellcheck disable=SC2086
check "node A blocks $FIVE while the primary is down" sibling "$FIVE" $FIVE_SET
check "an operator deletes $FOUR on A" lab_fw block del "$FOUR"
check "node A: three updates queued (add $FOUR, add $FIVE, del $FOUR)" \
	await 4000 eval '(($(queued lab_fw) >= 3))'
echo "node A status: $(status_line lab_fw 'updates queued')"
fleet_primary_start
check "the restarted primary receives A's queue (nothing left queued within 10 s)" \
	await 10000 eval '[[ $(queued lab_fw) == 0 ]]'
check "zone: $FIVE listed, with A's TXT" \
	eval 'zone_lists "$FIVE" && zone_owner "$FIVE._fluxwall" TXT | grep -q "\"node=node-a\""'
check "zone: $FOUR absent (its delete came after its add)" zone_lacks "$FOUR"
check "node B blocks $FIVE and not $FOUR" await 6000 eval 'b_has "$FIVE" && b_lacks "$FOUR"'

# Two publishers of one name: another node's TXT for flux-five; A's delete
# takes A's TXT only, and the CNAMEs stay for the other node.
fleet_update <<EOF
update add $FIVE._fluxwall.$ZONE. 60 TXT "node=node-c" "match=subtree" "score=99" "expires=$(($(date +%s) + 3600))" "reason=seeded"
EOF
check "an operator deletes $FIVE on A, which node-c publishes too" lab_fw block del "$FIVE"
await 5000 eval '! zone_owner "$FIVE._fluxwall" TXT | grep -q "\"node=node-a\""' || true
check "zone: A's TXT for $FIVE removed, node-c's TXT and the CNAMEs kept" \
	eval '! zone_owner "$FIVE._fluxwall" TXT | grep -q "\"node=node-a\"" &&
		zone_owner "$FIVE._fluxwall" TXT | grep -q "\"node=node-c\"" && zone_lists "$FIVE"'
check "node B still blocks $FIVE" eval 'sleep 1; b_has "$FIVE"'

# --- 6. expiry of flux-one -------------------------------------------------------------
echo "waiting for $ONE's auto entry to expire at $(date -u -d "@$A_EXP" +%T) ($((A_EXP - $(date +%s))) s)"
wait_s=$((A_EXP - $(date +%s) + 20))
await $((wait_s > 1 ? 1000 * wait_s : 1000)) eval '[[ $(flux_auto_entry "$ONE" name) == absent ]]' || true
check_eq "node A: $ONE expired" absent "$(flux_auto_entry "$ONE" name)"
check "zone: $ONE's CNAMEs and TXT removed" await 5000 zone_lacks "$ONE"
check "node B: $ONE gone, www.$ONE resolves again" \
	await 6000 eval 'b_lacks "$ONE" && b_answered "www.$ONE"'
check "node A: rpz_publish event for $ONE (del)" \
	eval '[[ -n $(events "$A_EVENTS" ".event == \"rpz_publish\" and .name == \"$ONE\" and .op == \"del\"") ]]'

# --- 7. the primary killed in the middle of a big transfer ----------------------------
flux_daemon_stop # A is done: from here on only this script changes the zone
SERIAL=$(fleet_serial)
check "node B is up to date (serial $SERIAL) before the big change" await 10000 b_serial_is "$SERIAL"
B_SERIAL=$(b_serial)
APPLIES0=$(events "$B_EVENTS" '.event == "rpz_apply"' | wc -l)
ERRS0=$(events "$B_EVENTS" '.event == "rpz_error"' | wc -l)
for ((i = 0; i < BIG; i++)); do
	printf 'big%05d.example 60 CNAME .\n' "$i"
done >"$FLEET_TMP/big.zone"
fleet_primary_slow B 2mbit
fleet_zone_load "$FLEET_TMP/big.zone"
BIG_SERIAL=$(fleet_serial)
echo "zone: $BIG names loaded, serial $BIG_SERIAL"
big_xfr() { knot_xfrs '(AXFR|IXFR)' | grep -E "serial ([0-9]+ -> )?$BIG_SERIAL\$"; }
if await 10000 big_xfr; then
	sleep 1
	fleet_primary_kill
	echo "primary killed during: $(big_xfr | tail -n 1)"
	e2e_ok "node B started a transfer of the big zone; the primary killed 1 s into it"
	check "node B: rpz_error for the broken transfer" \
		await 6000 eval '(($(events "$B_EVENTS" ".event == \"rpz_error\"" | wc -l) > ERRS0))'
	events "$B_EVENTS" '.event == "rpz_error"' | tail -n +$((ERRS0 + 1)) | head -n 2 | sed 's/^/  /'
	check_eq "node B: nothing applied" "$APPLIES0" "$(events "$B_EVENTS" '.event == "rpz_apply"' | wc -l)"
	check "node B: the old list in force: serial $B_SERIAL, $LATE listed and blocked, no big name" \
		eval 'b_serial_is "$B_SERIAL" && b_has "$LATE" && b_blocked "www.$LATE" && b_lacks big00000.example &&
			b_lacks big49999.example'
else
	e2e_not_ok "node B started a transfer of the big zone within 10 s"
fi
fleet_primary_slow B off
fleet_primary_start
SERIAL=$(fleet_serial)
check "node B takes the big zone once the primary is back (serial $SERIAL)" \
	await 60000 eval '[[ -n $(events "$B_EVENTS" ".event == \"rpz_apply\" and .serial == $SERIAL") ]]'
apply=$(events "$B_EVENTS" ".event == \"rpz_apply\" and .serial == $SERIAL" | head -n 1)
echo "node B's transfer of the big zone: $apply"
check_gt "node B: all $BIG names applied" "$(jq -r '.added' <<<"${apply:-null}")" $((BIG - 1))
check "node B: big00042.example is listed" b_has big00042.example
# The issue: changes are applied in time proportional to the change, not to
# the zone. One more name into the big list, against the first small IXFR.
fleet_update <<<"update add small.example.$ZONE. 60 CNAME ."
SERIAL=$(fleet_serial)
await 10000 eval '[[ -n $(events "$B_EVENTS" ".event == \"rpz_apply\" and .serial == $SERIAL") ]]' || true
small=$(events "$B_EVENTS" ".event == \"rpz_apply\" and .serial == $SERIAL" | head -n 1)
first=$(events "$B_EVENTS" '.event == "rpz_apply" and .kind == "ixfr"' | head -n 1)
echo "apply of one name: $(jq -r .apply_s <<<"${first:-null}") s into the first list," \
	"$(jq -r .apply_s <<<"${small:-null}") s into $BIG names"
check "node B applies one name into $BIG in under 50 ms (time after the change, not the zone)" \
	jq -en --argjson e "${small:-null}" '$e.added == 1 and $e.apply_s < 0.05'

echo "total $((SECONDS - T0)) s"
e2e_end
