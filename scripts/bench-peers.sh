#!/bin/bash
# make bench-peers: fluxwall against what operators deploy instead, in a
# namespace lab. trafgen sends DNS responses at a fixed rate over a veth
# pair (half for a blocked name, half for an allowed one); the CPU per
# packet is sys+irq+softirq from /proc/stat over packets sent, sender
# included, for:
#   none      nothing attached
#   drop      an XDP program that drops everything: the floor
#   fluxwall  fluxwall (native XDP) with N rules
#   iptables  one raw-table string-match rule per blocked name
#   skb       fluxwall in skb (generic) mode
# Every blocked response must be dropped and every allowed one delivered,
# counted at the receiver's UDP layer. Then the resolver alternative: the
# same names as an RPZ in Unbound (load time, memory, dnsperf qps).
# Output: a table, build/bench-peers.json and build/bench-peers.png.
#
# Safety: two namespaces and a veth pair with unique names, created inside
# the namespaces; no host interface is touched. Pins live in a private
# bpffs directory; everything is removed on exit.
#   BENCH_RATE (kpps, default 100)  BENCH_SECONDS (default 3)
#   BENCH_NS ("1 100 10000 1000000")  BENCH_RUNS (default 3, median)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
FW=$REPO/build/fluxwall
RATE=${BENCH_RATE:-100}
SECS=${BENCH_SECONDS:-3}
NS_LIST=${BENCH_NS:-"1 100 10000 1000000"}
RUNS=${BENCH_RUNS:-3}
IPT_LOAD_LIMIT=60 # seconds; iptables stops at the first N that takes longer

[ "$(id -u)" -eq 0 ] || { echo "bench-peers: run as root" >&2; exit 1; }
for c in trafgen iptables-restore unbound dnsperf gnuplot ip jq kdig bc; do
	command -v $c >/dev/null || { echo "bench-peers: missing $c (scripts/install-deps.sh)" >&2; exit 1; }
done

ID=$(printf '%04x%02x' $(($$ % 65536)) $((RANDOM % 256)))
GEN=fwbp-$ID-gen
RX=fwbp-$ID-rx
VG=fwbp${ID}g
VR=fwbp${ID}r
TMP=$(mktemp -d /tmp/fwbp-$ID.XXXXXX)
BPFFS=/sys/fs/bpf/fwbp-$ID
export FLUXWALL_PIN_PATH=$TMP/bpf/pins FLUXWALL_STATE_DIR=$TMP/state LIBXDP_BPFFS=$TMP/bpf
UNBOUND_PID=

cleanup() {
	set +e
	[ -n "$UNBOUND_PID" ] && kill "$UNBOUND_PID" 2>/dev/null
	ip netns del "$GEN" 2>/dev/null
	ip netns del "$RX" 2>/dev/null
	mountpoint -q "$TMP/bpf" && umount "$TMP/bpf"
	rm -rf "$BPFFS" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$GEN"
ip netns add "$RX"
ip link add "$VG" netns "$GEN" type veth peer name "$VR" netns "$RX"
for ns in "$GEN:$VG:192.0.2.1" "$RX:$VR:192.0.2.2"; do
	IFS=: read -r n d a <<<"$ns"
	# no IPv6 chatter (router solicitations, MLD) in the packet counts
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$n" link set lo up
	ip -n "$n" addr add "$a/24" dev "$d"
	ip -n "$n" link set "$d" up
done
# GRO off: the receiver handles every case packet by packet.
ip netns exec "$RX" ethtool -K "$VR" gro off >/dev/null 2>&1 || true
mkdir -p "$BPFFS" "$TMP/bpf" "$TMP/state"
mount --bind "$BPFFS" "$TMP/bpf"
MAC_RX=$(ip -n "$RX" -br link show "$VR" | awk '{print $3}')
MAC_GEN=$(ip -n "$GEN" -br link show "$VG" | awk '{print $3}')

BLOCKED=n0000000.example # the first fill name: blocked at every N
ALLOWED=www.allowed.test

# fill_names N: the blocked names, 2 to 6 labels as in make bench.
fill_names() {
	awk -v n="$1" 'BEGIN { split("example f.example g.f.example h.g.f.example i.h.g.f.example", t, " ");
		for (i = 0; i < n; i++) printf "n%07d.%s\n", i, t[i % 5 + 1] }'
}

# The two frames, as trafgen byte lists: Ethernet, IPv4, UDP from port 53,
# a DNS response with one A record.
python3 - "$MAC_GEN" "$MAC_RX" "$BLOCKED" "$ALLOWED" >"$TMP/frames.cfg" <<'EOF'
import struct, sys
src, dst, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
for name in names:
    q = b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'
    dns = struct.pack('!6H', 0x1234, 0x8180, 1, 1, 0, 0) + q + struct.pack('!HH', 1, 1)
    dns += struct.pack('!HHHIH', 0xc00c, 1, 1, 300, 4) + bytes([198, 51, 100, 10])
    udp = struct.pack('!4H', 53, 40000, 8 + len(dns), 0) + dns
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = bytes.fromhex(dst.replace(':', '')) + bytes.fromhex(src.replace(':', '')) + b'\x08\x00'
    print('{ ' + ', '.join('0x%02x' % b for b in eth + ip + udp) + ' }')
EOF

# Seconds since $1 (date +%s.%N), with a leading zero: JSON needs one.
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", t1 - t0 }'; }

cpu_ticks() { awk '/^cpu / { print $4 + $7 + $8 }' /proc/stat; }
udp_in() { ip netns exec "$RX" awk '/^Udp: [0-9]/ { print $2 + $3 + $4 + $6 }' /proc/net/snmp; }

tx_packets() { ip netns exec "$GEN" cat /sys/class/net/"$VG"/statistics/tx_packets; }

# measure NAME N: median CPU per packet (ns) over RUNS; checks delivery.
# want: "all" (nothing filters), "half" (the blocked half dropped), "none".
# trafgen is stopped after 3 x SECS: a filter slower than the offered rate
# (iptables' string match at 10^4 rules) then sends fewer packets, and the
# CPU is divided by the packets the generator's veth really sent.
measure() {
	local label=$1 n=$2 want=$3 r pkts s0 t0 t1 u0 u1 got sent lo hi ns list=()
	pkts=$((RATE * 1000 * SECS))
	for ((r = 0; r < RUNS; r++)); do
		s0=$(tx_packets)
		u0=$(udp_in)
		t0=$(cpu_ticks)
		timeout -s INT $((SECS * 3)) ip netns exec "$GEN" trafgen -Q -P 1 -q -o "$VG" \
			-i "$TMP/frames.cfg" -b "$((RATE * 1000))pps" -n "$pkts" >/dev/null 2>&1 || true
		t1=$(cpu_ticks)
		sleep 0.2
		u1=$(udp_in)
		sent=$(($(tx_packets) - s0))
		got=$((u1 - u0))
		case $want in
		all) lo=$sent hi=$sent ;;
		half) lo=$((sent / 2)) hi=$(((sent + 1) / 2)) ;;
		none) lo=0 hi=0 ;;
		esac
		ns=$(awk -v t=$((t1 - t0)) -v p="$sent" -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.0f", p ? t * 1e9 / hz / p : 0 }')
		list+=("$ns")
		# More than expected: a blocked response got through. Fewer: the
		# receiver could not keep up (an overloaded filter drops allowed
		# packets too), which is a cost, not a wrong verdict.
		if [ "$got" -gt "$hi" ]; then
			echo "bench-peers: $label N=$n: $got of $sent delivered, expected $hi" >&2
			echo "$label $n" >>"$TMP/wrong"
		elif [ "$got" -lt $((lo - lo / 1000)) ]; then # a stray frame is not overload
			echo "bench-peers: $label N=$n: overloaded, $got of $lo allowed delivered" >&2
			echo "$label $n $got $lo" >>"$TMP/overloaded"
		fi
		[ "$sent" -lt "$pkts" ] &&
			echo "bench-peers: $label N=$n: $sent of $pkts sent in $((SECS * 3)) s (the filter is slower than $RATE kpps)" >&2
	done
	printf '%s\n' "${list[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

detach_all() {
	ip -n "$RX" link set dev "$VR" xdp off 2>/dev/null || true
	ip -n "$RX" link set dev "$VR" xdpgeneric off 2>/dev/null || true
	ip netns exec "$RX" iptables -t raw -F PREROUTING 2>/dev/null || true
}

fw_load() { # N: a fresh rule set of N names, through the CLI
	"$FW" detach --purge >/dev/null 2>&1 || true
	fill_names "$1" >"$TMP/names.txt"
	local t0=$(date +%s.%N)
	"$FW" block import "$TMP/names.txt" --source bench >/dev/null
	FW_IMPORT_S=$(since "$t0")
}

ipt_load() { # N: one raw-table rule per name; prints the load time in s
	fill_names "$1" | python3 -c '
import sys
print("*raw")
for name in sys.stdin:
    h = "".join("|%02x|%s" % (len(l), l) for l in name.strip().split(".")) + "|00|"
    print("-A PREROUTING -p udp --sport 53 -m string --algo bm --hex-string \"%s\" -j DROP" % h)
print("COMMIT")' >"$TMP/ipt.rules"
	local t0=$(date +%s.%N)
	timeout $IPT_LOAD_LIMIT ip netns exec "$RX" iptables-restore <"$TMP/ipt.rules" || return 1
	since "$t0"
}

JSON=()
echo "bench-peers: $RATE kpps for $SECS s, median of $RUNS, on $(hostname) ($(nproc) CPUs, $(uname -r))"
none=$(measure none 0 all)
ip -n "$RX" link set dev "$VR" xdpdrv obj build/bench_drop.bpf.o sec xdp
floor=$(measure drop 0 none)
detach_all
echo "none: $none ns/packet; XDP drop (floor): $floor ns/packet"
IPT_STOP=
printf '%-9s %10s %10s %10s %10s %12s\n' N fluxwall skb iptables fw-floor ipt-load-s
for n in $NS_LIST; do
	fw_load "$n"
	ip netns exec "$RX" "$FW" attach "$VR" --mode native >/dev/null
	fw=$(measure fluxwall "$n" half)
	ip netns exec "$RX" "$FW" detach "$VR" >/dev/null
	ip netns exec "$RX" "$FW" attach "$VR" --mode skb >/dev/null
	skb=$(measure skb "$n" half)
	ip netns exec "$RX" "$FW" detach "$VR" >/dev/null
	mem=$(bpftool map show pinned "$FLUXWALL_PIN_PATH/fw_rules" | awk '/memlock/ { sub("B", "", $NF); print $NF }')
	ipt=null iptload=null
	if [ -z "$IPT_STOP" ]; then
		if iptload=$(ipt_load "$n") && [ "$(echo "$iptload < $IPT_LOAD_LIMIT" | bc)" = 1 ]; then
			ipt=$(measure iptables "$n" half)
		else
			IPT_STOP=$n iptload=null
		fi
		detach_all
	fi
	printf '%-9s %10s %10s %10s %10s %12s\n' "$n" "$fw" "$skb" "$ipt" "$((fw - floor))" "$iptload"
	JSON+=("{\"n\":$n,\"fluxwall_ns\":$fw,\"skb_ns\":$skb,\"iptables_ns\":$ipt,\"iptables_load_s\":$iptload,\"fluxwall_import_s\":$FW_IMPORT_S,\"rule_map_memlock\":${mem:-null}}")
done
"$FW" detach --purge >/dev/null 2>&1 || true
[ -n "$IPT_STOP" ] && echo "iptables: stopped at N=$IPT_STOP (loading took over $IPT_LOAD_LIMIT s)"

# The resolver alternative: the names as an RPZ in Unbound, in the receiver namespace.
RESOLVER=()
printf '%-9s %10s %10s %12s %12s\n' N load-s rss-MiB qps-blocked qps-allowed
for n in $NS_LIST; do
	{
		echo "\$TTL 300"
		echo "@ SOA localhost. root.localhost. 1 3600 600 86400 300"
		echo "@ NS localhost."
		fill_names "$n" | sed 's/$/ CNAME ./'
	} >"$TMP/rpz.zone"
	cat >"$TMP/unbound.conf" <<EOF
server:
	interface: 192.0.2.2
	port: 53
	do-daemonize: no
	use-syslog: no
	username: ""
	chroot: ""
	directory: "$TMP"
	pidfile: ""
	num-threads: 1
	access-control: 192.0.2.0/24 allow
	module-config: "respip validator iterator"
	local-zone: "allowed.test." static
	local-data: "$ALLOWED. 300 IN A 198.51.100.10"
rpz:
	name: rpz.bench
	zonefile: "$TMP/rpz.zone"
EOF
	t0=$(date +%s.%N)
	ip netns exec "$RX" unbound -c "$TMP/unbound.conf" >"$TMP/unbound.log" 2>&1 &
	UNBOUND_PID=$!
	until ip netns exec "$GEN" kdig +time=1 +retry=0 @192.0.2.2 "$ALLOWED" A 2>/dev/null | grep -q NOERROR; do
		kill -0 "$UNBOUND_PID" 2>/dev/null || { cat "$TMP/unbound.log" >&2; exit 1; }
		sleep 0.05
	done
	load=$(since "$t0")
	rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/"$UNBOUND_PID"/status)
	rcode=$(ip netns exec "$GEN" kdig +time=1 @192.0.2.2 "$BLOCKED" A | grep -o 'status: [A-Z]*' || true)
	[ "$rcode" = "status: NXDOMAIN" ] ||
		{ echo "bench-peers: unbound answered $BLOCKED with '$rcode'" >&2; echo "unbound $n" >>"$TMP/wrong"; }
	qps=()
	for name in "$BLOCKED" "$ALLOWED"; do
		echo "$name A" >"$TMP/q.txt"
		qps+=("$(ip netns exec "$GEN" dnsperf -s 192.0.2.2 -d "$TMP/q.txt" -l "$SECS" -c 4 -Q 1000000 2>/dev/null |
			awk '/Queries per second/ { printf "%.0f", $4 }')")
	done
	kill "$UNBOUND_PID"
	wait "$UNBOUND_PID" 2>/dev/null || true
	UNBOUND_PID=
	printf '%-9s %10s %10s %12s %12s\n' "$n" "$load" "$rss" "${qps[0]}" "${qps[1]}"
	RESOLVER+=("{\"n\":$n,\"unbound_load_s\":$load,\"unbound_rss_mib\":$rss,\"qps_blocked\":${qps[0]:-null},\"qps_allowed\":${qps[1]:-null}}")
done

WRONG=0
[ -f "$TMP/wrong" ] && WRONG=$(wc -l <"$TMP/wrong")
OVERLOADED=
[ -f "$TMP/overloaded" ] && OVERLOADED=$(awk '{ printf "%s{\"case\":\"%s\",\"n\":%s,\"delivered\":%s,\"expected\":%s}", (NR > 1 ? "," : ""), $1, $2, $3, $4 }' "$TMP/overloaded")
mkdir -p build
{
	printf '{"machine":"%s","cpus":%d,"kernel":"%s","rate_kpps":%d,"seconds":%d,"runs":%d,' \
		"$(hostname)" "$(nproc)" "$(uname -r)" "$RATE" "$SECS" "$RUNS"
	printf '"none_ns":%s,"floor_ns":%s,"iptables_stopped_at":%s,"wrong_deliveries":%d,' \
		"$none" "$floor" "${IPT_STOP:-null}" "$WRONG"
	printf '"overloaded":[%s],' "$OVERLOADED"
	printf '"xdp":[%s],"resolver":[%s]}\n' "$(IFS=,; echo "${JSON[*]}")" "$(IFS=,; echo "${RESOLVER[*]}")"
} | jq . >build/bench-peers.json
jq -r '.xdp[] | "\(.n) \(.fluxwall_ns) \(.skb_ns) \(.iptables_ns // "NaN")"' build/bench-peers.json >"$TMP/plot.dat"
gnuplot <<EOF
set terminal pngcairo size 800,500 noenhanced
set output "build/bench-peers.png"
set title "CPU per packet at $RATE kpps, sender included ($(hostname))"
set logscale xy
set xlabel "rules (N)"
set ylabel "ns per packet"
set key left top
plot "$TMP/plot.dat" using 1:2 with linespoints title "fluxwall (native XDP)", \
     "" using 1:3 with linespoints title "fluxwall (skb mode)", \
     "" using 1:4 with linespoints title "iptables string match", \
     $floor with lines dashtype 2 title "XDP drop (floor)", \
     $none with lines dashtype 3 title "nothing attached"
EOF
echo "bench-peers: build/bench-peers.json, build/bench-peers.png; wrong deliveries: $WRONG"
[ "$WRONG" -eq 0 ]
