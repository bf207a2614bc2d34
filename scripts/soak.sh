#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make soak: `fluxwall run` in the namespace lab under ten minutes of mixed
# traffic, then its figures against the targets: after the warm-up its RSS
# grows under 5%, no state is lost, no benign query is dropped.
#
# Traffic, every round of about 2.5 s:
#   - real DNS through the lab's Knot and Unbound: www.fluxnet-real.example
#     rotates 5-10 consumer-ISP addresses (it gets blocked, then dropped),
#     www.rr-site.example (6 hosting addresses) and www.cdn-site.example
#     (4 CDN edges, one replaced every other round) are asked by kdig;
#   - crafted responses (tests/tools/dns_craft, scripts/lab-traffic.sh)
#     from the resolver's address: new flux networks and double flux past
#     the auto-block rate limit, CDN customers, round robins, hostile
#     names, and a random-subdomain flood of 20 x SOAK_SCALE names under a
#     wildcard plus 10 x SOAK_SCALE NXDOMAIN (SOAK_SCALE 400: 192,000 new
#     names a minute, which fills the 200,000-key table in the first
#     minute and keeps it evicting).
# Every 10 s: the daemon's RSS, samples, events, auto-blocks; at the end
# the daemon is stopped and started again and its lists compared.
#
# Reported, in build/soak.json and as text: RSS at the end of the warm-up
# (SOAK_WARMUP, default 180 s) and its largest value after, samples
# (received, sent by the program, lost in the ring buffer), events by
# kind, auto-blocks, refusals, lost state (samples the program sent that
# the daemon never got, plus block events whose entry is missing, before
# or after the restart) and wrong drops (benign kdig queries without their
# answer, plus benign domains in the block list). Exit status 1 when a
# target is missed.
#
#   SOAK_SECONDS=600 SOAK_WARMUP=180 SOAK_SCALE=400 scripts/soak.sh
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
source "$REPO/scripts/lab.sh"
# shellcheck source=SCRIPTDIR/lab-flux.sh
source "$REPO/scripts/lab-flux.sh"
# shellcheck source=SCRIPTDIR/lab-traffic.sh
source "$REPO/scripts/lab-traffic.sh"

SECONDS_TOTAL=${SOAK_SECONDS:-600}
WARMUP=${SOAK_WARMUP:-180}
SCALE=${SOAK_SCALE:-400}
GEO=${FLUXWALL_GEO_DIR:-/var/lib/fluxwall/geo}
INJECT=$REPO/build/tools/dns_craft
OUT=$REPO/build/soak.json
FLUX=fluxnet-real.example
RR=rr-site.example
CDN=cdn-site.example

why=$(lab_preflight 2>&1) || lab_die "$why"
lab_need jq awk knsupdate unbound
[[ -x $FLUXWALL && -x $INJECT ]] || lab_die "build first: make all build-tests"
flux_geo_present "$GEO" || lab_die "geo databases missing in $GEO: run scripts/fetch-geo.sh"

lab_init
lab_up
traffic_pools "$GEO" "$LAB_TMP/pools" || lab_die "no address pools from $GEO/asn-ipv4.csv"
flux_pool "$GEO/asn-ipv4.csv" "$LAB_TMP/isp" "${FLUX_ISP_ASNS[@]}"
flux_pool "$GEO/asn-ipv4.csv" "$LAB_TMP/cdnpool" 54113
flux_pool "$GEO/asn-ipv4.csv" "$LAB_TMP/hostpool" 14061
flux_ips() { flux_draw "$LAB_TMP/isp" $((5 + $1 % 6)) "$1" | awk '{ print $1 }' | xargs; }
RR_SET=$(flux_draw "$LAB_TMP/hostpool" 1 5 | awk -F. '{ for (i = 20; i < 26; i++) printf "%s.%s.%s.%d ", $1, $2, $3, i }')
read -ra CDN_ALL <<<"$(flux_draw "$LAB_TMP/cdnpool" 400 6 0 | awk '{ print $1 }' | xargs)"
CDN_CUR=("${CDN_ALL[@]:0:4}")
CDN_NEXT=4
# shellcheck disable=SC2046
for ip in $(flux_ips 1); do echo "www 2 A $ip"; done | flux_zone_add "$FLUX"
for ip in $RR_SET; do echo "www 30 A $ip"; done | flux_zone_add "$RR"
for ip in "${CDN_CUR[@]}"; do echo "www 30 A $ip"; done | flux_zone_add "$CDN"
flux_unbound_start "$FLUX" "$RR" "$CDN"

mkdir -p "$LAB_TMP/textfile"
EVENTS=$LAB_TMP/events.jsonl
cat >"$LAB_TMP/fluxwall.conf" <<EOF
event_log = $EVENTS
textfile_dir = $LAB_TMP/textfile
textfile_interval = 5s
trusted_resolvers = $FLUX_RES4
geo_asn_db = $GEO/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
flux_daemon_start "$LAB_TMP/fluxwall.conf" "$LAB_TMP/daemon.out" ||
	lab_die "fluxwall run did not start: $(tail -n 3 "$LAB_TMP/daemon.out")"
lab_log "soak: $SECONDS_TOTAL s, warm-up $WARMUP s, flood scale $SCALE; lab $LAB_TMP"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$FLUX_DAEMON_PID/status" 2>/dev/null || echo 0; }
counter() { lab_fw status --json 2>/dev/null | jq -r --arg k "$1" '.counters[$k] // 0'; }
daemon_samples() { lab_fw top </dev/null 2>/dev/null | awk '/samples/ { for (i = 1; i < NF; i++) if ($i == "samples") print $(i + 1) }'; }
benign_query() { # NAME WANT: 0 when the answer set is WANT
	flux_rquery "$1" A
	[[ $LAB_R == NOERROR\ * && $FLUX_SET == "$2" ]]
}
sorted() { tr ' ' '\n' <<<"$*" | grep . | sort | xargs; }

printf 't_s,rss_kb,samples,events,dropped_auto\n' >"$LAB_TMP/series.csv"
queries=0 wrong_drops=0 round=0 next_sample=0 rss_warm=0 rss_max_after=0
t0=$SECONDS
while ((SECONDS - t0 < SECONDS_TOTAL)); do
	round=$((round + 1))
	# shellcheck disable=SC2046
	flux_rrset_replace "$FLUX" "www.$FLUX" 2 A $(flux_ips "$round") || true
	if ((round % 2 == 0)); then
		CDN_CUR=("${CDN_CUR[@]:1}" "${CDN_ALL[CDN_NEXT++ % ${#CDN_ALL[@]}]}")
		flux_rrset_replace "$CDN" "www.$CDN" 30 A "${CDN_CUR[@]}" || true
	fi
	traffic_round "$LAB_TMP/pools" "$round" "$SCALE" |
		ip netns exec "$LAB_SRV_NS" "$INJECT" --iface "$LAB_VETH_SRV" --src "$FLUX_RES4" \
			--dst "$LAB_CLI4" --rate 8000 >/dev/null
	sleep 2 # the resolver's 2 s cache of the rotated records
	flux_rquery "www.$FLUX" A
	for q in "www.$RR|$(sorted "$RR_SET")" "www.$CDN|$(sorted "${CDN_CUR[*]}")"; do
		queries=$((queries + 1))
		if ! benign_query "${q%%|*}" "${q#*|}" && ! benign_query "${q%%|*}" "${q#*|}"; then
			wrong_drops=$((wrong_drops + 1))
			lab_log "round $round: ${q%%|*} got '$LAB_R'"
		fi
	done
	t=$((SECONDS - t0))
	if ((t >= next_sample)); then
		rss=$(rss_kb)
		printf '%d,%d,%s,%d,%s\n' "$t" "$rss" "$(daemon_samples)" "$(wc -l <"$EVENTS")" \
			"$(counter blocked_auto)" >>"$LAB_TMP/series.csv"
		((t >= WARMUP && rss_warm == 0)) && rss_warm=$rss
		((rss_warm && rss > rss_max_after)) && rss_max_after=$rss
		next_sample=$((next_sample + 10))
		lab_log "soak: $t s, round $round, RSS $rss kB"
	fi
done
sleep 1
samples=$(daemon_samples)
tracked=$(lab_fw top </dev/null 2>/dev/null | awk '/tracked/ { print $2 }')
sent=$(counter samples_sent)
lost=$(counter samples_lost)
list_before=$(lab_fw block list --json | jq -r '.[] | select(.origin == "auto") | .name' | sort)
flux_daemon_stop INT
stop_rc=$FLUX_DAEMON_RC
flux_daemon_start "$LAB_TMP/fluxwall.conf" "$LAB_TMP/daemon2.out" || lab_die "restart failed"
sleep 1
list_after=$(lab_fw block list --json | jq -r '.[] | select(.origin == "auto") | .name' | sort)
flux_daemon_stop INT

blocked_events=$(jq -r 'select(.event == "block" and .origin == "auto") | .name' "$EVENTS" | sort -u)
n_missing=$(comm -23 <(echo "$blocked_events") <(echo "$list_before") | grep -c . || true)
n_missing_after=$(comm -23 <(echo "$list_before") <(echo "$list_after") | grep -c . || true)
wrong_blocks=0
for n in $list_before; do traffic_flux_domain "$n" || [[ $n == "$FLUX" ]] || wrong_blocks=$((wrong_blocks + 1)); done
lost_state=$((sent - samples + n_missing + n_missing_after))
growth=$(awk -v a="$rss_warm" -v b="$rss_max_after" 'BEGIN { printf "%.2f", a ? (b - a) * 100 / a : 0 }')
events_by_kind=$(jq -s 'group_by(.event) | map({key: .[0].event, value: length}) | from_entries' "$EVENTS")
refusals=$(awk '/^fluxwall_auto_block_refusals_total\{/ { sub(/.*reason="/, ""); sub(/"\}/, ""); print }' \
	"$LAB_TMP/textfile/fluxwall.prom" | jq -Rn '[inputs | split(" ") | {key: .[0], value: (.[1] | tonumber)}] | from_entries')

jq -n --argjson seconds "$SECONDS_TOTAL" --argjson warmup "$WARMUP" --argjson scale "$SCALE" \
	--argjson rounds "$round" --argjson rss_warm "$rss_warm" --argjson rss_max "$rss_max_after" \
	--argjson growth "$growth" --argjson samples "$samples" --argjson sent "$sent" \
	--argjson lost "$lost" --argjson events "$events_by_kind" --argjson refusals "$refusals" \
	--argjson autos "$(grep -c . <<<"$list_before" || true)" --argjson lost_state "$lost_state" \
	--argjson queries "$queries" --argjson wrong_drops "$((wrong_drops + wrong_blocks))" \
	--argjson stop_rc "$stop_rc" --argjson tracked "$tracked" \
	'{seconds: $seconds, warmup_s: $warmup, flood_scale: $scale, rounds: $rounds,
	  rss_kb_at_warmup: $rss_warm, rss_kb_max_after: $rss_max, rss_growth_pct: $growth,
	  samples_received: $samples, samples_sent: $sent, samples_lost_ring: $lost,
	  tracked_domains_at_end: $tracked, events: $events, refusals: $refusals,
	  auto_entries: $autos, lost_state: $lost_state, benign_queries: $queries,
	  wrong_drops: $wrong_drops, daemon_exit: $stop_rc}' | tee "$OUT"
cp "$LAB_TMP/series.csv" "$REPO/build/soak-series.csv"

fail=0
awk -v g="$growth" 'BEGIN { exit !(g < 5) }' || { lab_log "MISSED: RSS grew $growth% after the warm-up (target < 5%)"; fail=1; }
((lost_state == 0)) || { lab_log "MISSED: $lost_state pieces of state lost (target 0)"; fail=1; }
((wrong_drops + wrong_blocks == 0)) || { lab_log "MISSED: $((wrong_drops + wrong_blocks)) wrong drops (target 0)"; fail=1; }
((stop_rc == 0)) || { lab_log "MISSED: the daemon exited $stop_rc on SIGINT"; fail=1; }
((fail)) || lab_log "soak: every target met; figures in $OUT, series in build/soak-series.csv"
exit "$fail"
