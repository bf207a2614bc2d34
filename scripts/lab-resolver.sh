# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Additions to the namespace lab (scripts/lab.sh): extra zone records through
# dynamic update, and a real Unbound recursive resolver in the client
# namespace that stubs the lab zone to the lab's Knot server and can load a
# response policy zone (RPZ).
#
#   source scripts/lab.sh; source scripts/lab-resolver.sh
#   lab_init; lab_up
#   lab_zone_add x.lab.example A 198.51.100.50   # before or after attach
#   lab_unbound_start [RPZ_FILE]                  # 127.0.0.1@$LAB_UNBOUND_PORT
#   lab_rquery NAME [TYPE]                        # like lab_query, via Unbound
#
# Unbound runs in the foreground (-d) inside the client namespace, listening
# on that namespace's loopback only, with its config, log and pid file in
# $LAB_TMP/unbound: no chroot, no privilege drop, no remote control. It goes
# with the namespace at lab_cleanup (lab_netns_kill), and also by its pid
# through a cleanup hook.

LAB_UNBOUND_ADDR=127.0.0.1
LAB_UNBOUND_PORT=${LAB_UNBOUND_PORT:-5301}
LAB_UNBOUND_RPZ_NAME=rpz.fluxwall.test
LAB_UNBOUND_PID=

# lab_zone_add NAME TYPE VALUE [TTL]: add a record to the lab zone with
# knsupdate (the lab's Knot accepts updates from the lab subnets). NAME is
# absolute, without the trailing dot. Sent from the client namespace, so do
# it before blocking anything that the update response could match.
lab_zone_add() {
	local name=$1 type=$2 value=$3 ttl=${4:-60}
	lab_need knsupdate
	ip netns exec "$LAB_CLI_NS" knsupdate -t 2 -r 1 <<EOF >/dev/null
server $LAB_SRV4 53
zone $LAB_ZONE.
update add $name. $ttl $type $value
send
EOF
}

# lab_zone_add_many < LINES: one "NAME TYPE VALUE" per line, one update.
lab_zone_add_many() {
	local name type value body=
	lab_need knsupdate
	while read -r name type value; do
		[[ -z $name ]] && continue
		body+="update add $name. 60 $type $value"$'\n'
	done
	ip netns exec "$LAB_CLI_NS" knsupdate -t 2 -r 1 <<EOF >/dev/null
server $LAB_SRV4 53
zone $LAB_ZONE.
${body}send
EOF
}

# lab_unbound_conf [RPZ_FILE]: the configuration text on stdout.
lab_unbound_conf() {
	local rpz=${1:-} dir=$LAB_TMP/unbound
	lab_unbound_common "$dir"
	cat <<EOF
    interface: $LAB_UNBOUND_ADDR@$LAB_UNBOUND_PORT
    port: $LAB_UNBOUND_PORT
    access-control: 127.0.0.0/8 allow
    do-ip4: yes
    do-ip6: yes
    do-udp: yes
    do-tcp: yes
    qname-minimisation: no
    # no trust anchor: the lab zone is unsigned and there is no root
    domain-insecure: "$LAB_ZONE"
    # respip: needed for RPZ; validator and iterator as usual
    module-config: "respip validator iterator"
    cache-max-ttl: 1
    cache-max-negative-ttl: 1
    infra-host-ttl: 5
    outgoing-interface: $LAB_CLI4
remote-control:
    control-enable: no
stub-zone:
    name: "$LAB_ZONE"
    stub-addr: $LAB_SRV4
    stub-no-cache: yes
EOF
	if [[ -n $rpz ]]; then
		cat <<EOF
rpz:
    name: "$LAB_UNBOUND_RPZ_NAME"
    zonefile: "$rpz"
    rpz-log: yes
    rpz-log-name: "fluxwall"
EOF
	fi
}

# lab_unbound_start [RPZ_FILE]: write the config, check it with
# unbound-checkconf, start Unbound and wait until it answers for the lab zone.
# Sets LAB_UNBOUND_CONF and LAB_UNBOUND_PID.
lab_unbound_start() {
	local dir=$LAB_TMP/unbound i
	lab_need unbound unbound-checkconf
	mkdir -p "$dir"
	LAB_UNBOUND_CONF=$dir/unbound.conf
	lab_unbound_conf "${1:-}" >"$LAB_UNBOUND_CONF"
	unbound-checkconf "$LAB_UNBOUND_CONF" >"$dir/checkconf.out" 2>&1 || {
		cat "$dir/checkconf.out" >&2
		lab_die "unbound-checkconf rejects $LAB_UNBOUND_CONF"
	}
	ip netns exec "$LAB_CLI_NS" unbound -d -c "$LAB_UNBOUND_CONF" \
		</dev/null >>"$dir/unbound.out" 2>&1 &
	LAB_UNBOUND_PID=$!
	lab_on_cleanup 'lab_unbound_stop'
	for ((i = 0; i < 50; i++)); do
		if ip netns exec "$LAB_CLI_NS" kdig @"$LAB_UNBOUND_ADDR" -p "$LAB_UNBOUND_PORT" \
			"$LAB_ZONE" SOA +timeout=1 +retry=0 2>/dev/null | grep -q 'status: NOERROR'; then
			lab_debug "unbound ready after $((i * 100)) ms"
			return 0
		fi
		kill -0 "$LAB_UNBOUND_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/unbound.log" "$dir/unbound.out" >&2 2>/dev/null
	lab_die "unbound did not answer for $LAB_ZONE"
}

# lab_unbound_stop: end the Unbound this lab started (by its pid), if any.
lab_unbound_stop() {
	lab_stop_pid "$LAB_UNBOUND_PID"
	LAB_UNBOUND_PID=
}

# lab_rquery NAME [TYPE]: lab_query through the lab's Unbound; sets LAB_R
# ("RCODE values..." or "TIMEOUT") and LAB_QUERY_MS.
lab_rquery() {
	local out t0
	t0=$(lab_ms)
	out=$(ip netns exec "$LAB_CLI_NS" kdig @"$LAB_UNBOUND_ADDR" -p "$LAB_UNBOUND_PORT" \
		"$1" "${2:-A}" +timeout=2 +retry=0 2>&1) || true
	# shellcheck disable=SC2034 # LAB_QUERY_MS: read by the caller
	LAB_QUERY_MS=$(($(lab_ms) - t0))
	lab_result "$out" "${2:-A}"
}
