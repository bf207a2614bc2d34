#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: `fluxwall run` finds a fast-flux domain by itself and blocks it.
#
# A real Knot DNS server (lab server namespace) serves three zones:
#   fluxnet.example   www's A RRset is replaced by dynamic update (knsupdate)
#                     every round with 5-10 fresh addresses, each from a
#                     different consumer ISP (Comcast, Deutsche Telekom,
#                     Telefonica, Orange, BT, Turk Telekom, Rostelecom,
#                     Chinanet, NTT, Telstra, Claro, ...), TTL 2 s;
#   rr-site.example   round robin: 6 addresses in one /24 of a hosting
#                     network (DigitalOcean), same set, order rotated by the
#                     resolver (rrset-roundrobin), TTL 30 s;
#   cdn-site.example  CDN-like: 4 addresses from Akamai and Fastly ranges,
#                     one replaced every other round, TTL 30 s.
# (The resolver caps every TTL at 2 s, so the benign domains' answers are
# fetched, and their churn seen, as often as the flux domain's.)
# Addresses are drawn from the real ranges of those ASNs in the
# @ip-location-db ASN CSV that scripts/fetch-geo.sh keeps next to the
# databases. A real Unbound resolver (server namespace, 192.0.2.53) stubs
# the zones to Knot with cache-max-ttl 2, so every change reaches the client
# within 2 s. fluxwall runs as a daemon (`fluxwall run`) on the client's
# veth end, with the resolver as its only trusted source.
#
# Every round the client asks for all three names. Checks: the flux domain's
# registered domain is auto-blocked by its third distinct answer set, then
# its names get no answer (drop, the default action); the block event in
# the event log carries score and evidence; `explain` says flux; the two
# benign domains resolve every round and are never blocked; the metrics
# textfile counts the auto-block; SIGINT stops the daemon with status 0 and
# the block stays enforced without it.
#
# FLUX_SEED=N reproduces a run's address draws (printed at the start).
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs in single quotes
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e flux"
e2e_require_env jq knsupdate unbound unbound-checkconf awk
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"

GEO=/var/lib/fluxwall/geo
FLUX=fluxnet.example
RR=rr-site.example
CDN=cdn-site.example
ROUNDS=12         # rounds of rotate + query; about 2.5 s each
FLUX_TTL=2
MAX_SETS=3        # the flux domain must be blocked by its third answer set
SEED=${FLUX_SEED:-$((RANDOM * 32768 + RANDOM))}

# Consumer ISPs on five continents, as a botnet of home routers is spread:
# North America (Comcast, AT&T, Rogers, Uninet), Europe (Deutsche Telekom,
# Orange, BT, Rostelecom), Asia (Chinanet, NTT, KT, BSNL), South America
# (Claro, Telecom Argentina, Telefonica Brasil) and Oceania (Telstra); at
# least 14 ASNs so every flux answer set can take each address from a
# different one.
RESIDENTIAL_ASNS=(7922 7018 812 8151 3320 3215 2856 12389 4134 4713 4766 9829 28573 7303 18881 1221)
CDN_ASNS=(20940 54113) # Akamai, Fastly
HOSTING_ASN=14061      # DigitalOcean

# --- geo data ---------------------------------------------------------------------
geo_present() {
	local f
	for f in asn.mmdb country.mmdb city.mmdb asn-ipv4.csv; do
		[[ -s $GEO/$f ]] || return 1
	done
}
if ! geo_present; then
	echo "geo databases missing in $GEO; running scripts/fetch-geo.sh" >&2
	"$E2E_REPO/scripts/fetch-geo.sh" >&2 ||
		e2e_skip_or_fail "scripts/fetch-geo.sh could not install the geo databases"
	geo_present || e2e_skip_or_fail "scripts/fetch-geo.sh left $GEO incomplete"
fi

# --- helpers ----------------------------------------------------------------------

# auto_entry NAME FIELD: FIELD of NAME's auto block entry, or "absent".
auto_entry() {
	lab_fw block list --json 2>/dev/null | jq -r --arg n "$1" --arg f "$2" \
		'[.[] | select(.name == $n and .origin == "auto") | .[$f]] | first // "absent"'
}
# listed NAME: every list entry of NAME as "list/origin" words (empty: none).
listed() {
	lab_fw block list --json 2>/dev/null | jq -r --arg n "$1" \
		'[.[] | select(.name == $n) | "\(.list)/\(.origin)"] | join(" ")'
}
counter() {
	lab_fw status --json | jq -r --arg k "$1" '.counters[$k] // "missing"'
}
# explain_field NAME JQ: from `fluxwall explain NAME --json`.
explain_field() {
	lab_fw explain "$1" --json 2>/dev/null | jq -r "$2" 2>/dev/null || echo "error"
}
prom_value() { # METRIC_WITH_LABELS: its value in the textfile, or "missing"
	awk -v m="$1" '$1 == m { v = $2 } END { print (v == "" ? "missing" : v) }' \
		"$TEXTFILE_DIR/fluxwall.prom" 2>/dev/null || echo missing
}
ips_of() { awk '{ print $1 }' <<<"$1" | xargs; } # flux_draw output -> addresses

# flux_query_set NAME WANT_SORTED: ask through the resolver until the answer
# is WANT; the resolver keeps the previous set until its TTL (capped at 2 s)
# runs out, so give it up to 4 s. Sets GOT to the last result; status 0
# when it matched, 1 on a timeout or when WANT never came.
flux_query_set() {
	local name=$1 want=$2 deadline=$(($(lab_ms) + 4000))
	while :; do
		flux_rquery "$name" A
		GOT=$LAB_R
		[[ $LAB_R == NOERROR\ * && $FLUX_SET == "$want" ]] && return 0
		[[ $LAB_R == TIMEOUT ]] && return 1
		(($(lab_ms) < deadline)) || return 1
		sleep 0.25
	done
}

DAEMON_PID=
daemon_stop() {
	[[ -z $DAEMON_PID ]] && return 0
	kill -INT "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	return 0
}

# --- the lab ----------------------------------------------------------------------
lab_init
lab_on_cleanup e2e_on_exit
lab_on_cleanup daemon_stop
lab_up
echo "lab $LAB_ID, seed $SEED (FLUX_SEED=$SEED reproduces the draws), temp $LAB_TMP"

POOL_RES=$LAB_TMP/pool-residential
POOL_CDN=$LAB_TMP/pool-cdn
POOL_HOST=$LAB_TMP/pool-hosting
check "residential ISP ranges of ${#RESIDENTIAL_ASNS[@]} ASNs found in $GEO/asn-ipv4.csv" \
	flux_pool "$GEO/asn-ipv4.csv" "$POOL_RES" "${RESIDENTIAL_ASNS[@]}"
check "CDN ranges (AS${CDN_ASNS[*]}) and hosting ranges (AS$HOSTING_ASN) found" \
	eval 'flux_pool "$GEO/asn-ipv4.csv" "$POOL_CDN" "${CDN_ASNS[@]}" &&
		flux_pool "$GEO/asn-ipv4.csv" "$POOL_HOST" "$HOSTING_ASN"'

# flux_set R: round R's flux answer (5-10 addresses, each from its own ASN).
flux_set() {
	flux_draw "$POOL_RES" $((5 + (SEED + $1) % 6)) $((SEED + 1000 * $1))
}

FLUX_DRAW=$(flux_set 1)
FLUX_CUR=$(ips_of "$FLUX_DRAW")
MAIL_A=$(flux_draw "$POOL_RES" 1 $((SEED + 7)) | awk '{ print $1 }')
# Round robin: 6 hosts of one /24 of the hosting network.
rr_net=$(flux_draw "$POOL_HOST" 1 $((SEED + 11)) | awk '{ split($1, p, "."); print p[1] "." p[2] "." p[3] }')
RR_SET=$(awk -v net="$rr_net" -v seed=$((SEED + 13)) 'BEGIN {
	srand(seed); while (n < 6) { h = 2 + int(rand() * 252); if (!(h in u)) { u[h] = 1; n++; print net "." h } } }' | xargs)
CDN_DRAW=$(flux_draw "$POOL_CDN" $((4 + 2 * ROUNDS)) $((SEED + 17)) 0)
read -ra CDN_ALL <<<"$(ips_of "$CDN_DRAW")"
CDN_CUR=("${CDN_ALL[@]:0:4}")
CDN_NEXT=4

{
	for ip in $FLUX_CUR; do echo "www $FLUX_TTL A $ip"; done
	echo "mail 60 A $MAIL_A"
} | flux_zone_add "$FLUX"
for ip in $RR_SET; do echo "www 30 A $ip"; done | flux_zone_add "$RR"
for ip in "${CDN_CUR[@]}"; do echo "www 30 A $ip"; done | flux_zone_add "$CDN"
flux_unbound_start "$FLUX" "$RR" "$CDN"
e2e_ok "Knot serves $FLUX, $RR, $CDN; Unbound on $FLUX_RES4 resolves them for the client"

echo "flux set 1: $(awk '{ printf "%s(AS%s) ", $1, $2 }' <<<"$FLUX_DRAW")"
echo "round robin: $RR_SET"
echo "cdn start: ${CDN_CUR[*]}"

# --- the daemon -------------------------------------------------------------------
TEXTFILE_DIR=$LAB_TMP/textfile
EVENTS=$LAB_TMP/events.jsonl
CONF=$LAB_TMP/fluxwall.conf
mkdir -p "$TEXTFILE_DIR"
cat >"$CONF" <<EOF
event_log = $EVENTS
textfile_dir = $TEXTFILE_DIR
textfile_interval = 1s
sample_interval = 5s
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" run --iface "$LAB_VETH_CLI" \
	--mode native --config "$CONF" </dev/null >"$LAB_TMP/daemon.out" 2>&1 &
DAEMON_PID=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'fluxwall: running' "$LAB_TMP/daemon.out" 2>/dev/null && break
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
if grep -q 'fluxwall: running' "$LAB_TMP/daemon.out"; then
	e2e_ok "fluxwall run --iface $LAB_VETH_CLI is running"
else
	e2e_not_ok "fluxwall run --iface $LAB_VETH_CLI is running" "$(tr '\n' ' ' <"$LAB_TMP/daemon.out")"
	e2e_end
	exit 1
fi
check_eq "XDP is attached natively on $LAB_VETH_CLI" native "$(lab_xdp_mode)"
check "daemon loaded the ASN, country and city databases" \
	eval 'grep -q "asn: $GEO/asn.mmdb" "$LAB_TMP/daemon.out" &&
		grep -q "country: $GEO/country.mmdb" "$LAB_TMP/daemon.out" &&
		grep -q "location: $GEO/city.mmdb" "$LAB_TMP/daemon.out"'

# --- rounds: rotate, wait out the resolver's cache, query all three -----------------
flux_sets_seen=0    # distinct flux answer sets the client (so fluxwall) received
blocked_after=      # flux_sets_seen when the auto entry first appeared
flux_bad=           # a flux answer that was neither the served set nor a timeout
rr_ok=0 rr_bad=
cdn_ok=0 cdn_bad=
cdn_sets=1
t_start=$SECONDS
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r > 1)); then
		FLUX_DRAW=$(flux_set "$r")
		FLUX_CUR=$(ips_of "$FLUX_DRAW")
		# shellcheck disable=SC2086
		flux_rrset_replace "$FLUX" "www.$FLUX" "$FLUX_TTL" A $FLUX_CUR
		if ((r % 2 == 0)); then # CDN: one edge replaced by another
			CDN_CUR=("${CDN_CUR[@]:1}" "${CDN_ALL[CDN_NEXT++]}")
			flux_rrset_replace "$CDN" "www.$CDN" 30 A "${CDN_CUR[@]}"
			cdn_sets=$((cdn_sets + 1))
		fi
		sleep 1.5 # most of the resolver's 2 s cache; flux_query_set waits out the rest
	fi
	if [[ -z $blocked_after ]]; then
		if flux_query_set "www.$FLUX" "$(e2e_sorted "$FLUX_CUR")"; then
			flux_sets_seen=$((flux_sets_seen + 1))
		elif [[ $GOT != TIMEOUT ]]; then
			flux_bad+="round $r: got '$GOT'; "
		fi
	fi
	flux_query_set "www.$RR" "$(e2e_sorted "$RR_SET")" && rr_ok=$((rr_ok + 1)) ||
		rr_bad+="round $r: '$GOT'; "
	flux_query_set "www.$CDN" "$(e2e_sorted "${CDN_CUR[*]}")" && cdn_ok=$((cdn_ok + 1)) ||
		cdn_bad+="round $r: '$GOT'; "
	if [[ -z $blocked_after ]]; then
		sleep 0.4 # the daemon commits within its 200 ms poll
		if [[ $(auto_entry "$FLUX" name) != absent ]]; then
			blocked_after=$flux_sets_seen
			echo "round $r ($((SECONDS - t_start)) s): $FLUX auto-blocked after $flux_sets_seen answer sets"
		fi
	fi
	if [[ -n $blocked_after ]]; then fl="blocked"; else fl="$(wc -w <<<"$FLUX_CUR") addresses"; fi
	printf 'round %2d at %3d s: flux %s, sets received %d; rr ok %d/%d; cdn ok %d/%d\n' \
		"$r" $((SECONDS - t_start)) "$fl" "$flux_sets_seen" "$rr_ok" "$r" "$cdn_ok" "$r"
	[[ -n $rr_bad$cdn_bad ]] && break # the lab is broken; checks below say how
done
echo "rounds done in $((SECONDS - t_start)) s"

check_eq "client received each new flux answer set until the block" "" "$flux_bad"
check_eq "$RR resolved to its 6 addresses in every round" "$ROUNDS" "$rr_ok${rr_bad:+ ($rr_bad)}"
check_eq "$CDN resolved to the served set in every round ($cdn_sets sets)" "$ROUNDS" \
	"$cdn_ok${cdn_bad:+ ($cdn_bad)}"

# --- the flux domain is blocked -----------------------------------------------------
# Not before the 2nd set (the evidence rule), by the 3rd (the issue's target).
if [[ -n $blocked_after ]] && ((blocked_after <= MAX_SETS && blocked_after >= 2)); then
	e2e_ok "$FLUX auto-blocked by its third answer set, not before its second (after $blocked_after)"
else
	e2e_not_ok "$FLUX auto-blocked by its third answer set, not before its second" \
		"blocked after '${blocked_after:-never}' of $flux_sets_seen sets seen; explain: $(lab_fw explain "$FLUX" 2>&1 | tr '\n' ' ' | cut -c1-600)"
fi
check_eq "block list: $FLUX is an auto entry with source auto" "auto subtree" \
	"$(auto_entry "$FLUX" source) $(auto_entry "$FLUX" match)"
score=$(auto_entry "$FLUX" score || true)
THRESHOLD=$("$FLUXWALL" config --defaults | awk '$1 == "score_threshold" { print $3 }')
check "block list: the auto entry carries a score >= the threshold $THRESHOLD ($score) and an expiry" \
	jq -en --arg s "$score" --argjson t "${THRESHOLD:-null}" --arg e "$(auto_entry "$FLUX" expires)" \
	'($s | tonumber) >= $t and ($e | test("^[0-9]{4}-"))'
check_eq "block list: www.$FLUX itself has no entry (the registered domain is blocked)" "" \
	"$(listed "www.$FLUX")"

flux_rquery "www.$FLUX" A
check_eq "blocked: www.$FLUX through the resolver gets no answer (drop)" TIMEOUT "$LAB_R"
flux_rquery "mail.$FLUX" A
check_eq "blocked: mail.$FLUX (same registered domain) gets no answer" TIMEOUT "$LAB_R"
check_gt "counter blocked_auto moved" "$(counter blocked_auto)" 0

# The event log: a block event with a score and evidence.
ev=$(jq -c --arg n "$FLUX" 'select(.event == "block" and .name == $n)' "$EVENTS" 2>/dev/null |
	head -n 1 || true)
echo "block event: ${ev:0:400}"
check_eq "event log: one block event for $FLUX" 1 \
	"$(jq -c --arg n "$FLUX" 'select(.event == "block" and .name == $n)' "$EVENTS" 2>/dev/null | wc -l)"
check "event log: the block event has origin auto and a score >= the threshold" \
	jq -en --argjson e "${ev:-null}" --argjson t "${THRESHOLD:-null}" \
	'$e.origin == "auto" and ($e.score | type) == "number" and $e.score >= $t'
check "event log: the block event carries evidence (addresses, ASNs)" \
	jq -en --argjson e "${ev:-null}" '($e.evidence | type) == "object" and ($e.evidence | tostring | test("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"))'

# explain
lab_fw explain "$FLUX" >"$LAB_TMP/explain-flux.txt" 2>&1 || true
sed 's/^/  | /' "$LAB_TMP/explain-flux.txt"
check_eq "explain $FLUX: verdict flux" flux "$(explain_field "$FLUX" .verdict)"
check "explain $FLUX --json: evidence lists >= 8 ASNs, all from the residential set" \
	jq -en --argjson e "$(lab_fw explain "$FLUX" --json)" --arg want " ${RESIDENTIAL_ASNS[*]} " '
		[$e.evidence.asns[].asn | tostring] as $a
		| ($a | length) >= 8 and all($a[]; . as $x | $want | contains(" " + $x + " "))'

# --- the benign domains -------------------------------------------------------------
# The negatives were really exercised: fluxwall saw the CDN's churn and the
# round robin's repeated answers.
check "explain $CDN: fluxwall saw >= 5 of its $cdn_sets answer sets, >= 6 IPs in 2 ASNs" \
	jq -en --argjson e "$(lab_fw explain "$CDN" --json)" \
	'$e.features.answer_sets >= 5 and $e.features.ips >= 6 and $e.features.asns == 2'
check "explain $RR: one answer set of 6 IPs, sampled more than once" \
	jq -en --argjson e "$(lab_fw explain "$RR" --json)" \
	'$e.features.answer_sets == 1 and $e.features.ips == 6 and $e.features.responses >= 2'
for d in "$RR" "$CDN"; do
	v=$(explain_field "$d" '"\(.verdict) \(.score)"')
	echo "explain $d: $v"
	lab_fw explain "$d" 2>&1 | grep -E '^ +(responses|IPs [0-9]|ASNs [0-9]|rotation [0-9]|total)' | sed 's/^/  | /' || true
	check_match "explain $d: not flux (verdict, score: $v)" 'not_*' "$v"
	check_eq "block list: $d has no entry" "" "$(listed "$d")"
	check_eq "event log: no event for $d" 0 \
		"$(jq -c --arg n "$d" 'select(.name == $n)' "$EVENTS" 2>/dev/null | wc -l)"
done
check_eq "event log: no alert events (rate limit, protected)" 0 \
	"$(jq -c 'select(.event == "alert")' "$EVENTS" 2>/dev/null | wc -l)"

# --- trust: a response from another source does not feed the scorer ------------------
u0=$(counter samples_untrusted || true)
lab_query "www.$RR" A # straight to Knot at $LAB_SRV4, not the resolver
check_gt "a response from $LAB_SRV4 (not a trusted resolver) is not sampled" \
	"$(counter samples_untrusted)" "$u0"

# --- metrics textfile -----------------------------------------------------------------
sleep 1.2 # textfile_interval
check_gt "textfile: fluxwall_auto_blocks_total > 0" \
	"$(prom_value fluxwall_auto_blocks_total)" 0
check_gt "textfile: fluxwall_blocked_by_reason_total{reason=\"auto\"} > 0" \
	"$(prom_value 'fluxwall_blocked_by_reason_total{reason="auto"}')" 0
check_gt "textfile: fluxwall_blocklist_entries{kind=\"auto\"} > 0" \
	"$(prom_value 'fluxwall_blocklist_entries{kind="auto"}')" 0

# --- the live view: fluxwall top on a terminal, q quits -------------------------------
TOP_OUT=$LAB_TMP/top.out
rc=0
# script(1) gives top the terminal it expects; "q" arrives after one refresh.
(sleep 1.5; printf q) | timeout 10 ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" \
	script -qfec "$FLUXWALL top" /dev/null >"$TOP_OUT" 2>&1 || rc=$?
check_eq "fluxwall top quits with q (exit 0, not the 10 s timeout)" 0 "$rc"
check "fluxwall top lists the flux domain with its score" \
	grep -qE '[0-9]+\.[0-9]+ +fluxnet\.example' "$TOP_OUT"

# --- logrotate: SIGHUP makes the daemon reopen its event log ----------------------------
mv "$EVENTS" "$EVENTS.1"
kill -HUP "$DAEMON_PID"
for ((i = 0; i < 30; i++)); do
	[[ -e $EVENTS ]] && break
	sleep 0.1
done
check "after logrotate's rename and SIGHUP the daemon opens a new $EVENTS" test -e "$EVENTS"
check "... and keeps running" kill -0 "$DAEMON_PID"
check_eq "... and the rotated file keeps the block event" 1 \
	"$(grep -c '"event":"block"' "$EVENTS.1")"

# --- SIGINT; the block outlives the daemon ---------------------------------------------
kill -INT "$DAEMON_PID"
rc=0
for ((i = 0; i < 50; i++)); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	e2e_not_ok "daemon stops within 5 s of SIGINT" "still running"
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null || true
else
	wait "$DAEMON_PID" || rc=$?
	check_eq "daemon exits with status 0 on SIGINT" 0 "$rc"
fi
DAEMON_PID=
check_eq "after the daemon stopped: XDP is still attached" native "$(lab_xdp_mode)"
check_eq "after the daemon stopped: $FLUX is still an auto entry" auto "$(auto_entry "$FLUX" source)"
flux_rquery "www.$FLUX" A
check_eq "after the daemon stopped: www.$FLUX still gets no answer" TIMEOUT "$LAB_R"
flux_rquery "www.$RR" A
check_eq "after the daemon stopped: $RR still resolves" "NOERROR $(e2e_sorted "$RR_SET")" \
	"${LAB_R%% *} $FLUX_SET"

e2e_end
