#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: `fluxwall run` groups domains that answer from the same
# addresses into a flux network, and a flux network's new domains are
# blocked at their first response, across a restart of the daemon.
#
# The lab of tests/e2e/test_flux.sh: a real Knot DNS server and a real
# Unbound resolver (cache-max-ttl 2 s) in the server namespace, kdig in the
# client namespace, `fluxwall run` on the client's veth end trusting the
# resolver. Knot serves:
#   flux-one.example ... flux-four.example   one botnet: every www answer is
#                     8-10 addresses of one pool of 32 home-router addresses
#                     (real allocations of 16 consumer ISPs on five
#                     continents, from the @ip-location-db ASN CSV), TTL 2 s;
#                     flux-one moves 7 addresses on through the pool every
#                     round, so each answer shares 1-3 bots with the one
#                     before (an answer sharing none would found a network
#                     of its own: networks never merge); its siblings answer
#                     from addresses it used;
#   shopfront.example, newsdesk.example   two customers of one CDN: each
#                     answers 2-3 of the same 4 addresses of one /24 of
#                     Fastly (one ASN, one region), rotating every round.
#
# 1. flux-one is queried every round until fluxwall blocks it. Then
#    flux-two, a domain fluxwall never saw, is queried once: fluxwall blocks
#    it on that response (its next query gets no answer, drop being the
#    default action), and `explain flux-two` names the flux network, lists
#    flux-one as its member and says the verdict stands on the network. The
#    event log's block event gives the network as the reason. flux-three,
#    queried once after that, joins a network already marked flux.
# 2. The CDN pair, queried every round, always resolves, is never blocked
#    and explains as not flux (in a network of its own if in any).
# 3. SIGKILL the daemon, start it again: flux-one stays blocked, and
#    flux-four, queried once, is blocked on its first response: the network
#    outlived the restart (the daemon keeps it in networks.tsv).
#
# Note: the response that makes fluxwall block a name is itself delivered
# (XDP matches names; the scorer decides on a copy of the response), so
# "blocked at its first response" means the name gets no answer from its
# second query on, with fluxwall having seen that one response only.
#
# FLUX_SEED=N reproduces a run's address draws (printed at the start).
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs in single quotes
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e flux network"
e2e_require_env jq knsupdate unbound unbound-checkconf awk
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"

GEO=/var/lib/fluxwall/geo
ONE=flux-one.example
TWO=flux-two.example
THREE=flux-three.example
FOUR=flux-four.example
SHOP=shopfront.example
NEWS=newsdesk.example
MAX_FLUX_ROUNDS=8 # flux-one must be blocked by then (test_flux.sh: by its 3rd set)
CDN_ROUNDS=8      # rounds the CDN pair is queried in, at the least
FLUX_TTL=2
SEED=${FLUX_SEED:-$((RANDOM * 32768 + RANDOM))}
CDN_ASN=54113 # Fastly

e2e_geo_ensure "$GEO"

# --- helpers ----------------------------------------------------------------------
listed() { # NAME: its block/allow list entries as "list/origin" words
	lab_fw block list --json 2>/dev/null | jq -r --arg n "$1" \
		'[.[] | select(.name == $n) | "\(.list)/\(.origin)"] | join(" ")'
}
explain_json() { lab_fw explain "$1" --json 2>/dev/null || echo null; }
explain_text() { lab_fw explain "$1" 2>&1 || true; }
block_events() { # NAME: its block events, one JSON object a line
	jq -c --arg n "$1" 'select(.event == "block" and .name == $n)' "$EVENTS" 2>/dev/null || true
}
# await_auto NAME: up to 3 s for NAME's auto block entry; status 1 when none.
await_auto() {
	local i
	for ((i = 0; i < 15; i++)); do
		[[ $(flux_auto_entry "$1" name) != absent ]] && return 0
		sleep 0.2
	done
	return 1
}

# pool_window START N: N addresses of the flux pool from index START on.
pool_window() {
	local i out=()
	for ((i = 0; i < $2; i++)); do
		out+=("${POOL[($1 + i) % ${#POOL[@]}]}")
	done
	echo "${out[*]}"
}

# first_response DOMAIN SET...: serve SET as www.DOMAIN, have the client
# ask once (fluxwall's only sample of DOMAIN), then once more after fluxwall
# had time to act. Sets FIRST and SECOND to the results (lab_result form).
first_response() {
	local d=$1
	shift
	flux_rrset_replace "$d" "www.$d" "$FLUX_TTL" A "$@"
	flux_rquery "www.$d" A
	FIRST=$LAB_R
	await_auto "$d" || true
	flux_rquery "www.$d" A
	SECOND=$LAB_R
	echo "$d served $*: first query -> $FIRST; second -> $SECOND"
}

# sibling_checks WHAT DOMAIN [NETWORK]: what a user sees of a sibling blocked
# through the flux network (NETWORK, when given, is its id) at its first
# response.
sibling_checks() {
	local what=$1 d=$2 net=${3:-} j txt
	check "$what: $d has an auto block entry after its one response" \
		test "$(flux_auto_entry "$d" name)" != absent
	check_eq "$what: www.$d gets no answer from its second query on (drop)" TIMEOUT "$SECOND"
	flux_rquery "mail.$d" A
	check_eq "$what: mail.$d (same registered domain) gets no answer" TIMEOUT "$LAB_R"
	txt=$LAB_TMP/explain-$d.txt
	explain_text "$d" >"$txt"
	sed 's/^/  | /' "$txt"
	check "$what: explain $d names the flux network" grep -qE '^  flux network network#[0-9]+: ' "$txt"
	check "$what: explain $d lists $ONE among the network's domains" \
		grep -qE "^    its domains:.* ${ONE//./\\.} \(blocked\)" "$txt"
	j=$(explain_json "$d")
	check_eq "$what: explain $d --json: verdict flux, evidence_basis network" "flux network" \
		"$(jq -r '"\(.verdict) \(.evidence_basis)"' <<<"$j" 2>/dev/null)"
	check "$what: explain $d --json: its network is flux and counts $ONE as a member" \
		jq -en --argjson e "$j" --arg one "$ONE" \
		'$e.network.flux == true and any($e.network.members[]; .domain == $one)'
	check_eq "$what: fluxwall saw exactly one response of $d" 1 \
		"$(jq -r '.features.responses' <<<"$j" 2>/dev/null)"
	if [[ -n $net ]]; then
		check_eq "$what: explain $d: the same network as before" "$net" \
			"$(jq -r '.network.id' <<<"$j" 2>/dev/null)"
	fi
	check "$what: the event log's block event for $d gives the flux network as the reason" \
		jq -en --argjson e "$(block_events "$d" | head -n 1 | grep . || echo null)" \
		'$e.origin == "auto" and ($e.reason | startswith("flux network network#"))'
}

# --- the lab ----------------------------------------------------------------------
lab_init
lab_on_cleanup e2e_on_exit
lab_up
T0=$SECONDS
echo "lab $LAB_ID, seed $SEED (FLUX_SEED=$SEED reproduces the draws), temp $LAB_TMP"

POOL_RES=$LAB_TMP/pool-residential
POOL_CDN=$LAB_TMP/pool-cdn
check "residential ISP ranges of ${#FLUX_ISP_ASNS[@]} ASNs and CDN ranges (AS$CDN_ASN) found" \
	eval 'flux_pool "$GEO/asn-ipv4.csv" "$POOL_RES" "${FLUX_ISP_ASNS[@]}" &&
		flux_pool "$GEO/asn-ipv4.csv" "$POOL_CDN" "$CDN_ASN"'

# The botnet: 32 addresses, two of each ISP; any window of the first or
# last 16 spans as many ISPs as it has addresses.
read -ra POOL <<<"$({
	flux_draw "$POOL_RES" 16 "$SEED"
	flux_draw "$POOL_RES" 16 $((SEED + 1))
} | awk '!seen[$1]++ { print $1 }' | xargs)"
# The CDN: 4 hosts of one /24.
cdn_net=$(flux_draw "$POOL_CDN" 1 $((SEED + 2)) | awk '{ split($1, p, "."); print p[1] "." p[2] "." p[3] }')
read -ra CDN <<<"$(awk -v net="$cdn_net" -v seed=$((SEED + 3)) 'BEGIN {
	srand(seed); while (n < 4) { h = 2 + int(rand() * 252); if (!(h in u)) { u[h] = 1; n++; print net "." h } } }' | xargs)"
echo "flux pool (${#POOL[@]}): ${POOL[*]}"
echo "cdn pool: ${CDN[*]}"

# Round R: flux-one answers 8-10 pool addresses from 7 * (R - 1) on; the
# CDN customers answer 2 or 3 of the 4 CDN hosts each.
one_set() { pool_window $((7 * ($1 - 1))) $((8 + ($1 + SEED) % 3)); }
cdn_set() { # CUSTOMER(0|1) ROUND
	local k=$(($2 + 2 * $1)) n=$((2 + ($2 + $1) % 2)) i out=()
	for ((i = 0; i < n; i++)); do out+=("${CDN[(k + i) % 4]}"); done
	echo "${out[*]}"
}

for ip in $(one_set 1); do echo "www $FLUX_TTL A $ip"; done | flux_zone_add "$ONE"
for d in "$TWO" "$THREE" "$FOUR"; do # served once queried; nothing asks before
	echo "www $FLUX_TTL A 198.51.100.1" | flux_zone_add "$d"
done
for ip in $(cdn_set 0 1); do echo "www 30 A $ip"; done | flux_zone_add "$SHOP"
for ip in $(cdn_set 1 1); do echo "www 30 A $ip"; done | flux_zone_add "$NEWS"
flux_unbound_start "$ONE" "$TWO" "$THREE" "$FOUR" "$SHOP" "$NEWS"
e2e_ok "Knot serves 6 zones; Unbound on $FLUX_RES4 resolves them for the client"

# --- the daemon -------------------------------------------------------------------
EVENTS=$LAB_TMP/events.jsonl
CONF=$LAB_TMP/fluxwall.conf
cat >"$CONF" <<EOF
event_log = $EVENTS
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
if flux_daemon_start "$CONF" "$LAB_TMP/daemon.out"; then
	e2e_ok "fluxwall run --iface $LAB_VETH_CLI is running"
else
	e2e_not_ok "fluxwall run --iface $LAB_VETH_CLI is running" "$(tr '\n' ' ' <"$LAB_TMP/daemon.out")"
	e2e_end
	exit 1
fi

# --- 1a. rounds: flux-one rotates until blocked; the CDN pair rotates ----------------
blocked_round='' one_bad='' one_last='' one_last_round=1
shop_ok=0 news_ok=0 cdn_bad=
t_start=$SECONDS
for ((r = 1; r <= MAX_FLUX_ROUNDS || r <= CDN_ROUNDS; r++)); do
	if ((r > 1)); then
		# shellcheck disable=SC2046
		[[ -z $blocked_round ]] && flux_rrset_replace "$ONE" "www.$ONE" "$FLUX_TTL" A $(one_set "$r")
		# shellcheck disable=SC2046
		flux_rrset_replace "$SHOP" "www.$SHOP" 30 A $(cdn_set 0 "$r")
		# shellcheck disable=SC2046
		flux_rrset_replace "$NEWS" "www.$NEWS" 30 A $(cdn_set 1 "$r")
		sleep 1.5 # most of the resolver's 2 s cache; flux_await_set waits out the rest
	fi
	if [[ -z $blocked_round ]]; then
		if flux_await_set "www.$ONE" "$(e2e_sorted "$(one_set "$r")")"; then
			one_last=$(one_set "$r")
			one_last_round=$r
		else
			one_bad+="round $r: '$LAB_R'; "
		fi
	fi
	flux_await_set "www.$SHOP" "$(e2e_sorted "$(cdn_set 0 "$r")")" && shop_ok=$((shop_ok + 1)) ||
		cdn_bad+="$SHOP round $r: '$LAB_R'; "
	flux_await_set "www.$NEWS" "$(e2e_sorted "$(cdn_set 1 "$r")")" && news_ok=$((news_ok + 1)) ||
		cdn_bad+="$NEWS round $r: '$LAB_R'; "
	if [[ -z $blocked_round ]]; then
		sleep 0.4 # the daemon acts within its 200 ms poll
		[[ $(flux_auto_entry "$ONE" name) != absent ]] && blocked_round=$r
	fi
	st="not blocked"
	[[ -n $blocked_round ]] && st="blocked in round $blocked_round"
	printf 'round %2d at %3d s: %s: %s; %s ok %d/%d, %s ok %d/%d\n' "$r" $((SECONDS - t_start)) \
		"$ONE" "$st" \
		"$SHOP" "$shop_ok" "$r" "$NEWS" "$news_ok" "$r"
	[[ -n $one_bad$cdn_bad ]] && break # the lab is broken; the checks below say how
	((r >= CDN_ROUNDS)) && [[ -n $blocked_round ]] && break
done
ROUNDS=$r

check_eq "the client received each flux-one answer set until the block" "" "$one_bad"
if [[ -n $blocked_round ]]; then
	e2e_ok "$ONE auto-blocked on its own answers (round $blocked_round)"
else
	e2e_not_ok "$ONE auto-blocked on its own answers within $MAX_FLUX_ROUNDS rounds" \
		"$(explain_text "$ONE" | tr '\n' ' ' | cut -c1-600)"
	e2e_end
	exit 1
fi
flux_rquery "www.$ONE" A
check_eq "blocked: www.$ONE gets no answer (drop)" TIMEOUT "$LAB_R"
echo "$ONE before any sibling answered: network $(explain_json "$ONE" | jq -c '.network' 2>/dev/null)"

# --- 1b. flux-two: a new domain answering from the same addresses ------------------
# Five of the addresses flux-one answered last, three the pool had next.
read -ra last <<<"$one_last"
TWO_SET="${last[*]: -5} $(pool_window $((7 * (one_last_round - 1) + ${#last[@]})) 3)"
# shellcheck disable=SC2086
first_response "$TWO" $TWO_SET
NET_ID=$(explain_json "$TWO" | jq -r '.network.id // "none"' 2>/dev/null || echo none)
sibling_checks "first sibling" "$TWO"

# flux-three: the network is flux with two domains before it answers.
THREE_SET="$(pool_window 3 4) ${last[*]:0:4}"
# shellcheck disable=SC2086
first_response "$THREE" $THREE_SET
sibling_checks "second sibling" "$THREE" "$NET_ID"

# --- 2. the CDN pair --------------------------------------------------------------
check_eq "$SHOP resolved to the served set in every round" "$ROUNDS" "$shop_ok${cdn_bad:+ ($cdn_bad)}"
check_eq "$NEWS resolved to the served set in every round" "$ROUNDS" "$news_ok${cdn_bad:+ ($cdn_bad)}"
for d in "$SHOP" "$NEWS"; do
	j=$(explain_json "$d")
	explain_text "$d" | grep -E '^ +(responses|IPs [0-9]|ASNs [0-9]|total|flux network|its |addresses shared)' |
		sed 's/^/  | /' || true
	check "explain $d: fluxwall saw the CDN's rotation (>= 4 answer sets, 4 IPs, 1 ASN, 1 country)" \
		jq -en --argjson e "$j" '$e.features.answer_sets >= 4 and $e.features.ips == 4 and
			$e.features.asns == 1 and ($e.evidence.countries | length) == 1'
	check_match "explain $d: not flux ($(jq -r '"\(.verdict) \(.score)"' <<<"$j" 2>/dev/null))" \
		'not_*' "$(jq -r .verdict <<<"$j" 2>/dev/null)"
	check "explain $d: its network, if any, is not flux and not $NET_ID" \
		jq -en --argjson e "$j" --arg net "$NET_ID" \
		'($e.network == null) or ($e.network.flux == false and $e.network.id != $net)'
	check_eq "block list: $d has no entry" "" "$(listed "$d")"
	check_eq "event log: no event for $d" 0 \
		"$(jq -c --arg n "$d" 'select(.name == $n)' "$EVENTS" 2>/dev/null | wc -l)"
done
shop_net=$(explain_json "$SHOP" | jq -r '.network.id // "none"')
echo "$SHOP and $NEWS: networks $shop_net and $(explain_json "$NEWS" | jq -r '.network.id // "none"')"

# --- 3. restart: SIGKILL, start again, a new sibling ---------------------------------
echo "state dir after the blocks: $(cd "$LAB_STATE" && echo *)"
flux_daemon_stop KILL
check_eq "fluxwall run died of SIGKILL" 137 "$FLUX_DAEMON_RC"
if flux_daemon_start "$CONF" "$LAB_TMP/daemon2.out"; then
	e2e_ok "fluxwall run starts again after SIGKILL"
else
	e2e_not_ok "fluxwall run starts again after SIGKILL" "$(tr '\n' ' ' <"$LAB_TMP/daemon2.out")"
	e2e_end
	exit 1
fi
sed 's/^/  | /' "$LAB_TMP/daemon2.out"
check_eq "after the restart: $ONE is still an auto entry" auto "$(flux_auto_entry "$ONE" source)"
flux_rquery "www.$ONE" A
check_eq "after the restart: www.$ONE still gets no answer" TIMEOUT "$LAB_R"

# flux-four: addresses flux-two and flux-one answered with.
FOUR_SET="${TWO_SET% * * *} $(pool_window 0 3)"
# shellcheck disable=SC2086
first_response "$FOUR" $FOUR_SET
sibling_checks "after the restart" "$FOUR"

flux_await_set "www.$SHOP" "$(e2e_sorted "$(cdn_set 0 "$ROUNDS")")"
check_eq "after the restart: $SHOP still resolves" "NOERROR" "${LAB_R%% *}"

echo "total $((SECONDS - T0)) s"
e2e_end
