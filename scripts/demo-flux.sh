# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The second half of `make demo`: fast-flux detection in the lab. A real
# Unbound resolves for the client; a zone rotates its www answer through
# real residential-ISP allocations every few seconds (knsupdate), a
# round-robin site stays put, and `fluxwall run` blocks the flux domain on
# its own and explains why. Sourced by scripts/lab.sh after the lab is up.

DEMO_GEO=/var/lib/fluxwall/geo
DEMO_ISPS=(7922 7018 812 8151 3320 3215 2856 12389 4134 4713 4766 9829 28573 7303 18881 1221)

demo_flux_round() {
	local r=$1 set
	set=$(flux_draw "$DEMO_POOL" $((6 + r % 3)) $((4242 + 1000 * r)) | awk '{ print $1 }' | xargs)
	# shellcheck disable=SC2086
	flux_rrset_replace fluxnet.example www.fluxnet.example 2 A $set
	sleep 2.5 # the resolver caches for at most 2 s
	printf '$ kdig @%s www.fluxnet.example A\n' "$FLUX_RES4"
	flux_rquery www.fluxnet.example A
	if [[ $LAB_R == TIMEOUT ]]; then
		echo "    -> TIMEOUT: blocked"
		return 1
	else
		echo "    -> ${LAB_R%% *}, $(wc -w <<<"$FLUX_SET") addresses: $FLUX_SET"
	fi
}

demo_flux() {
	local conf=$LAB_TMP/fluxwall.conf daemon r blocked explain
	if [[ ! -r $DEMO_GEO/asn-ipv4.csv ]]; then
		echo "(skipping flux detection: run scripts/fetch-geo.sh for the geo data)"
		return 0
	fi
	demo_head "Fast flux: a resolver, and a zone rotating through residential ISPs"
	DEMO_POOL=$LAB_TMP/pool
	flux_pool "$DEMO_GEO/asn-ipv4.csv" "$DEMO_POOL" "${DEMO_ISPS[@]}"
	flux_draw "$DEMO_POOL" 6 4242 | awk '{ print "www 2 A " $1 }' | flux_zone_add fluxnet.example
	printf 'www 30 A 203.0.113.%s\n' 10 11 12 13 | flux_zone_add rr-site.example
	flux_unbound_start fluxnet.example rr-site.example
	echo "Knot serves fluxnet.example and rr-site.example; Unbound ($FLUX_RES4) resolves for the client"

	demo_head "fluxwall run: samples from XDP, features, score, auto-block"
	cat >"$conf" <<CONF
event_log = $LAB_TMP/events.jsonl
textfile_dir = $LAB_TMP
textfile_interval = 1s
trusted_resolvers = $FLUX_RES4
CONF
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" run --iface "$LAB_VETH_CLI" \
		--config "$conf" </dev/null >"$LAB_TMP/daemon.out" 2>&1 &
	daemon=$!
	lab_on_cleanup "kill -INT $daemon 2>/dev/null; wait $daemon 2>/dev/null"
	sleep 1
	sed 's/^/    /' "$LAB_TMP/daemon.out"
	for ((r = 1; r <= 6; r++)); do
		blocked=0
		demo_flux_round "$r" || blocked=1
		printf '$ kdig @%s www.rr-site.example A\n' "$FLUX_RES4"
		flux_rquery www.rr-site.example A
		echo "    -> ${LAB_R%% *}, $(wc -w <<<"$FLUX_SET") addresses (round robin, one /24)"
		((blocked)) && break
	done

	demo_head "What fluxwall decided, and why"
	demo_fw block list
	explain=$(demo_fw explain fluxnet.example)
	head -n 32 <<<"$explain"
	echo "event log:"
	jq -c '{event, name, origin, score, reason}' "$LAB_TMP/events.jsonl" 2>/dev/null | sed 's/^/    /'
	demo_fw stats --prom | grep -E '^ *fluxwall_(auto_blocks_total|samples_sent_total|tracked_domains) ' || true
	kill -INT "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
}
