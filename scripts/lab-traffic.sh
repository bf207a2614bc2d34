# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Mixed DNS response traffic for the lab, as lines for tests/tools/dns_craft
# (one response a line), with addresses from real allocations (the
# @ip-location-db ASN CSV that scripts/fetch-geo.sh keeps):
#
#   source scripts/lab-flux.sh; source scripts/lab-traffic.sh
#   traffic_pools GEO_DIR DIR        # DIR/bots, DIR/cdn, DIR/host
#   traffic_round DIR ROUND [SCALE]  # one round of responses on stdout
#
# A round holds, every domain answering once:
#   fluxnet-G-D.example  D = 0..3: four domains of one botnet, 8 bots each
#                        from a window of its pool that slides every round,
#                        so they share addresses (a flux network); a new
#                        generation G every 4 rounds: new flux domains keep
#                        coming, past the auto-block rate limit;
#   dflux-G.example      one address, its NS host's glue a new bot each round;
#   shop-C.example       C = 0..9: CDN customers, 2-3 of 4 edges of one CDN;
#   rr-C.example         C = 0..4: round robins, 6 hosting addresses, one /24;
#   RANDOM.wildcard-site.example  20 x SCALE random names, 2 addresses;
#   RANDOM.nx-site.example        10 x SCALE random names, NXDOMAIN;
#   h<ESC>[31m<ROUND>.hostile-site.example  a hostile name, 2 addresses.
# Only fluxnet-* and dflux-* are flux: anything else blocked is a wrong block.

# traffic_pools GEO_DIR DIR: draw the address pools once.
traffic_pools() {
	local geo=$1 dir=$2
	mkdir -p "$dir"
	flux_pool "$geo/asn-ipv4.csv" "$dir/isp.ranges" "${FLUX_ISP_ASNS[@]}" &&
		flux_pool "$geo/asn-ipv4.csv" "$dir/cdn.ranges" 54113 &&
		flux_pool "$geo/asn-ipv4.csv" "$dir/host.ranges" 14061 || return 1
	flux_draw "$dir/isp.ranges" 4000 7 0 | awk '{ print $1 }' >"$dir/bots"
	flux_draw "$dir/cdn.ranges" 4 8 0 | awk '{ print $1 }' >"$dir/cdn"
	# six addresses of one /24 of the hoster
	flux_draw "$dir/host.ranges" 1 9 0 | awk -F. '{ for (i = 10; i < 16; i++) print $1 "." $2 "." $3 "." i }' \
		>"$dir/host"
	[[ $(wc -l <"$dir/bots") -eq 4000 && $(wc -l <"$dir/cdn") -eq 4 && $(wc -l <"$dir/host") -eq 6 ]]
}

# traffic_round DIR ROUND [SCALE]: the responses of round ROUND.
traffic_round() {
	awk -v round="$2" -v scale="${3:-1}" '
		FILENAME ~ /bots$/ { bot[nb++] = $1; next }
		FILENAME ~ /cdn$/ { cdn[nc++] = $1; next }
		FILENAME ~ /host$/ { host[nh++] = $1; next }
		# n distinct bots of the window [lo, lo + span) of the pool
		function picks(lo, span, n,  i, k, out, used) {
			out = ""
			for (i = 0; i < n; i++) {
				do k = (lo + int(rand() * span)) % nb; while (k in used)
				used[k] = 1
				out = out " " bot[k]
			}
			return out
		}
		END {
			srand(round * 7919 + 17)
			g = int(round / 4)
			for (d = 0; d < 4; d++) {
				print sprintf("www.fluxnet-%d-%d.example 60", g, d) picks(g * 400 + round * 9, 24, 8)
			}
			printf "www.dflux-%d.example 300 %s ns:ns1.dflux-%d.example@%s\n", g, host[0], g,
				bot[(3000 + round) % nb]
			for (c = 0; c < 10; c++) {
				line = sprintf("www.shop-%d.example 30", c)
				k = 2 + int(rand() * 2)
				for (i = 0; i < k; i++)
					line = line " " cdn[(c + i + round) % nc]
				print line
			}
			for (c = 0; c < 5; c++) {
				line = sprintf("rr-%d.example 300", c)
				for (i = 0; i < nh; i++)
					line = line " " host[(i + round) % nh]
				print line
			}
			for (i = 0; i < 20 * scale; i++)
				printf "%08x.wildcard-site.example 300 %s %s\n", int(rand() * 2^31), host[0], host[1]
			for (i = 0; i < 10 * scale; i++)
				printf "%08x.nx-site.example nxdomain\n", int(rand() * 2^31)
			printf "h\\027[31m%d.hostile-site.example 300 %s %s\n", round, host[2], host[3]
		}' "$1/bots" "$1/cdn" "$1/host"
}

# traffic_flux_domain NAME: 0 when NAME (a registered domain) is one of the
# flux domains of the traffic, 1 when it is benign.
traffic_flux_domain() {
	[[ $1 == fluxnet-*.example || $1 == dflux-*.example ]]
}
