#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fluxwall namespace lab: a real Knot DNS authoritative server in one network
# namespace, a real client (kdig) in another, a veth pair between them, and
# fluxwall attached in native XDP mode on the client's veth end, which is the
# end that receives the DNS responses.
#
#   scripts/lab.sh demo     build the lab, show blocking, tear it down
#   scripts/lab.sh check    build the lab without fluxwall and check that DNS
#                           works over IPv4/IPv6, UDP/TCP (lab self-test)
#   scripts/lab.sh shell    build the lab, attach fluxwall, open a shell in
#                           the client namespace; the lab goes when it exits
#
# As a library (tests/e2e/*.sh):   source scripts/lab.sh; lab_init; lab_up
# lab_init installs an EXIT/INT/TERM trap that tears everything down.
#
# Topology (addresses exist only inside the lab namespaces):
#
#   netns fwlab-ID-srv                          netns fwlab-ID-cli
#   knotd  192.0.2.1/24  2001:db8:f1::1/64 --- 192.0.2.2/24  2001:db8:f1::2/64
#          veth fwIDs                           veth fwIDc  <- fluxwall (native)
#
# Pinned maps and bpffs: `ip netns exec` unshares the mount namespace and
# mounts a fresh sysfs on /sys, so the host's /sys/fs/bpf is not visible
# inside it (and a bpffs mounted there would be a new, empty instance that
# vanishes when the command exits). The lab therefore makes a directory in
# the host bpffs, /sys/fs/bpf/fwlab-ID, bind-mounts it on $LAB_TMP/bpf, and
# points FLUXWALL_PIN_PATH at $LAB_TMP/bpf/pins. The bind mount exists before
# `ip netns exec` copies the mount table, so every fluxwall invocation sees
# the same pins, and they stay visible on the host under /sys/fs/bpf/fwlab-ID.
#
# Safety: nothing here touches an interface the lab did not create. The veth
# pair is created directly inside the two namespaces and never appears in the
# host namespace; all traffic stays on it.

# ---------------------------------------------------------------- settings

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLUXWALL=${FLUXWALL:-$LAB_REPO/build/fluxwall}

LAB_SRV4=192.0.2.1
LAB_CLI4=192.0.2.2
LAB_SRV6=2001:db8:f1::1
LAB_CLI6=2001:db8:f1::2
LAB_ZONE=lab.example

# Expected answers, for callers that check record values.
LAB_WWW_A=198.51.100.10
LAB_WWW_AAAA=2001:db8:100::10
LAB_EVIL_A=203.0.113.66
LAB_EVIL_SUB_A=203.0.113.67
LAB_EVIL_SUB_AAAA=2001:db8:666::67
LAB_NOTEVIL_A=198.51.100.20
LAB_NOTEVIL_AAAA=2001:db8:100::20

LAB_VERBOSE=${LAB_VERBOSE:-0}
LAB_KEEP=${LAB_KEEP:-0} # 1: keep the temp dir (logs) after cleanup

LAB_ID=
LAB_TMP=
LAB_CSUM_STRICT=0 # set by lab_csum_strict; read by tests
LAB_DONE=0
LAB_HOOKS=()

# ---------------------------------------------------------------- helpers

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_debug() { [[ $LAB_VERBOSE == 1 ]] && lab_log "$@"; return 0; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# lab_need CMD... : fail unless every command exists.
lab_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || lab_die "missing command: $c"
	done
}

# lab_preflight: root, tools and bpffs, or a message on stderr and status 1.
lab_preflight() {
	local c missing=()
	if [[ $(id -u) -ne 0 ]]; then
		echo "must run as root (network namespaces, XDP)" >&2
		return 1
	fi
	for c in ip knotd knotc kdig mount umount; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	if ((${#missing[@]})); then
		echo "missing commands: ${missing[*]} (run scripts/install-deps.sh)" >&2
		return 1
	fi
	if [[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) != bpf_fs ]]; then
		echo "bpffs is not mounted at /sys/fs/bpf" >&2
		return 1
	fi
}

# lab_on_cleanup CMD : run CMD (eval'd) at teardown, before the lab goes,
# last registered first. Its output is shown: redirect it in CMD if needed.
lab_on_cleanup() { LAB_HOOKS+=("$1"); }

lab_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------- lifecycle

# lab_init: pick unique names, make the temp dir, install the cleanup trap.
lab_init() {
	LAB_ID=$(printf '%04x%02x' $(($$ % 65536)) $((RANDOM % 256)))
	LAB_SRV_NS=fwlab-$LAB_ID-srv
	LAB_CLI_NS=fwlab-$LAB_ID-cli
	LAB_VETH_SRV=fw${LAB_ID}s # 9 characters, under IFNAMSIZ
	LAB_VETH_CLI=fw${LAB_ID}c
	LAB_BPFFS_DIR=/sys/fs/bpf/fwlab-$LAB_ID
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwlab-$LAB_ID.XXXXXX")
	LAB_PIN=$LAB_TMP/bpf/pins
	LAB_STATE=$LAB_TMP/state
	LAB_KNOT_DIR=$LAB_TMP/knot
	LAB_FW_ENV=(FLUXWALL_PIN_PATH="$LAB_PIN" FLUXWALL_STATE_DIR="$LAB_STATE"
		LIBXDP_BPFFS="$LAB_TMP/bpf")
	LAB_DONE=0
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	lab_debug "id $LAB_ID, temp dir $LAB_TMP"
}

# lab_up: namespaces, veth, server; waits until the server answers.
lab_up() {
	lab_netns_up
	lab_bpffs_up
	lab_knot_start
	lab_wait_dns
}

lab_netns_up() {
	ip netns add "$LAB_SRV_NS"
	ip netns add "$LAB_CLI_NS"
	ip link add "$LAB_VETH_SRV" netns "$LAB_SRV_NS" type veth \
		peer name "$LAB_VETH_CLI" netns "$LAB_CLI_NS"
	lab_if_up "$LAB_SRV_NS" "$LAB_VETH_SRV" "$LAB_SRV4/24" "$LAB_SRV6/64"
	lab_if_up "$LAB_CLI_NS" "$LAB_VETH_CLI" "$LAB_CLI4/24" "$LAB_CLI6/64"
	lab_csum_strict
}

# lab_csum_strict: make the client kernel verify UDP checksums of responses.
# By default veth passes CHECKSUM_PARTIAL skbs and the receiver never checks
# the checksum, so a response rewritten with a wrong checksum would still be
# accepted. With transmit checksum offload off on the server's end, the server
# computes full checksums in software and the client verifies them: a bad
# rewrite then shows up as a timeout. Sets LAB_CSUM_STRICT to 1 or 0.
lab_csum_strict() {
	LAB_CSUM_STRICT=0
	if ! command -v ethtool >/dev/null 2>&1; then
		lab_log "warning: no ethtool; checksums of rewritten responses go unchecked"
		return 0
	fi
	ip netns exec "$LAB_SRV_NS" ethtool -K "$LAB_VETH_SRV" tx off >/dev/null
	# shellcheck disable=SC2034 # read by the tests
	LAB_CSUM_STRICT=1
}

# lab_if_up NS IFACE ADDR4 ADDR6
lab_if_up() {
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" addr add "$4" dev "$2" nodad
	ip -n "$1" link set "$2" up
}

lab_bpffs_up() {
	mkdir -p "$LAB_BPFFS_DIR" "$LAB_TMP/bpf" "$LAB_STATE"
	mount --bind "$LAB_BPFFS_DIR" "$LAB_TMP/bpf"
}

# lab_cleanup: idempotent teardown; safe after a partial lab_up. Deleting the
# namespaces destroys the veth pair, which releases the XDP program; removing
# the bpffs directory releases the pinned maps. No fluxwall call is needed.
lab_cleanup() {
	local rc=$? i
	[[ $LAB_DONE == 1 || -z $LAB_ID ]] && return "$rc"
	LAB_DONE=1
	set +e
	for ((i = ${#LAB_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${LAB_HOOKS[i]}"
	done
	lab_netns_kill "$LAB_SRV_NS"
	lab_netns_kill "$LAB_CLI_NS"
	ip netns del "$LAB_SRV_NS" 2>/dev/null
	ip netns del "$LAB_CLI_NS" 2>/dev/null
	if [[ -n $LAB_TMP ]] && mountpoint -q "$LAB_TMP/bpf"; then
		umount "$LAB_TMP/bpf"
	fi
	[[ -d $LAB_BPFFS_DIR ]] && rm -rf "$LAB_BPFFS_DIR"
	if [[ $LAB_KEEP == 1 ]]; then
		lab_log "kept $LAB_TMP"
	elif [[ -n $LAB_TMP && -d $LAB_TMP ]]; then
		rm -rf "$LAB_TMP"
	fi
	return "$rc"
}

# lab_netns_kill NS: end the processes the lab started inside NS.
lab_netns_kill() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[[ -z $pids ]] && return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[[ -z $pids ]] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	sleep 0.1
}

# ---------------------------------------------------------------- Knot DNS

lab_zone_text() {
	cat <<EOF
\$ORIGIN $LAB_ZONE.
\$TTL 60
@		SOA	ns hostmaster 1 3600 600 86400 60
@		NS	ns
ns		A	$LAB_SRV4
ns		AAAA	$LAB_SRV6
www		A	$LAB_WWW_A
www		AAAA	$LAB_WWW_AAAA
evil		A	$LAB_EVIL_A
evil		AAAA	2001:db8:666::66
a.evil		A	$LAB_EVIL_SUB_A
a.evil		AAAA	$LAB_EVIL_SUB_AAAA
b.a.evil	A	203.0.113.68
notevil		A	$LAB_NOTEVIL_A
notevil		AAAA	$LAB_NOTEVIL_AAAA
EOF
}

# Dynamic updates (knsupdate) are allowed from the lab subnets only, for the
# later labs that rotate records.
lab_knot_conf() {
	cat <<EOF
server:
    rundir: "$LAB_KNOT_DIR/run"
    listen: [ $LAB_SRV4@53, $LAB_SRV6@53 ]
    udp-workers: 2
    tcp-workers: 2
    background-workers: 1
log:
  - target: "$LAB_KNOT_DIR/knotd.log"
    any: info
database:
    storage: "$LAB_KNOT_DIR/db"
control:
    listen: "$LAB_KNOT_DIR/run/knot.sock"
acl:
  - id: lab_update
    address: [ 192.0.2.0/24, 2001:db8:f1::/64 ]
    action: update
template:
  - id: default
    storage: "$LAB_KNOT_DIR/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: $LAB_ZONE
    acl: lab_update
EOF
}

lab_knot_start() {
	mkdir -p "$LAB_KNOT_DIR/run" "$LAB_KNOT_DIR/db" "$LAB_KNOT_DIR/zones"
	lab_zone_text >"$LAB_KNOT_DIR/zones/$LAB_ZONE.zone"
	lab_knot_conf >"$LAB_KNOT_DIR/knot.conf"
	knotc -c "$LAB_KNOT_DIR/knot.conf" conf-check >/dev/null ||
		lab_die "knot.conf does not check: $LAB_KNOT_DIR/knot.conf"
	ip netns exec "$LAB_SRV_NS" knotd -c "$LAB_KNOT_DIR/knot.conf" \
		</dev/null >>"$LAB_KNOT_DIR/knotd.out" 2>&1 &
	LAB_KNOT_PID=$!
	lab_debug "knotd pid $LAB_KNOT_PID"
}

# lab_wait_dns: until the zone answers over UDP/TCP and IPv4/IPv6 (5 s max).
lab_wait_dns() {
	local i
	for ((i = 0; i < 50; i++)); do
		if lab_soa_ok "$LAB_SRV4" "" && lab_soa_ok "$LAB_SRV6" "" &&
			lab_soa_ok "$LAB_SRV4" +tcp && lab_soa_ok "$LAB_SRV6" +tcp; then
			lab_debug "server ready after $((i * 100)) ms"
			return 0
		fi
		kill -0 "$LAB_KNOT_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$LAB_KNOT_DIR/knotd.log" "$LAB_KNOT_DIR/knotd.out" >&2 2>/dev/null
	lab_die "knotd did not answer for $LAB_ZONE"
}

lab_soa_ok() {
	ip netns exec "$LAB_CLI_NS" kdig @"$1" "$LAB_ZONE" SOA +timeout=1 +retry=0 \
		${2:+"$2"} 2>/dev/null | grep -q 'status: NOERROR'
}

# ---------------------------------------------------------------- clients

# lab_kdig [-6] [-t] NAME [TYPE]: raw kdig output from the client namespace.
lab_kdig() {
	local server=$LAB_SRV4 tcp=
	while [[ $# -gt 0 ]]; do
		case $1 in
		-6) server=$LAB_SRV6 ;;
		-t) tcp=+tcp ;;
		*) break ;;
		esac
		shift
	done
	ip netns exec "$LAB_CLI_NS" kdig @"$server" "$1" "${2:-A}" \
		+timeout=1 +retry=0 ${tcp:+"$tcp"} 2>&1
}

# lab_query [-6] [-t] NAME [TYPE]: sets LAB_R to one line, "RCODE value..."
# (values of the answers of TYPE, in order) or "TIMEOUT", and LAB_QUERY_MS to
# the time the query took. Not for use in $(...): it sets globals.
lab_query() {
	local args=() type=A out t0
	while [[ $1 == -* ]]; do
		args+=("$1")
		shift
	done
	[[ -n ${2:-} ]] && type=$2
	t0=$(lab_ms)
	out=$(lab_kdig "${args[@]}" "$1" "$type") || true
	LAB_QUERY_MS=$(($(lab_ms) - t0))
	lab_result "$out" "$type"
}

# lab_result KDIG_OUTPUT TYPE [OWNER]: set LAB_R from kdig's output: "RCODE
# value..." (the answers of TYPE, owned by OWNER if given, in order), or
# "TIMEOUT" when no response came. Shared by every query helper of the lab.
lab_result() {
	local status
	status=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$1" | head -n 1)
	if [[ -z $status ]]; then
		LAB_R=TIMEOUT
		return 0
	fi
	LAB_R=$(awk -v t="$2" -v s="$status" -v n="${3:+${3,,}.}" '
		/^;/ { next }
		(n == "" || tolower($1) == n) && $3 == "IN" && $4 == t { v = v " " $5 }
		END { print s v }' <<<"$1")
}

# lab_stop_pid PID: TERM, up to 3 s to exit, then KILL; always succeeds.
lab_stop_pid() {
	local i
	[[ -z $1 ]] && return 0
	kill -TERM "$1" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# lab_unbound_common DIR: the server: lines every lab Unbound shares, on
# stdout: its files under DIR, no chroot or privilege drop (it runs in a
# namespace of the lab's), one thread, its log in DIR.
lab_unbound_common() {
	cat <<EOF
server:
    directory: "$1"
    chroot: ""
    username: ""
    pidfile: "$1/unbound.pid"
    use-syslog: no
    logfile: "$1/unbound.log"
    log-time-ascii: yes
    verbosity: 1
    num-threads: 1
EOF
}

# ---------------------------------------------------------------- fluxwall

# lab_fw ARGS...: run the fluxwall CLI in the client namespace on the lab's
# private pin path and state dir. LIBXDP_BPFFS tells libxdp where a bpffs is,
# since /sys/fs/bpf is not one inside `ip netns exec`; its lock and dispatcher
# pins then also stay in the lab's private directory.
lab_fw() {
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" "$@"
}

# shellcheck disable=SC2120 # callers may pass --action
# lab_attach [ARGS...]: attach fluxwall natively on the client's veth end.
lab_attach() {
	[[ -x $FLUXWALL ]] || lab_die "$FLUXWALL is not built (make build/fluxwall)"
	lab_fw attach "$LAB_VETH_CLI" --mode native "$@"
}

# lab_xdp_mode: "native", "skb" or "none" for the client's veth end.
lab_xdp_mode() {
	local line
	line=$(ip -n "$LAB_CLI_NS" -d link show dev "$LAB_VETH_CLI")
	if grep -qw xdpgeneric <<<"$line"; then
		echo skb
	elif grep -qE '(^| )xdp( |$)' <<<"$line" || grep -q 'prog/xdp ' <<<"$line"; then
		echo native
	else
		echo none
	fi
}

# ---------------------------------------------------------------- entry points

# Printing for a human watching the demo.
demo_head() {
	if [[ -t 1 ]]; then
		printf '\n\033[1m== %s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}
demo_fw() {
	printf '$ fluxwall %s\n' "$*"
	lab_fw "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
# demo_dig [-6] [-t] NAME TYPE: show the query as kdig would be typed.
demo_dig() {
	local server=$LAB_SRV4 tcp=
	[[ $* == *-6* ]] && server=$LAB_SRV6
	[[ $* == *-t* ]] && tcp=" +tcp"
	printf '$ kdig @%s %s %s%s\n' "$server" "${*: -2:1}" "${*: -1}" "$tcp"
	lab_query "$@"
	printf '    -> %s (%d ms)\n' "$LAB_R" "$LAB_QUERY_MS"
}

lab_demo() {
	local why
	if ! why=$(lab_preflight 2>&1); then
		lab_die "$why"
	fi
	[[ -x $FLUXWALL ]] || lab_die "$FLUXWALL is not built; run make"
	lab_init
	demo_head "Building the lab: Knot DNS in $LAB_SRV_NS, kdig in $LAB_CLI_NS"
	lab_up
	echo "veth $LAB_VETH_SRV ($LAB_SRV4, $LAB_SRV6) <-> $LAB_VETH_CLI ($LAB_CLI4, $LAB_CLI6)"

	demo_head "Attach fluxwall (native XDP) on $LAB_VETH_CLI, the receiving end"
	demo_fw attach "$LAB_VETH_CLI" --mode native
	echo "XDP mode reported by ip link: $(lab_xdp_mode)"

	demo_head "Allowed names resolve"
	demo_dig www.$LAB_ZONE A
	demo_dig a.evil.$LAB_ZONE A

	demo_head "Block the subtree evil.$LAB_ZONE (action drop)"
	demo_fw block add evil.$LAB_ZONE --action drop
	demo_dig a.evil.$LAB_ZONE A
	demo_dig -6 evil.$LAB_ZONE AAAA
	demo_dig notevil.$LAB_ZONE A
	demo_dig www.$LAB_ZONE A

	demo_head "Same rule, action nxdomain: the response is rewritten"
	demo_fw block add evil.$LAB_ZONE --action nxdomain
	demo_dig a.evil.$LAB_ZONE A
	demo_dig -6 b.a.evil.$LAB_ZONE A
	demo_dig -t a.evil.$LAB_ZONE A
	echo "(over TCP nxdomain falls back to drop)"

	demo_head "Status"
	demo_fw block list
	demo_fw status

	demo_head "Delete the rule: resolution is restored"
	demo_fw block del evil.$LAB_ZONE
	demo_dig a.evil.$LAB_ZONE A

	# shellcheck source=scripts/lab-flux.sh
	source "$LAB_REPO/scripts/lab-flux.sh"
	# shellcheck source=scripts/demo-flux.sh
	source "$LAB_REPO/scripts/demo-flux.sh"
	demo_flux

	demo_head "Cleaning up"
	lab_cleanup
	echo "namespaces, veth pair, pinned maps and temp files removed"
}

lab_check() {
	local why q flags fails=0
	if ! why=$(lab_preflight 2>&1); then
		lab_die "$why"
	fi
	lab_init
	lab_up
	for q in "www.$LAB_ZONE A" "www.$LAB_ZONE AAAA" "a.evil.$LAB_ZONE A" \
		"notevil.$LAB_ZONE AAAA"; do
		for flags in "" "-6" "-t" "-6 -t"; do
			# shellcheck disable=SC2086
			lab_query $flags $q
			printf '%-6s %-28s %s (%d ms)\n' "${flags:-v4}" "$q" "$LAB_R" "$LAB_QUERY_MS"
			[[ $LAB_R == NOERROR\ * ]] || fails=$((fails + 1))
		done
	done
	lab_query nothere.$LAB_ZONE A
	printf '%-6s %-28s %s\n' v4 "nothere.$LAB_ZONE A" "$LAB_R"
	[[ $LAB_R == NXDOMAIN ]] || fails=$((fails + 1))
	((fails == 0)) || lab_die "$fails lab checks failed"
	echo "lab check: ok"
}

lab_shell() {
	local why
	if ! why=$(lab_preflight 2>&1); then
		lab_die "$why"
	fi
	lab_init
	lab_up
	lab_attach
	cat <<EOF
Lab $LAB_ID is up. In this shell (namespace $LAB_CLI_NS):
  fluxwall block add evil.$LAB_ZONE --action nxdomain
  kdig @$LAB_SRV4 a.evil.$LAB_ZONE +timeout=1 +retry=0
Exit the shell to tear the lab down.
EOF
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" \
		PATH="$(dirname "$FLUXWALL"):$PATH" PS1="fwlab-$LAB_ID# " \
		bash --norc -i || true
}

lab_main() {
	set -euo pipefail
	case ${1:-} in
	demo) lab_demo ;;
	check) lab_check ;;
	shell) lab_shell ;;
	*)
		sed -n '/^#   scripts/,/^#$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	lab_main "$@"
fi
