# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Fleet additions to the namespace lab (scripts/lab.sh): an RPZ primary (Knot
# DNS or BIND) in a network namespace of its own, joined by one veth pair to
# the client namespace of each fluxwall node, a real Unbound that loads the
# zone as a response policy zone, and more fluxwall nodes, each in a lab of
# its own run by a child bash process. For tests/e2e/test_fleet*.sh.
#
#   source scripts/lab.sh; source scripts/lab-flux.sh; source scripts/lab-fleet.sh
#   lab_init; lab_up                           # this shell's lab: node A
#   fleet_init                                 # the primary's namespace
#   fleet_link A "$LAB_CLI_NS"                 # a /30 between it and node A
#   fleet_node_add B                           # node B: a child with its own lab
#   fleet_on B lab_fw status                   # any command, run in B's shell
#   fleet_primary_up knot ZONE KEY SECRET ${FLEET_NODE4[B]}@5300 ...
#   fleet_update <<<"update add x.ZONE. 60 CNAME ."   # signed, one message
#   fleet_zone_records                         # AXFR: what the zone holds
#   fleet_primary_kill; fleet_primary_start    # the zone and journal stay
#   fleet_primary_slow B 2mbit; fleet_primary_slow B off
#   fleet_unbound_up [NAME ADDR]...            # Unbound on 127.0.0.1@5353
#   fleet_rquery NAME [TYPE]                   # like lab_query, via it
#
# Topology (node k = 0, 1, ... in the order of fleet_link; the addresses exist
# only in these namespaces, and no namespace has a default route):
#
#                      netns fwfl-ID-pri (the primary)
#       knotd or named   127.0.0.1@53, 198.51.100.(4k+1)@53 on veth ffIDpK
#       unbound          127.0.0.1@5353, RPZ from 127.0.0.1@53
#            |  198.51.100.1/30                 |  198.51.100.5/30
#   veth ffIDn0: 198.51.100.2/30       veth ffIDn1: 198.51.100.6/30
#   netns fwlab-A-cli (node A)         netns fwlab-B-cli (node B)
#   fluxwall run publishes to .1       fluxwall run subscribes from .5 and
#                                      takes NOTIFY on its notify_listen
#
# The fleet veth is a second interface of the node's client namespace:
# fluxwall's XDP program is on the lab veth (LAB_VETH_CLI), so the fleet's
# updates, NOTIFY and transfers never pass through it.
#
# The primary trusts one TSIG key (hmac-sha256): with it a node may update
# the zone and transfer it; without it only 127.0.0.1 (the Unbound beside
# it, which cannot sign transfers) may transfer. NOTIFY goes unsigned to
# every ADDR@PORT given to fleet_primary_up on every change: from BIND at
# once over UDP, from Knot 3.2 over TCP a second after the last update (see
# fleet_knot_conf).
#
# Node B and the others of fleet_node_add: scripts/lab.sh keeps one lab per
# shell in global variables, so each further node is a child bash process
# that sources the lab scripts, builds its own lab (lab_init, lab_up, its own
# Knot server for the flux zones), writes its lab's names to a file and then
# runs the commands that fleet_on sends it, one at a time, in its own shell
# (so flux_zone_add, flux_daemon_start, lab_fw, lab_query all act on its
# lab). It tears its lab down when told to stop, when the test's shell is
# gone, or on INT/TERM; fleet_cleanup stops it, and removes what it left if
# it could not.

FLEET_ZONE=
FLEET_KIND=
FLEET_KEY_NAME=
FLEET_KEY_SECRET=
FLEET_NS=
FLEET_TMP=
FLEET_DIR= # the primary's config, zone, journal and logs
FLEET_PID=
FLEET_LOG= # the primary's log file
FLEET_NOTIFY=()
FLEET_LISTEN=()
FLEET_LINKS=0
FLEET_DONE=0
FLEET_UNBOUND_ADDR=127.0.0.1
FLEET_UNBOUND_PORT=5353
# the Unbound as a NOTIFY target, for fleet_primary_up
# shellcheck disable=SC2034 # for the tests that source this file
FLEET_UNBOUND_NOTIFY=$FLEET_UNBOUND_ADDR@$FLEET_UNBOUND_PORT
FLEET_UNBOUND_PID=
FLEET_SOA_REFRESH=5
declare -A FLEET_PRI4=()   # node -> the primary's address on its link
declare -A FLEET_NODE4=()  # node -> the node's address on its link
declare -A FLEET_VETH=()   # node -> the primary's end of its link
declare -A FLEET_NODE_PID=() FLEET_NODE_DIR=() FLEET_NODE_REQ=() FLEET_NODE_RESP=()

# ---------------------------------------------------------------- lifecycle

# fleet_init: the primary's namespace and temp dir; cleanup by lab_on_cleanup.
# Call after lab_init (the names derive from LAB_ID, the files go in LAB_TMP).
fleet_init() {
	[[ -n $LAB_ID ]] || lab_die "fleet_init before lab_init"
	lab_need ip kdig knsupdate tc
	FLEET_NS=fwfl-$LAB_ID-pri
	FLEET_TMP=$LAB_TMP/fleet
	mkdir -p "$FLEET_TMP"
	FLEET_DONE=0
	lab_on_cleanup fleet_cleanup
	ip netns add "$FLEET_NS"
	ip -n "$FLEET_NS" link set lo up
}

# fleet_cleanup: stop the nodes, the servers, delete the namespace (which
# deletes every fleet veth pair). Idempotent.
fleet_cleanup() {
	local n
	[[ $FLEET_DONE == 1 ]] && return 0
	FLEET_DONE=1
	for n in "${!FLEET_NODE_PID[@]}"; do
		fleet_node_stop "$n"
	done
	fleet_unbound_stop
	fleet_stop_pid "$FLEET_PID"
	FLEET_PID=
	if [[ -n $FLEET_NS ]]; then
		lab_netns_kill "$FLEET_NS"
		ip netns del "$FLEET_NS" 2>/dev/null
	fi
	return 0
}

# fleet_link NODE NS: a veth pair between the primary's namespace and NS (a
# node's client namespace), 198.51.100.(4k+1)/30 on the primary's end and
# .(4k+2)/30 on the node's, for the k-th link. Sets FLEET_PRI4[NODE],
# FLEET_NODE4[NODE] and FLEET_VETH[NODE]. Link every node before
# fleet_primary_up, which listens on these addresses.
fleet_link() {
	local node=$1 ns=$2 k=$FLEET_LINKS pri nod
	((k < 64)) || lab_die "fleet: at most 64 links"
	pri=ff${LAB_ID}p$k
	nod=ff${LAB_ID}n$k
	ip link add "$pri" netns "$FLEET_NS" type veth peer name "$nod" netns "$ns"
	ip -n "$FLEET_NS" addr add "198.51.100.$((4 * k + 1))/30" dev "$pri"
	ip -n "$ns" addr add "198.51.100.$((4 * k + 2))/30" dev "$nod"
	ip -n "$FLEET_NS" link set "$pri" up
	ip -n "$ns" link set "$nod" up
	FLEET_PRI4[$node]=198.51.100.$((4 * k + 1))
	# shellcheck disable=SC2034 # for the tests that source this file
	FLEET_NODE4[$node]=198.51.100.$((4 * k + 2))
	FLEET_VETH[$node]=$pri
	FLEET_LINKS=$((k + 1))
}

# fleet_secret: a fresh random TSIG secret (32 bytes, base64).
fleet_secret() {
	head -c 32 /dev/urandom | base64
}

# fleet_keys_line NAME SECRET: a line of fluxwall's fleet_keys file, which
# is also the -y argument of kdig and knsupdate.
fleet_keys_line() {
	printf 'hmac-sha256:%s:%s\n' "$1" "$2"
}

# ---------------------------------------------------------------- the primary

# fleet_primary_up knot|bind ZONE KEYNAME SECRET [ADDR@PORT]...: serve ZONE
# (SOA refresh FLEET_SOA_REFRESH s, NS localhost.) from the primary's
# namespace on 127.0.0.1 and every fleet_link address, port 53. Dynamic
# updates only with the key KEYNAME (hmac-sha256, SECRET in base64);
# transfers (AXFR, IXFR: every change is journaled) with the key, or
# unsigned from 127.0.0.1 only; NOTIFY to each ADDR@PORT at every change,
# without delay. Waits until the zone answers SOA.
fleet_primary_up() {
	FLEET_KIND=$1
	FLEET_ZONE=$2
	FLEET_KEY_NAME=$3
	FLEET_KEY_SECRET=$4
	shift 4
	FLEET_NOTIFY=("$@")
	FLEET_LISTEN=(127.0.0.1 "${FLEET_PRI4[@]}")
	FLEET_DIR=$FLEET_TMP/$FLEET_KIND
	mkdir -p "$FLEET_DIR/zones"
	fleet_zone_text >"$FLEET_DIR/zones/$FLEET_ZONE.zone"
	case $FLEET_KIND in
	knot)
		mkdir -p "$FLEET_DIR/run" "$FLEET_DIR/db"
		FLEET_LOG=$FLEET_DIR/knotd.log
		fleet_knot_conf >"$FLEET_DIR/knot.conf"
		knotc -c "$FLEET_DIR/knot.conf" conf-check >/dev/null ||
			lab_die "fleet knot.conf does not check: $FLEET_DIR/knot.conf"
		;;
	bind)
		lab_need named named-checkconf
		FLEET_LOG=$FLEET_DIR/named.log
		fleet_bind_conf >"$FLEET_DIR/named.conf"
		named-checkconf "$FLEET_DIR/named.conf" ||
			lab_die "named-checkconf rejects $FLEET_DIR/named.conf"
		;;
	*) lab_die "fleet_primary_up: knot or bind, not '$FLEET_KIND'" ;;
	esac
	fleet_primary_start
}

# fleet_zone_text: the zone as it starts: SOA and NS only.
fleet_zone_text() {
	cat <<EOF
\$ORIGIN $FLEET_ZONE.
\$TTL 60
@	SOA	localhost. hostmaster.localhost. 1 $FLEET_SOA_REFRESH 2 86400 5
@	NS	localhost.
EOF
}

# Knot: the zone and every change to it are kept in the journal
# (journal-content all), up to 1000 changes, so IXFR answers from any recent
# serial and a restart serves what was there; the zone file is rewritten
# after every change too (zonefile-sync 0), and zonefile-load
# difference-no-serial makes a zone file edited by fleet_zone_load one more
# change with the next serial. A dynamic update is applied as it comes.
# NOTIFY goes out over TCP (Knot 3.2 sends it no other way), 1 s after the
# last update: knotd 3.2 waits that second after each DDNS, and a further
# update restarts the wait; no setting of this version removes it.
fleet_knot_conf() {
	local t i=0 listen
	listen=$(printf '%s@53, ' "${FLEET_LISTEN[@]}")
	cat <<EOF
server:
    rundir: "$FLEET_DIR/run"
    listen: [ ${listen%, } ]
    udp-workers: 1
    tcp-workers: 2
    background-workers: 2
log:
  - target: "$FLEET_LOG"
    any: info
database:
    storage: "$FLEET_DIR/db"
control:
    listen: "$FLEET_DIR/run/knot.sock"
key:
  - id: $FLEET_KEY_NAME
    algorithm: hmac-sha256
    secret: $FLEET_KEY_SECRET
EOF
	if ((${#FLEET_NOTIFY[@]})); then
		echo "remote:"
		for t in "${FLEET_NOTIFY[@]}"; do
			printf '  - id: notify%d\n    address: %s\n' $((i++)) "$t"
		done
	fi
	cat <<EOF
acl:
  - id: fleet_update
    key: $FLEET_KEY_NAME
    action: update
  - id: fleet_transfer
    key: $FLEET_KEY_NAME
    action: transfer
  - id: local_transfer
    address: 127.0.0.1
    action: transfer
zone:
  - domain: $FLEET_ZONE
    storage: "$FLEET_DIR/zones"
    file: "%s.zone"
    zonefile-sync: 0
    zonefile-load: difference-no-serial
    journal-content: all
    journal-max-depth: 1000
    serial-policy: increment
    semantic-checks: off
    acl: [ fleet_update, fleet_transfer, local_transfer ]
EOF
	if ((${#FLEET_NOTIFY[@]})); then
		printf '    notify: [ %s ]\n' "$(seq -s ', ' -f 'notify%g' 0 $((i - 1)))"
	fi
}

# BIND: allow-update with the key only, the journal (.jnl) keeps every
# change for IXFR and is replayed at start; IXFR is answered as IXFR however
# big the change is next to the zone (max-ixfr-ratio unlimited); notify
# explicit (only the also-notify targets), over UDP, notify-delay 0 (the
# default waits 5 s).
fleet_bind_conf() {
	local t targets='' listen
	listen=$(printf '%s; ' "${FLEET_LISTEN[@]}")
	for t in "${FLEET_NOTIFY[@]}"; do
		targets+="${t%@*} port ${t##*@}; "
	done
	cat <<EOF
options {
	directory "$FLEET_DIR";
	pid-file "$FLEET_DIR/named.pid";
	session-keyfile "$FLEET_DIR/session.key";
	managed-keys-directory "$FLEET_DIR";
	listen-on port 53 { $listen};
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify explicit;
	notify-delay 0;
	also-notify { $targets};
	allow-transfer { key "$FLEET_KEY_NAME"; 127.0.0.1; };
	allow-query { any; };
	max-journal-size unlimited;
	max-ixfr-ratio unlimited;
};
key "$FLEET_KEY_NAME" {
	algorithm hmac-sha256;
	secret "$FLEET_KEY_SECRET";
};
controls { };
logging {
	channel fleet_log {
		file "$FLEET_LOG";
		print-time yes;
		print-category yes;
		severity info;
	};
	category default { fleet_log; };
	category xfer-out { fleet_log; };
	category notify { fleet_log; };
	category update { fleet_log; };
	category update-security { fleet_log; };
	category security { fleet_log; };
	category lame-servers { null; };
};
zone "$FLEET_ZONE" {
	type primary;
	file "zones/$FLEET_ZONE.zone";
	allow-update { key "$FLEET_KEY_NAME"; };
};
EOF
}

# fleet_primary_start: start the primary from its config, zone file and
# journal as they are (after fleet_primary_up, or after fleet_primary_kill),
# and wait up to 10 s until it answers SOA for the zone.
fleet_primary_start() {
	local i
	case $FLEET_KIND in
	knot)
		ip netns exec "$FLEET_NS" knotd -c "$FLEET_DIR/knot.conf" \
			</dev/null >>"$FLEET_DIR/knotd.out" 2>&1 &
		;;
	bind)
		ip netns exec "$FLEET_NS" named -f -n 1 -c "$FLEET_DIR/named.conf" \
			</dev/null >>"$FLEET_DIR/named.out" 2>&1 &
		;;
	esac
	FLEET_PID=$!
	for ((i = 0; i < 100; i++)); do
		fleet_serial >/dev/null && return 0
		kill -0 "$FLEET_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$FLEET_LOG" "$FLEET_DIR"/*.out >&2 2>/dev/null
	lab_die "the fleet primary ($FLEET_KIND) does not answer for $FLEET_ZONE"
}

# fleet_primary_kill [SIGNAL]: end the primary (KILL by default: no chance
# to finish what it is sending), and wait until it is gone.
fleet_primary_kill() {
	fleet_stop_pid "$FLEET_PID" "${1:-KILL}"
	FLEET_PID=
}

# fleet_stop_pid PID [SIGNAL]: send SIGNAL (TERM by default) to our child
# PID, give it 5 s to exit, then KILL; reap it. Always succeeds, also under
# set -e (lab_stop_pid does not: its wait returns the child's status).
fleet_stop_pid() {
	local pid=$1 i st
	[[ -z $pid ]] && return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || true
		[[ -z $st || $st == Z ]] && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# fleet_primary_slow NODE RATE|off: shape what the primary sends on NODE's
# link to RATE (tc tbf, e.g. 2mbit), so a big transfer takes seconds; off
# removes it.
fleet_primary_slow() {
	local dev=${FLEET_VETH[$1]}
	[[ -n $dev ]] || lab_die "fleet_primary_slow: no link for node $1"
	if [[ $2 == off ]]; then
		ip netns exec "$FLEET_NS" tc qdisc del dev "$dev" root 2>/dev/null
		return 0
	fi
	ip netns exec "$FLEET_NS" tc qdisc replace dev "$dev" root tbf rate "$2" \
		burst 16kb latency 2s
}

# fleet_kdig ARGS...: kdig from the primary's namespace to the primary on
# 127.0.0.1, signed with the fleet key.
fleet_kdig() {
	ip netns exec "$FLEET_NS" kdig @127.0.0.1 \
		-y "$(fleet_keys_line "$FLEET_KEY_NAME" "$FLEET_KEY_SECRET")" "$@"
}

# fleet_serial: the zone's SOA serial on stdout; status 1 when no answer.
fleet_serial() {
	local s
	s=$(ip netns exec "$FLEET_NS" kdig @127.0.0.1 "$FLEET_ZONE" SOA +short \
		+timeout=1 +retry=0 2>/dev/null | awk 'NF >= 7 { print $3; exit }')
	[[ -n $s ]] || return 1
	echo "$s"
}

# fleet_zone_records: what the zone holds, by a signed AXFR: one record a
# line, "OWNER TTL TYPE RDATA", owners lower case and absolute, no SOA (nor
# the transfer's TSIG records); status 1 when the transfer failed.
fleet_zone_records() {
	local out
	out=$(fleet_kdig "$FLEET_ZONE" AXFR +tcp +timeout=5 +retry=0 +nocomments 2>&1) ||
		return 1
	if grep -q '^;; ERROR' <<<"$out"; then
		grep '^;; ERROR' <<<"$out" >&2
		return 1
	fi
	awk '!/^;/ && NF >= 5 && $4 != "SOA" && $4 != "TSIG" {
		r = tolower($1) " " $2 " " $4; for (i = 5; i <= NF; i++) r = r " " $i; print r }' \
		<<<"$out" | sort -u
}

# fleet_update [-y KEYLINE] < BODY: the "update ..." lines of BODY as one
# dynamic update to the primary, from its namespace, signed with the fleet
# key (or KEYLINE: hmac-sha256:NAME:SECRET). knsupdate's status; its output
# on stderr when it fails.
fleet_update() {
	local key out rc=0
	key=$(fleet_keys_line "$FLEET_KEY_NAME" "$FLEET_KEY_SECRET")
	if [[ ${1:-} == -y ]]; then
		key=$2
		shift 2
	fi
	out=$({
		printf 'server 127.0.0.1 53\nzone %s.\n' "$FLEET_ZONE"
		cat
		printf 'send\n'
	} | ip netns exec "$FLEET_NS" knsupdate -t 5 -r 0 -y "$key" 2>&1) || rc=$?
	((rc == 0)) || printf '%s\n' "$out" >&2
	return "$rc"
}

# fleet_zone_load FILE: add the records in FILE (zone file lines relative to
# $ORIGIN ZONE., or absolute) to the zone as one change with the next serial:
# through the zone file (Knot: flushed, appended, reloaded, the difference
# journaled; BIND: knsupdate in batches is the way there, not this). For
# zones too big for a dynamic update.
fleet_zone_load() {
	local ctl=(knotc -c "$FLEET_DIR/knot.conf")
	[[ $FLEET_KIND == knot ]] || lab_die "fleet_zone_load: Knot only"
	"${ctl[@]}" -b zone-flush "$FLEET_ZONE" >/dev/null || lab_die "knotc zone-flush failed"
	{
		# shellcheck disable=SC2016 # a zone file directive, not an expansion
		printf '$ORIGIN %s.\n' "$FLEET_ZONE"
		cat "$1"
	} >>"$FLEET_DIR/zones/$FLEET_ZONE.zone"
	"${ctl[@]}" -b zone-reload "$FLEET_ZONE" >/dev/null || lab_die "knotc zone-reload failed"
}

# ---------------------------------------------------------------- Unbound

# fleet_unbound_up [NAME ADDR]...: a real Unbound in the primary's namespace
# on $FLEET_UNBOUND_ADDR@$FLEET_UNBOUND_PORT that loads the zone as a response
# policy zone from the primary (rpz: primary:, AXFR then IXFR, unsigned: the
# primary lets 127.0.0.1 transfer without the key), refreshed on NOTIFY (give
# fleet_primary_up $FLEET_UNBOUND_NOTIFY) and at the SOA refresh. It resolves
# each NAME to ADDR (an A record) and nothing else: each NAME is a zone of
# its own that Unbound holds as if it were its authoritative server's
# (auth-zone, for-upstream only), so a NAME goes through recursion and the
# RPZ as any name would (local-data would win over the RPZ). Waits up to
# 10 s until Unbound has a serial of the zone. Run after fleet_primary_up.
fleet_unbound_up() {
	local dir=$FLEET_TMP/unbound conf i
	lab_need unbound unbound-checkconf
	mkdir -p "$dir"
	conf=$dir/unbound.conf
	{
		lab_unbound_common "$dir"
		cat <<EOF
    interface: $FLEET_UNBOUND_ADDR@$FLEET_UNBOUND_PORT
    port: $FLEET_UNBOUND_PORT
    access-control: 127.0.0.0/8 allow
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    module-config: "respip iterator"
    cache-max-ttl: 1
    cache-max-negative-ttl: 1
remote-control:
    control-enable: no
rpz:
    name: "$FLEET_ZONE"
    primary: 127.0.0.1
    rpz-log: yes
    rpz-log-name: "fleet"
    for-downstream: yes
EOF
		while (($# >= 2)); do
			# shellcheck disable=SC2016 # a zone file directive, not an expansion
			printf '$ORIGIN %s.\n@ 60 SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n' "$1" \
				>"$dir/$1.zone"
			printf '@ 60 NS localhost.\n@ 60 A %s\n' "$2" >>"$dir/$1.zone"
			printf 'auth-zone:\n    name: "%s."\n    zonefile: "%s"\n' "$1" "$dir/$1.zone"
			printf '    for-downstream: no\n    for-upstream: yes\n    fallback-enabled: no\n'
			shift 2
		done
	} >"$conf"
	unbound-checkconf "$conf" >"$dir/checkconf.out" 2>&1 || {
		cat "$dir/checkconf.out" >&2
		lab_die "unbound-checkconf rejects $conf"
	}
	ip netns exec "$FLEET_NS" unbound -d -c "$conf" </dev/null >>"$dir/unbound.out" 2>&1 &
	FLEET_UNBOUND_PID=$!
	for ((i = 0; i < 100; i++)); do
		fleet_unbound_serial >/dev/null && return 0
		kill -0 "$FLEET_UNBOUND_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/unbound.log" "$dir/unbound.out" >&2 2>/dev/null
	lab_die "unbound in $FLEET_NS did not load $FLEET_ZONE"
}

# fleet_unbound_serial: the serial of the zone as Unbound holds it (it
# answers for the RPZ itself: for-downstream), on stdout; status 1 when it
# has none yet.
fleet_unbound_serial() {
	local s
	s=$(ip netns exec "$FLEET_NS" kdig @"$FLEET_UNBOUND_ADDR" -p "$FLEET_UNBOUND_PORT" \
		"$FLEET_ZONE" SOA +short +timeout=1 +retry=0 2>/dev/null | awk 'NF >= 7 { print $3; exit }')
	[[ -n $s ]] || return 1
	echo "$s"
}

fleet_unbound_stop() {
	fleet_stop_pid "$FLEET_UNBOUND_PID"
	FLEET_UNBOUND_PID=
}

# fleet_rquery NAME [TYPE]: ask the fleet's Unbound; sets LAB_R ("RCODE
# value..." or "TIMEOUT") and LAB_QUERY_MS, as lab_query does.
fleet_rquery() {
	local out t0
	t0=$(lab_ms)
	out=$(ip netns exec "$FLEET_NS" kdig @"$FLEET_UNBOUND_ADDR" -p "$FLEET_UNBOUND_PORT" \
		"$1" "${2:-A}" +timeout=2 +retry=0 2>&1) || true
	# shellcheck disable=SC2034 # LAB_QUERY_MS: read by the caller
	LAB_QUERY_MS=$(($(lab_ms) - t0))
	lab_result "$out" "${2:-A}"
}

# ---------------------------------------------------------------- more nodes

# fleet_node_add NODE: fleet_node_spawn NODE, then fleet_link it.
fleet_node_add() {
	fleet_node_spawn "$1"
	fleet_link "$1" "$(fleet_node_var "$1" LAB_CLI_NS)"
}

# fleet_node_spawn NODE: a child bash process that builds a lab of its own
# (lab_init, lab_up) and serves fleet_on; returns when its lab is up (30 s
# at most). Sets FLEET_NODE_PID[NODE] and FLEET_NODE_DIR[NODE] (its fifos,
# its lab's names in DIR/info, the output of the last command).
fleet_node_spawn() {
	local node=$1 dir i fd
	dir=$FLEET_TMP/node-$node
	mkdir -p "$dir"
	rm -f "$dir/req" "$dir/resp" "$dir/info"
	mkfifo "$dir/req" "$dir/resp"
	# Both ends open read-write: opening never blocks, and a reader's
	# read -t notices a dead peer by its pid, not by an EOF.
	exec {fd}<>"$dir/req"
	FLEET_NODE_REQ[$node]=$fd
	exec {fd}<>"$dir/resp"
	FLEET_NODE_RESP[$node]=$fd
	# shellcheck disable=SC2016 # expanded by the child
	bash -c 'source "$1/scripts/lab.sh"; source "$1/scripts/lab-flux.sh"
		source "$1/scripts/lab-fleet.sh"; fleet_node_serve "$2" "$3"' \
		"fleet-node-$node" "$LAB_REPO" "$dir" "$$" </dev/null >"$dir/serve.log" 2>&1 &
	FLEET_NODE_PID[$node]=$!
	FLEET_NODE_DIR[$node]=$dir
	for ((i = 0; i < 300; i++)); do
		[[ -s $dir/info ]] && return 0
		kill -0 "${FLEET_NODE_PID[$node]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/serve.log" >&2
	lab_die "fleet node $node did not build its lab"
}

# fleet_node_var NODE VAR: VAR of NODE's lab (LAB_ID, LAB_CLI_NS, LAB_SRV_NS,
# LAB_VETH_CLI, LAB_TMP, LAB_STATE, LAB_PIN).
fleet_node_var() {
	awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' \
		"${FLEET_NODE_DIR[$1]}/info"
}

# fleet_on NODE CMD [ARG]...: run CMD ARG... (one command, its words quoted
# as given) in NODE's shell, with stdin from /dev/null; its stdout and
# stderr come back on ours after it finished, and its status is ours
# (1 when the node is gone). Shell state it changes stays in NODE's shell.
fleet_on() {
	[[ -n ${FLEET_NODE_DIR[$1]:-} ]] || lab_die "fleet_on: no node $1"
	: >"${FLEET_NODE_DIR[$1]}/in"
	fleet_call "$@"
}

# fleet_on_in NODE CMD [ARG]...: fleet_on with our stdin as CMD's stdin.
fleet_on_in() {
	[[ -n ${FLEET_NODE_DIR[$1]:-} ]] || lab_die "fleet_on_in: no node $1"
	cat >"${FLEET_NODE_DIR[$1]}/in"
	fleet_call "$@"
}

# fleet_call NODE CMD [ARG]...: fleet_on without setting the stdin file.
fleet_call() {
	local node=$1 dir cmd rc=
	shift
	dir=${FLEET_NODE_DIR[$node]}
	printf -v cmd '%q ' "$@"
	printf '%s\n' "$cmd" >&"${FLEET_NODE_REQ[$node]}"
	while ! read -r -t 1 rc <&"${FLEET_NODE_RESP[$node]}"; do
		if ! kill -0 "${FLEET_NODE_PID[$node]}" 2>/dev/null; then
			printf 'fleet: node %s is gone; its log:\n' "$node" >&2
			tail -n 20 "$dir/serve.log" >&2
			return 1
		fi
	done
	cat "$dir/out"
	cat "$dir/err" >&2
	return "$rc"
}

# fleet_node_stop NODE: tell NODE to tear its lab down and exit (10 s), then
# TERM (5 s), then KILL; whatever its lab left is removed here.
fleet_node_stop() {
	local node=$1 pid dir i ns tmp id req resp
	pid=${FLEET_NODE_PID[$node]:-}
	dir=${FLEET_NODE_DIR[$node]:-}
	req=${FLEET_NODE_REQ[$node]}
	resp=${FLEET_NODE_RESP[$node]}
	[[ -z $pid ]] && return 0
	printf 'exit\n' >&"$req"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		((i == 50)) && kill -TERM "$pid" 2>/dev/null
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "FLEET_NODE_PID[$node]"
	exec {req}>&- {resp}>&-
	[[ -s $dir/info ]] || return 0
	# what a killed node could not remove
	for ns in $(fleet_node_var "$node" LAB_SRV_NS) $(fleet_node_var "$node" LAB_CLI_NS); do
		if ip netns list | grep -qw "$ns"; then
			lab_netns_kill "$ns"
			ip netns del "$ns" 2>/dev/null
		fi
	done
	tmp=$(fleet_node_var "$node" LAB_TMP)
	id=$(fleet_node_var "$node" LAB_ID)
	if [[ -n $tmp && -d $tmp ]]; then
		mountpoint -q "$tmp/bpf" && umount "$tmp/bpf"
		rm -rf "$tmp"
	fi
	[[ -n $id && -d /sys/fs/bpf/fwlab-$id ]] && rm -rf "/sys/fs/bpf/fwlab-$id"
	return 0
}

# fleet_node_serve DIR PARENT_PID: the child's side (fleet_node_spawn runs
# it). Builds the lab, writes DIR/info, then runs each line read from
# DIR/req in this shell, its output in DIR/out and DIR/err, its status to
# DIR/resp, until a line "exit" or until PARENT_PID is gone; the lab's
# EXIT trap tears the lab down.
fleet_node_serve() {
	local dir=$1 ppid=$2 line rc
	set -eo pipefail
	lab_init
	lab_up
	exec 3<>"$dir/req" 4<>"$dir/resp"
	{
		printf 'LAB_ID=%s\nLAB_CLI_NS=%s\nLAB_SRV_NS=%s\n' "$LAB_ID" "$LAB_CLI_NS" "$LAB_SRV_NS"
		printf 'LAB_VETH_CLI=%s\nLAB_TMP=%s\n' "$LAB_VETH_CLI" "$LAB_TMP"
		printf 'LAB_STATE=%s\nLAB_PIN=%s\n' "$LAB_STATE" "$LAB_PIN"
	} >"$dir/info.tmp"
	mv "$dir/info.tmp" "$dir/info"
	set +e
	while :; do
		if ! read -r -t 1 line <&3; then
			kill -0 "$ppid" 2>/dev/null || exit 0
			continue
		fi
		[[ $line == exit ]] && exit 0
		eval "$line" <"$dir/in" >"$dir/out" 2>"$dir/err"
		rc=$?
		printf '%d\n' "$rc" >&4
	done
}
