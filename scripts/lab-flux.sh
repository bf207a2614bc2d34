# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Fast-flux additions to the namespace lab (scripts/lab.sh): more zones on the
# lab's Knot server, a real Unbound resolver on the *server* side of the veth
# (so that fluxwall, on the client's veth end, sees the resolver's responses
# to the client), record rotation with knsupdate, and addresses drawn from
# real allocations in the @ip-location-db ASN CSV that scripts/fetch-geo.sh
# keeps beside the databases (/var/lib/fluxwall/geo/asn-ipv4.csv).
#
#   source scripts/lab.sh; source scripts/lab-flux.sh
#   lab_init; lab_up
#   flux_zone_add fluxnet.example < ZONE_BODY   # records after SOA/NS
#   flux_unbound_start fluxnet.example ...      # on $FLUX_RES4@53, server ns
#   flux_rrset_replace ZONE NAME TTL A ADDR...  # one dynamic update
#   flux_rquery NAME [TYPE]                     # like lab_query, via Unbound
#   flux_pool CSV OUT ASN...                    # real ranges of those ASNs
#   flux_draw POOL N SEED [DISTINCT_ASNS]       # N addresses from the pool
#
# Topology added to the lab's:
#
#   netns fwlab-ID-srv                               netns fwlab-ID-cli
#   knotd    192.0.2.1   (lab.example + zones here)
#   unbound  192.0.2.53  (stubs the zones to knotd) --- 192.0.2.2 kdig
#            on veth fwIDs                              veth fwIDc <- fluxwall
#
# Unbound queries Knot inside the server namespace (both addresses are
# local there), so the only DNS on the veth is client <-> Unbound, and the
# dynamic updates are sent from the server namespace too. Neither namespace
# has a default route: the addresses in the answers are data, nothing can
# be sent to them.

FLUX_RES4=192.0.2.53
FLUX_UNBOUND_PID=
FLUX_ZONES=()

# flux_zone_add ZONE [SOA_MIN]: serve ZONE from the lab's Knot, with the
# records read from stdin (relative to $ORIGIN ZONE.) after an SOA and an NS
# (ns.ZONE -> the lab server). Appends the zone to the lab's knot.conf, whose
# last section is its zone list, checks it and reloads knotd; waits until
# the zone answers.
flux_zone_add() {
	local zone=$1 soamin=${2:-2} conf=$LAB_KNOT_DIR/knot.conf i
	{
		# shellcheck disable=SC2016 # zone file directives, not expansions
		printf '$ORIGIN %s.\n$TTL 60\n' "$zone"
		printf '@ SOA ns hostmaster 1 3600 600 86400 %s\n' "$soamin"
		printf '@ NS ns\nns A %s\n' "$LAB_SRV4"
		cat
	} >"$LAB_KNOT_DIR/zones/$zone.zone"
	[[ $(grep -E '^[a-z]' "$conf" | tail -n 1) == zone: ]] ||
		lab_die "the last section of $conf is not its zone list; cannot add $zone"
	printf '  - domain: %s\n    acl: lab_update\n' "$zone" >>"$conf"
	knotc -c "$conf" conf-check >/dev/null || lab_die "knot.conf with $zone does not check"
	knotc -c "$conf" reload >/dev/null || lab_die "knotc reload failed"
	FLUX_ZONES+=("$zone")
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$LAB_SRV_NS" kdig @"$LAB_SRV4" "$zone" SOA +timeout=1 +retry=0 \
			2>/dev/null | grep -q 'status: NOERROR' && return 0
		sleep 0.1
	done
	lab_die "knotd does not serve $zone after reload"
}

# flux_nsupdate ZONE < BODY: send the "update ..." lines of BODY as one
# dynamic update to the lab's Knot, from the server namespace.
flux_nsupdate() {
	local zone=$1 body
	body=$(cat)
	ip netns exec "$LAB_SRV_NS" knsupdate -t 2 -r 1 <<EOF >/dev/null
server $LAB_SRV4 53
zone $zone.
$body
send
EOF
}

# flux_rrset_replace ZONE NAME TTL TYPE VALUE...: NAME's TYPE RRset becomes
# exactly VALUE... with TTL, in one update (one new zone serial).
flux_rrset_replace() {
	local zone=$1 name=$2 ttl=$3 type=$4 v
	shift 4
	{
		printf 'update delete %s. %s\n' "$name" "$type"
		for v in "$@"; do
			printf 'update add %s. %s %s %s\n' "$name" "$ttl" "$type" "$v"
		done
	} | flux_nsupdate "$zone"
}

# flux_unbound_conf ZONE...: the resolver's configuration on stdout.
# Unbound keeps nothing longer than cache-max-ttl (2 s), so every rotation
# of any of the zones reaches the client within 2 s; minimal-responses: no
# puts the NS and glue records into the responses, as in the wild.
flux_unbound_conf() {
	local dir=$LAB_TMP/unbound-flux z
	lab_unbound_common "$dir"
	cat <<EOF
    interface: $FLUX_RES4
    port: 53
    outgoing-interface: $FLUX_RES4
    access-control: 192.0.2.0/24 allow
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    qname-minimisation: no
    module-config: "iterator"
    cache-max-ttl: 2
    cache-max-negative-ttl: 1
    infra-host-ttl: 5
    minimal-responses: no
    rrset-roundrobin: yes
remote-control:
    control-enable: no
EOF
	for z in "$@"; do
		printf 'stub-zone:\n    name: "%s"\n    stub-addr: %s\n    stub-no-cache: no\n' \
			"$z" "$LAB_SRV4"
	done
}

# flux_unbound_start ZONE...: give the server's veth end $FLUX_RES4, start
# Unbound there (foreground, in the server namespace) stubbing each ZONE to
# the lab's Knot, and wait until the client gets answers from it for every
# ZONE. Sets FLUX_UNBOUND_PID.
flux_unbound_start() {
	local dir=$LAB_TMP/unbound-flux conf z i ok
	lab_need unbound unbound-checkconf
	mkdir -p "$dir"
	conf=$dir/unbound.conf
	flux_unbound_conf "$@" >"$conf"
	unbound-checkconf "$conf" >"$dir/checkconf.out" 2>&1 || {
		cat "$dir/checkconf.out" >&2
		lab_die "unbound-checkconf rejects $conf"
	}
	ip -n "$LAB_SRV_NS" addr add "$FLUX_RES4/32" dev "$LAB_VETH_SRV"
	ip netns exec "$LAB_SRV_NS" unbound -d -c "$conf" </dev/null >>"$dir/unbound.out" 2>&1 &
	FLUX_UNBOUND_PID=$!
	lab_on_cleanup flux_unbound_stop
	for ((i = 0; i < 50; i++)); do
		ok=1
		for z in "$@"; do
			ip netns exec "$LAB_CLI_NS" kdig @"$FLUX_RES4" "$z" SOA +timeout=1 +retry=0 \
				2>/dev/null | grep -q 'status: NOERROR' || ok=0
		done
		((ok)) && return 0
		kill -0 "$FLUX_UNBOUND_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/unbound.log" "$dir/unbound.out" >&2 2>/dev/null
	lab_die "unbound on $FLUX_RES4 did not answer for: $*"
}

# flux_unbound_stop: end the Unbound started by flux_unbound_start, by pid.
flux_unbound_stop() {
	lab_stop_pid "$FLUX_UNBOUND_PID"
	FLUX_UNBOUND_PID=
}

# flux_rquery NAME [TYPE]: the client asks the lab's Unbound. Sets LAB_R
# ("RCODE value..." in answer order, or "TIMEOUT") and LAB_QUERY_MS; also
# FLUX_SET, the values sorted and space separated (order-free answer set).
# shellcheck disable=SC2034 # LAB_QUERY_MS and FLUX_SET are for the caller
flux_rquery() {
	local out t0
	t0=$(lab_ms)
	out=$(ip netns exec "$LAB_CLI_NS" kdig @"$FLUX_RES4" "$1" "${2:-A}" \
		+timeout=1 +retry=0 2>&1) || true
	LAB_QUERY_MS=$(($(lab_ms) - t0))
	lab_result "$out" "${2:-A}" "$1"
	FLUX_SET=
	[[ $LAB_R == TIMEOUT ]] && return 0
	# no answers (NXDOMAIN, NODATA): grep fails, which must not end a
	# caller running under set -e -o pipefail
	FLUX_SET=$(tr ' ' '\n' <<<"${LAB_R#* }" | grep -E '^[0-9a-f.:]+$' | sort | xargs) || true
}

# flux_pool CSV OUT ASN...: the IPv4 ranges of each ASN in CSV (the
# @ip-location-db asn-ipv4.csv: first,last,asn,name) written to OUT as
# "asn first last name" lines, first and last as integers. Only ranges of
# at least 256 addresses; for an ASN with ranges of /16 or more, only those
# (an ISP's large blocks are its subscriber pools). Fails if an ASN has none.
flux_pool() {
	local csv=$1 out=$2
	shift 2
	awk -F, -v want="$*" '
		function ip2n(s,  p) { split(s, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
		($3 in keep) {
			a = ip2n($1); b = ip2n($2)
			if (b - a + 1 < 256) next
			name = $0; sub(/^[^,]*,[^,]*,[^,]*,/, "", name); gsub(/"/, "", name)
			k = ++cnt[$3]; lo[$3, k] = a; hi[$3, k] = b; nm[$3] = name
			if (b - a + 1 >= 65536) big[$3]++
		}
		END {
			for (i = 1; i <= n; i++) {
				asn = w[i]
				if (!cnt[asn]) { print "no ranges for AS" asn > "/dev/stderr"; bad = 1; continue }
				for (k = 1; k <= cnt[asn]; k++)
					if (!big[asn] || hi[asn, k] - lo[asn, k] + 1 >= 65536)
						printf "%s %.0f %.0f %s\n", asn, lo[asn, k], hi[asn, k], nm[asn]
			}
			exit bad
		}' "$csv" >"$out"
}

# flux_draw POOL N SEED [DISTINCT]: N addresses from POOL (flux_pool's
# output), one per line as "ADDR ASN". DISTINCT=1 (default): each from a
# different ASN, picked at random; 0: ASNs may repeat. Host addresses only
# (no .0 or .255), no duplicates. Deterministic for a given SEED.
flux_draw() {
	awk -v n="$2" -v seed="$3" -v distinct="${4:-1}" '
		function n2ip(x) { return sprintf("%d.%d.%d.%d", int(x / 16777216), int(x / 65536) % 256, int(x / 256) % 256, x % 256) }
		{ r++; asn[r] = $1; lo[r] = $2; hi[r] = $3
		  if (!($1 in seen)) { seen[$1] = 1; na++; alist[na] = $1 }
		  rows[$1] = rows[$1] " " r }
		END {
			srand(seed)
			if (distinct && n > na) { print "pool has only " na " ASNs" > "/dev/stderr"; exit 1 }
			got = 0
			while (got < n) {
				i = int(rand() * na) + 1; a = alist[i]
				if (distinct && (a in used)) continue
				m = split(rows[a], rr, " "); k = rr[int(rand() * m) + 1]
				x = lo[k] + int(rand() * (hi[k] - lo[k] + 1))
				if (x % 256 == 0 || x % 256 == 255) continue
				ip = n2ip(x)
				if (ip in have) continue
				have[ip] = 1; used[a] = 1; got++
				print ip, a
			}
		}' "$1"
}

# ---------------------------------------------------------------- the daemon
#
# For tests that run `fluxwall run` in the lab (tests/e2e/test_flux_network.sh):
#
#   flux_geo_present DIR                      # the geo data fluxwall run needs
#   flux_daemon_start CONF LOG                # fluxwall run on the client veth
#   flux_daemon_stop [SIGNAL]                 # INT by default; FLUX_DAEMON_RC
#   flux_await_set NAME WANT                  # query until the answer is WANT
#   flux_auto_entry NAME FIELD                # NAME's auto block entry

# Consumer ISPs on five continents, as a botnet of home routers is spread:
# North America (Comcast, AT&T, Rogers, Uninet), Europe (Deutsche Telekom,
# Orange, BT, Rostelecom), Asia (Chinanet, NTT, KT, BSNL), South America
# (Claro, Telecom Argentina, Telefonica Brasil) and Oceania (Telstra).
# shellcheck disable=SC2034 # for the tests that source this file
FLUX_ISP_ASNS=(7922 7018 812 8151 3320 3215 2856 12389 4134 4713 4766 9829 28573 7303 18881 1221)

FLUX_DAEMON_PID=
# shellcheck disable=SC2034 # set by flux_daemon_stop for the caller
FLUX_DAEMON_RC=
FLUX_DAEMON_HOOKED=0
FLUX_DAEMON_WRAP=()   # a command to run the daemon under (valgrind and its options)
FLUX_DAEMON_WAIT_S=10 # to start; stopping waits half of it

# flux_geo_present DIR: DIR holds the ASN, country and city databases and the
# ASN CSV that flux_pool reads (scripts/fetch-geo.sh puts them there).
flux_geo_present() {
	local f
	for f in asn.mmdb country.mmdb city.mmdb asn-ipv4.csv; do
		[[ -s $1/$f ]] || return 1
	done
}

# flux_daemon_start CONF LOG: start `fluxwall run --config CONF` on the
# client's veth end (native XDP) in the client namespace, with the lab's
# private pin path and state dir, its output in LOG (overwritten), under
# FLUX_DAEMON_WRAP if set. Waits up to FLUX_DAEMON_WAIT_S for it to say it
# is running. Sets FLUX_DAEMON_PID; status 1 when
# it did not start (LOG says why). The lab's cleanup stops it.
flux_daemon_start() {
	local conf=$1 log=$2 i
	# Emptied here, not by the background job's redirection: the wait below
	# could otherwise read a previous daemon's "running" before the job runs.
	: >"$log"
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "${FLUX_DAEMON_WRAP[@]}" "$FLUXWALL" run \
		--iface "$LAB_VETH_CLI" --mode native --config "$conf" </dev/null >>"$log" 2>&1 &
	FLUX_DAEMON_PID=$!
	if [[ $FLUX_DAEMON_HOOKED == 0 ]]; then
		lab_on_cleanup flux_daemon_stop
		FLUX_DAEMON_HOOKED=1
	fi
	for ((i = 0; i < FLUX_DAEMON_WAIT_S * 10; i++)); do
		grep -q 'fluxwall: running' "$log" 2>/dev/null && return 0
		kill -0 "$FLUX_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# shellcheck disable=SC2034 # FLUX_DAEMON_RC is for the caller
# flux_daemon_stop [SIGNAL]: send SIGNAL (default INT) to the daemon that
# flux_daemon_start started, by its pid, and wait up to FLUX_DAEMON_WAIT_S / 2
# for it to exit (then KILL). Sets FLUX_DAEMON_RC to its exit status (128+N: killed by N).
flux_daemon_stop() {
	local i
	FLUX_DAEMON_RC=
	[[ -z $FLUX_DAEMON_PID ]] && return 0
	kill -"${1:-INT}" "$FLUX_DAEMON_PID" 2>/dev/null || true
	for ((i = 0; i < FLUX_DAEMON_WAIT_S * 5; i++)); do
		kill -0 "$FLUX_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$FLUX_DAEMON_PID" 2>/dev/null || true
	FLUX_DAEMON_RC=0
	wait "$FLUX_DAEMON_PID" 2>/dev/null || FLUX_DAEMON_RC=$?
	FLUX_DAEMON_PID=
	return 0
}

# flux_await_set NAME WANT [MS]: flux_rquery NAME until its answer set
# (FLUX_SET: sorted, space separated) is WANT; the resolver serves the
# previous set until its capped TTL runs out, so give it MS (default 4000).
# Status 0 when WANT came, 1 on a timeout (LAB_R TIMEOUT) or when it did not.
flux_await_set() {
	local deadline=$(($(lab_ms) + ${3:-4000}))
	while :; do
		flux_rquery "$1" A
		[[ $LAB_R == NOERROR\ * && $FLUX_SET == "$2" ]] && return 0
		[[ $LAB_R == TIMEOUT ]] && return 1
		(($(lab_ms) < deadline)) || return 1
		sleep 0.25
	done
}

# flux_auto_entry NAME FIELD: FIELD of NAME's auto block entry (block list
# --json), or "absent" when there is none. Needs jq.
flux_auto_entry() {
	lab_fw block list --json 2>/dev/null | jq -r --arg n "$1" --arg f "$2" \
		'[.[] | select(.name == $n and .origin == "auto") | .[$f]] | first // "absent"'
}
