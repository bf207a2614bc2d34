#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: faults under load, nothing lost. One lab (tests/e2e/test_flux.sh's:
# Knot and a real Unbound in the server namespace, kdig and `fluxwall run` in
# the client namespace), with a client asking for a round-robin site every
# 0.3 s from start to end and crafted resolver responses injected on the
# veth (build/tools/dns_inject) wherever a part needs the scorer busy or a
# domain to flux. The state and metrics directories are small tmpfs mounts
# of the test's own. Parts, in order:
#   1. the control socket under abuse: 100 clients at once, a third never
#      sending, a third never reading, a third sending garbage; explain and
#      stats answer within 2 s and samples keep being scored;
#   2. SIGKILL mid-stream: filtering goes on from the pinned maps; the
#      restarted daemon keeps every acknowledged block with its expiry,
#      logs no old event again and counts nothing twice;
#   3. ring-buffer overflow: a flood of changing answer sets while the
#      daemon is stopped (SIGSTOP) and then running: forwarding goes on,
#      samples_lost counts the loss, the daemon catches up, and every flux
#      domain it did see has its one block event;
#   4. the metrics directory full, then read-only: one message, not one per
#      write, and the daemon goes on;
#   5. the state directory full: `block add` is refused with a clear error
#      and the old state stays whole; the daemon's auto-blocks wait for space;
#   6. a second attached interface deleted: reported, the first still served;
#   7. bad geo data: missing, truncated and corrupt databases at start, then
#      one replaced and one truncated in place while the daemon runs.
# At the end: the round-robin site answered every query of the run.
#
# FLUX_SEED=N reproduces a run's address draws (printed at the start).
# Run as root; under CI=true a missing prerequisite is a failure.
# shellcheck disable=SC2016 # jq programs in single quotes
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e faults"
e2e_require_env jq knsupdate unbound unbound-checkconf awk python3 mount sha256sum bpftool
# shellcheck source=SCRIPTDIR/../../scripts/lab-flux.sh
source "$E2E_REPO/scripts/lab-flux.sh"

GEO=/var/lib/fluxwall/geo
MMDB_TESTDATA=$E2E_REPO/tests/data/mmdb
INJECT=$E2E_REPO/build/tools/dns_inject
RR=rr-site.example
FA=flux-a.example
SEED=${FLUX_SEED:-$((RANDOM * 32768 + RANDOM))}
BOUND_MS=2000 # explain and stats must answer within this under abuse

[[ -x $INJECT ]] || e2e_skip_or_fail "$INJECT is not built (make build-tests)"
e2e_geo_ensure "$GEO"

# --- helpers ----------------------------------------------------------------------
fails() { ! "$@"; }
alive() { kill -0 "$FLUX_DAEMON_PID" 2>/dev/null; }
auto_names() { # every auto entry as "name expires", sorted
	lab_fw block list --json | jq -r '.[] | select(.origin == "auto") | "\(.name) \(.expires)"' |
		sort
}
block_events() { # [NAME]: block events (of NAME), one JSON object a line
	jq -c --arg n "${1:-}" 'select(.event == "block" and ($n == "" or .name == $n))' \
		"$EVENTS" 2>/dev/null || true
}
nevents() { block_events "${1:-}" | grep -c . || true; }
counter() { lab_fw status --json | jq -r --arg k "$1" '.counters[$k]'; }
prom_value() { # METRIC FILE: its value, or "missing"
	awk -v m="$1" '$1 == m { v = $2 } END { print (v == "" ? "missing" : v) }' "$2" 2>/dev/null ||
		echo missing
}
daemon_samples() { # samples the daemon has taken from the ring since it started
	lab_fw top 2>/dev/null | awk '$1 == "tracked" { print $4 }' | tail -n 1
}
log_lines() { # PATTERN: lines of the running daemon's output matching PATTERN
	grep -c -- "$1" "$LAB_TMP/daemon.cur" 2>/dev/null || true
}

# inject FILE [ARGS...]: send FILE's responses ("NAME TTL ADDR..." lines) as
# if from the resolver to the client, out of the server's veth end (or
# INJECT_IF, another interface of the server namespace).
inject() {
	local file=$1
	shift
	ip netns exec "$LAB_SRV_NS" "$INJECT" --iface "${INJECT_IF:-$LAB_VETH_SRV}" --src "$FLUX_RES4" \
		--dst "$LAB_CLI4" "$@" "$file"
}
# flux_lines NAME SETS SEED: SETS answer sets of 6 home-router addresses for
# www.NAME, TTL 2, one response a line.
flux_lines() {
	flux_draw "$POOL_RES" $(($2 * 6)) "$3" 0 |
		awk -v n="www.$1" '{ a = a " " $1 } NR % 6 == 0 { print n, 2 a; a = "" }'
}
# make_flux NAME SEED [IFACE]: inject four answer sets of NAME, 50 ms apart.
make_flux() {
	flux_lines "$1" 4 "$2" >"$LAB_TMP/inject-$1"
	INJECT_IF=${3:-} inject "$LAB_TMP/inject-$1" --gap-us 50000 >/dev/null
}
# await_auto NAME [TENTHS]: until NAME has an auto entry (default 5 s).
await_auto() {
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		[[ $(flux_auto_entry "$1" name) != absent ]] && return 0
		sleep 0.1
	done
	return 1
}
# timed WHAT CMD...: run CMD; sets MS to how long it took, RC to its status.
timed() {
	local t0
	t0=$(lab_ms)
	RC=0
	"$@" >"$LAB_TMP/timed.out" 2>&1 || RC=$?
	MS=$(($(lab_ms) - t0))
}

rc_ok() { # the last timed command exited 0; its output when not
	[[ $RC == 0 ]] || { cat "$LAB_TMP/timed.out"; return 1; }
}

# start_daemon CONF: start it, or end the test saying why not. Its output
# is in daemon.cur; that of the one before it goes to daemon.out.
start_daemon() {
	[[ -f $LAB_TMP/daemon.cur ]] && cat "$LAB_TMP/daemon.cur" >>"$LAB_TMP/daemon.out"
	flux_daemon_start "$1" "$LAB_TMP/daemon.cur" && return 0
	e2e_not_ok "fluxwall run starts with $1" "$(tr '\n' ' ' <"$LAB_TMP/daemon.cur")"
	e2e_end
	exit 1
}

# tmpfs_mount DIR SIZE: a private tmpfs, gone at cleanup.
tmpfs_mount() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0755" fwfault "$1"
	lab_on_cleanup "umount -l '$1' 2>/dev/null"
}
# fill DIR: a file taking all the space left on DIR's tmpfs.
fill() { dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null || true; }

# --- the lab ----------------------------------------------------------------------
lab_init
lab_on_cleanup e2e_on_exit
lab_up
echo "lab $LAB_ID, seed $SEED (FLUX_SEED=$SEED reproduces the draws), temp $LAB_TMP"
# mounted before any `ip netns exec`, which copies the mount table
tmpfs_mount "$LAB_STATE" 4m
METRICS=$LAB_TMP/metrics
tmpfs_mount "$METRICS" 256k

POOL_RES=$LAB_TMP/pool-residential
check "residential ISP ranges of ${#FLUX_ISP_ASNS[@]} ASNs found in $GEO/asn-ipv4.csv" \
	flux_pool "$GEO/asn-ipv4.csv" "$POOL_RES" "${FLUX_ISP_ASNS[@]}"
RR_SET="198.51.100.31 198.51.100.32 198.51.100.33"
for ip in $RR_SET; do echo "www 30 A $ip"; done | flux_zone_add "$RR"
echo "www 2 A 198.51.100.41" | flux_zone_add "$FA"
flux_unbound_start "$RR" "$FA"

# The client's steady traffic: one query every 0.3 s, each result logged.
TRAFFIC=$LAB_TMP/traffic.log
(
	set +e
	while :; do
		flux_rquery "www.$RR" A
		echo "$LAB_R" >>"$TRAFFIC"
		sleep 0.3
	done
) &
TRAFFIC_PID=$!
lab_on_cleanup 'kill $TRAFFIC_PID 2>/dev/null'

GEO_DIR=$LAB_TMP/geo # the daemon's own copy, to damage in part 7
mkdir -p "$GEO_DIR"
cp "$GEO/asn.mmdb" "$GEO_DIR/asn.mmdb"
EVENTS=$LAB_TMP/events.jsonl
CONF=$LAB_TMP/fluxwall.conf
cat >"$CONF" <<EOF
event_log = $EVENTS
textfile_dir = $METRICS
textfile_interval = 1s
sample_interval = 5s
trusted_resolvers = $FLUX_RES4
auto_max_per_minute = 100000
geo_asn_db = $GEO_DIR/asn.mmdb
geo_country_db = $GEO/country.mmdb
geo_city_db = $GEO/city.mmdb
EOF
start_daemon "$CONF"
e2e_ok "fluxwall run is running on $LAB_VETH_CLI, state and metrics on small tmpfs mounts"
SOCK=$LAB_STATE/fluxwall.sock

# ================================================================ 1. control socket abuse
ABUSE=$LAB_TMP/abuse.py
cat >"$ABUSE" <<'EOF'
# abuse.py SOCK SECONDS: 100 clients at once on the daemon's control socket:
# one in three connects and never sends, one in three asks for the metrics
# and never reads, one in three sends 4 KiB of garbage; all stay connected
# for SECONDS. Prints how many connected.
import random, socket, sys, threading, time
path, hold = sys.argv[1], float(sys.argv[2])
random.seed(7)
garbage = bytes(random.getrandbits(8) for _ in range(4096))
conns, lock = [], threading.Lock()

def client(i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(hold)
    try:
        s.connect(path)  # waits while the listen backlog is full
        with lock:
            conns.append(s)
        if i % 3 == 1:
            s.sendall(b"metrics\n")
        elif i % 3 == 2:
            s.sendall(garbage)
    except OSError:
        pass  # the daemon may close a garbage sender first

threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(conns), flush=True)
time.sleep(hold)
EOF
python3 "$ABUSE" "$SOCK" 6 >"$LAB_TMP/abuse.out" 2>&1 &
ABUSE_PID=$!
sleep 0.5
samples0=$(counter samples_sent)
make_flux flux-abuse.example "$SEED"
timed lab_fw explain "$RR"
check "under abuse: explain $RR answers (exit 0)" rc_ok
check "under abuse: explain answered within $BOUND_MS ms ($MS ms)" test "$MS" -le "$BOUND_MS"
timed lab_fw stats
check "under abuse: stats answers from the daemon within $BOUND_MS ms ($MS ms)" \
	eval '[[ $RC == 0 && $MS -le $BOUND_MS ]] && grep -q fluxwall_tracked_domains "$LAB_TMP/timed.out"'
check "under abuse: the samples injected meanwhile were scored: flux-abuse blocked" \
	await_auto flux-abuse.example
wait "$ABUSE_PID" || true
check_eq "all 100 abusive clients connected at once" 100 "$(head -n 1 "$LAB_TMP/abuse.out")"
check "after the abuse: the daemon runs" alive
timed lab_fw explain flux-abuse.example
check "after the abuse: explain answers within $BOUND_MS ms ($MS ms)" \
	eval '[[ $RC == 0 && $MS -le $BOUND_MS ]]'
echo "samples sent during the abuse: $(($(counter samples_sent) - samples0))"

# ================================================================ 2. SIGKILL mid-stream
make_flux "$FA" $((SEED + 1))
check "$FA is auto-blocked on its injected answer sets" await_auto "$FA"
flux_rquery "www.$FA" A
check_eq "$FA gets no answer through the resolver" TIMEOUT "$LAB_R"
make_flux flux-b.example $((SEED + 2))
await_auto flux-b.example || true
sleep 1.2 # a textfile written after the blocks
cp "$METRICS/fluxwall.prom" "$LAB_TMP/prom.before"
autos_before=$(auto_names)
events_before=$(nevents)
blocked_auto_before=$(counter blocked_auto)
echo "before the kill: $(grep -c . <<<"$autos_before") auto entries, $events_before block events"
# mid-stream: changing answer sets (a load balancer's, in one /24, not
# flux) arrive while the daemon dies
for ((i = 0; i < 40; i++)); do
	echo "www.lb-mid.example 30 198.51.100.$((i % 50 + 1)) 198.51.100.$((i % 50 + 101))"
done >"$LAB_TMP/midstream"
inject "$LAB_TMP/midstream" --gap-us 20000 >/dev/null &
INJ_PID=$!
sleep 0.3
kill -KILL "$FLUX_DAEMON_PID"
wait "$INJ_PID" || true
flux_daemon_stop # reaps it
check_eq "SIGKILLed: the daemon is gone" 137 "$FLUX_DAEMON_RC"
flux_rquery "www.$FA" A
check_eq "daemon dead: $FA still gets no answer (pinned maps)" TIMEOUT "$LAB_R"
flux_rquery "www.$RR" A
check_eq "daemon dead: $RR still resolves" "NOERROR $RR_SET" "${LAB_R%% *} $FLUX_SET"
check_eq "daemon dead: XDP still attached" native "$(lab_xdp_mode)"

start_daemon "$CONF"
check_eq "restarted: every acknowledged auto entry is kept, with its expiry" \
	"$autos_before" "$(auto_names)"
sleep 1.5 # its first textfile
check_eq "restarted: no block event logged again ($events_before before)" \
	"$events_before" "$(nevents)"
check_eq "restarted: fluxwall_auto_blocks_total counts no old block again" 0 \
	"$(prom_value fluxwall_auto_blocks_total "$METRICS/fluxwall.prom")"
check_eq "restarted: fluxwall_blocklist_entries{kind=\"auto\"} as before" \
	"$(prom_value 'fluxwall_blocklist_entries{kind="auto"}' "$LAB_TMP/prom.before")" \
	"$(prom_value 'fluxwall_blocklist_entries{kind="auto"}' "$METRICS/fluxwall.prom")"
check "restarted: the data path's blocked_auto counter went on (>= $blocked_auto_before)" \
	test "$(counter blocked_auto)" -ge "$blocked_auto_before"
make_flux flux-c.example $((SEED + 4))
check "restarted: a new flux domain is blocked" await_auto flux-c.example
sleep 1.2
check_eq "restarted: exactly one block event for it" 1 "$(nevents flux-c.example)"
check_eq "restarted: one block event per auto entry, none twice" "" \
	"$(block_events | jq -r .name | sort | uniq -d)"
check_eq "restarted: fluxwall_auto_blocks_total counts the new block once" 1 \
	"$(prom_value fluxwall_auto_blocks_total "$METRICS/fluxwall.prom")"

# ================================================================ 3. ring-buffer overflow
FLOOD_DOMAINS=400
FLOOD_SETS=12
flux_draw "$POOL_RES" $((FLOOD_DOMAINS * FLOOD_SETS * 6)) $((SEED + 5)) 0 | awk -v sets="$FLOOD_SETS" '
	{ a = a " " $1 }
	NR % 6 == 0 { print "www.flood-" int((NR / 6 - 1) / sets) ".example", 2 a; a = "" }' \
	>"$LAB_TMP/flood"
check_eq "flood: $((FLOOD_DOMAINS * FLOOD_SETS)) changing answer sets of $FLOOD_DOMAINS flux domains" \
	$((FLOOD_DOMAINS * FLOOD_SETS)) "$(wc -l <"$LAB_TMP/flood")"
d0=$(daemon_samples)
k0=$(counter samples_sent)
l0=$(counter samples_lost)
kill -STOP "$FLUX_DAEMON_PID" # a daemon stalled (on a slow disk, say) while the flood comes
inject "$LAB_TMP/flood" --seconds 4 >"$LAB_TMP/flood.out" &
FLOOD_PID=$!
flood_ans='' t_flood=$(lab_ms)
for ((i = 0; i < 6; i++)); do
	flux_rquery "www.$RR" A
	flood_ans+="${LAB_R%% *} "
	sleep 0.2
done
kill -CONT "$FLUX_DAEMON_PID" # and running again for the rest of the flood
t_stop=$(($(lab_ms) - t_flood))
for ((i = 0; i < 6; i++)); do
	flux_rquery "www.$RR" A
	flood_ans+="${LAB_R%% *} "
	sleep 0.2
done
wait "$FLOOD_PID" || true
echo "flood: $(cat "$LAB_TMP/flood.out"); the daemon stopped for the first $t_stop ms of it"
check_eq "during the flood every query of $RR is answered" \
	"$(printf 'NOERROR %.0s' {1..12})" "$flood_ans"
lost=$(($(counter samples_lost) - l0))
sent=$(($(counter samples_sent) - k0))
echo "flood: $sent samples delivered, $lost lost"
check_gt "samples_lost counts the samples the full ring could not take" "$lost" 0
check_eq "fluxwall stats (from the daemon) shows the same samples_lost" "$(counter samples_lost)" \
	"$(lab_fw stats | awk '$1 == "fluxwall_samples_lost_total" { print $2 }')"
caught=no
for ((i = 0; i < 100; i++)); do
	if [[ $(($(daemon_samples) - d0)) -ge $(($(counter samples_sent) - k0)) ]]; then
		caught=yes
		break
	fi
	sleep 0.2
done
echo "flood: the daemon took every delivered sample $((i / 5)) s after the flood"
check_eq "the daemon catches up: it took every sample the ring delivered" yes "$caught"
sleep 1 # the last commit
FLOOD_SEEN=$LAB_TMP/flood-seen
python3 - "$SOCK" "$FLOOD_DOMAINS" >"$FLOOD_SEEN" <<'PY'
# The daemon's verdict on each flood domain: "NAME flux|not-flux|untracked".
import json, socket, sys
path, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    name = "flood-%d.example" % i
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(("explain-json %s\n" % name).encode())
    s.shutdown(socket.SHUT_WR)
    reply = b"".join(iter(lambda: s.recv(65536), b""))
    s.close()
    if reply.startswith(b"ERR"):
        print(name, "untracked")
    else:
        print(name, "flux" if json.loads(reply)["verdict"] == "flux" else "not-flux")
PY
flux_seen=$(awk '$2 == "flux" { print $1 }' "$FLOOD_SEEN" | sort)
echo "flood: the daemon calls $(grep -c . <<<"$flux_seen") domains flux," \
	"$(grep -c ' not-flux' "$FLOOD_SEEN") not, $(grep -c untracked "$FLOOD_SEEN") never seen"
check_gt "the daemon saw flood domains as flux" "$(grep -c . <<<"$flux_seen")" 0
check_eq "every flood domain it calls flux has an auto entry" "" \
	"$(comm -23 <(echo "$flux_seen") <(auto_names | awk '/^flood-/ { print $1 }'))"
check_eq "every flood domain it calls flux has its block event" "" \
	"$(comm -23 <(echo "$flux_seen") <(block_events | jq -r .name | grep '^flood-' | sort -u))"
check_eq "no flood domain has two block events" "" \
	"$(block_events | jq -r .name | grep '^flood-' | sort | uniq -d)"
check_eq "every flood block event has its auto entry" "" \
	"$(comm -13 <(auto_names | awk '/^flood-/ { print $1 }') <(block_events | jq -r .name | grep '^flood-' | sort -u))"

# ================================================================ 4. metrics directory
# (textfile_interval is 1 s: a message per write would be one a second)
m0=$(log_lines "$METRICS")
fill "$METRICS"
sleep 4.5
check_eq "metrics directory full for 4.5 s: one message, not one per write" 1 \
	"$(($(log_lines "$METRICS") - m0))"
grep -- "$METRICS" "$LAB_TMP/daemon.cur" | tail -n 1 | sed 's/^/  | /'
check "... naming the cause" grep -q "No space left on device" "$LAB_TMP/daemon.cur"
check "metrics directory full: the daemon runs" alive
timed lab_fw stats
check "metrics directory full: stats still answers from the daemon" rc_ok
rm -f "$METRICS/filler"
touch "$LAB_TMP/freed"
sleep 1.5
check "space again: fluxwall.prom is written again" test "$METRICS/fluxwall.prom" -nt "$LAB_TMP/freed"
check "... and the daemon says so" grep -q "metrics written to $METRICS/fluxwall.prom again" \
	"$LAB_TMP/daemon.cur"
m0=$(log_lines "$METRICS")
mount -o remount,ro "$METRICS"
sleep 3.5
check_eq "metrics directory read-only for 3.5 s: one message" 1 "$(($(log_lines "$METRICS") - m0))"
check "... naming the cause" grep -q "Read-only file system" "$LAB_TMP/daemon.cur"
check "metrics directory read-only: the daemon runs" alive
mount -o remount,rw "$METRICS"

# ================================================================ 5. state directory full
STATE=$LAB_STATE/state.tsv
JOURNAL=$LAB_STATE/state.journal
state_names() {
	{
		lab_fw block list --json
		lab_fw allow list --json
	} | jq -r '.[].name' | sort -u | wc -l
}
map_names() { bpftool map dump pinned "$LAB_PIN/fw_rules" -j | jq length; }
# the lists on disk; state.tsv is first written by a whole-list change
lists_sum() { { cat "$STATE" "$JOURNAL" 2>/dev/null || true; } | sha256sum; }
s0=$(log_lines "$JOURNAL")
n0=$(log_lines "$LAB_STATE/networks.tsv")
fill "$LAB_STATE"
# A change is a short append: it fits in the journal's last page while there
# is room there. Changes until one is refused: the disk is full for it.
for ((i = 0; i < 400; i++)); do
	lab_fw block add "pad$i.example" >/dev/null 2>&1 || break
done
check "state directory full: some short change is refused ($i went in first)" test "$i" -lt 400
sum0=$(lists_sum)
list0=$(lab_fw block list)
rc=0
lab_fw block add full-1.example >"$LAB_TMP/o" 2>"$LAB_TMP/e" || rc=$?
sed 's/^/  | /' "$LAB_TMP/e"
check_eq "state directory full: block add is refused (exit 1)" 1 "$rc"
check "... saying the disk is full, naming the journal and what to do" \
	grep -q "cannot append to $JOURNAL: No space left on device; free space" "$LAB_TMP/e"
check_eq "... and the state file and journal are unchanged" "$sum0" "$(lists_sum)"
check_eq "... and the lists are as before (state.tsv parses)" "$list0" "$(lab_fw block list)"
check_eq "... and the maps agree with the state file" "$(state_names)" "$(map_names)"
make_flux flux-full.example $((SEED + 6))
sleep 3
check_eq "state directory full: the daemon's auto-block waits (no entry yet)" absent \
	"$(flux_auto_entry flux-full.example name)"
check_eq "... and the event log does not claim it" 0 "$(nevents flux-full.example)"
check_eq "... and the daemon said so once in 3 s, not once per retry" 1 \
	"$(($(log_lines "$JOURNAL") - s0))"
check "... and networks.tsv, not written either, at most once" \
	test $(($(log_lines "$LAB_STATE/networks.tsv") - n0)) -le 1
check "state directory full: the daemon runs" alive
rm -f "$LAB_STATE/filler"
check "space again: the waiting auto-block is saved" await_auto flux-full.example 30
sleep 0.5
check_eq "... and logged once" 1 "$(nevents flux-full.example)"
check "... and the daemon says it saves again" grep -q "auto entries saved to .* again" \
	"$LAB_TMP/daemon.cur"
check_eq "... and the maps agree with the state file" "$(state_names)" "$(map_names)"
flux_rquery "www.$FA" A
check_eq "... and the old blocks hold: $FA gets no answer" TIMEOUT "$LAB_R"

# ================================================================ 6. an attached interface deleted
X_CLI=fw${LAB_ID}x
X_SRV=fw${LAB_ID}y
ip link add "$X_SRV" netns "$LAB_SRV_NS" type veth peer name "$X_CLI" netns "$LAB_CLI_NS"
ip -n "$LAB_SRV_NS" link set "$X_SRV" up
ip -n "$LAB_CLI_NS" link set "$X_CLI" up
check "a second interface, $X_CLI, attached with fluxwall attach" \
	lab_fw attach "$X_CLI" --mode native
sleep 2.5
check "the daemon notes it serves $X_CLI too" grep -q "now also serving interface $X_CLI" \
	"$LAB_TMP/daemon.cur"
make_flux flux-x.example $((SEED + 7)) "$X_SRV"
check "samples from $X_CLI are scored: flux-x blocked" await_auto flux-x.example
ip -n "$LAB_CLI_NS" link del "$X_CLI"
sleep 2.5
grep "$X_CLI" "$LAB_TMP/daemon.cur" | tail -n 1 | sed 's/^/  | /'
check "$X_CLI deleted: the daemon reports it gone, naming what it still serves" \
	grep -q "interface $X_CLI (ifindex [0-9]*) is gone (deleted).*still serving: $LAB_VETH_CLI" \
	"$LAB_TMP/daemon.cur"
check "... and the event log has an alert for it" \
	jq -e --arg x "$X_CLI" 'select(.event == "alert" and (.reason | contains($x)))' "$EVENTS"
check "$X_CLI deleted: the daemon runs" alive
make_flux flux-y.example $((SEED + 8))
check "$X_CLI deleted: samples from $LAB_VETH_CLI are still scored: flux-y blocked" \
	await_auto flux-y.example
check_eq "$X_CLI deleted: status lists $LAB_VETH_CLI alone" "$LAB_VETH_CLI" \
	"$(lab_fw status --json | jq -r '[.interfaces[].name] | join(" ")')"

# ================================================================ 7. bad geo data
flux_daemon_stop INT
check_eq "the daemon stops cleanly on SIGINT" 0 "$FLUX_DAEMON_RC"
head -c 2000000 "$GEO/asn.mmdb" >"$GEO_DIR/asn.mmdb" # truncated: no metadata
BROKEN=$MMDB_TESTDATA/MaxMind-DB-test-broken-search-tree-24.mmdb
CONF_GEO=$LAB_TMP/fluxwall-geo.conf
sed -e "s|^geo_country_db = .*|geo_country_db = $BROKEN|" \
	-e "s|^geo_city_db = .*|geo_city_db = $GEO_DIR/city-missing.mmdb|" "$CONF" >"$CONF_GEO"
start_daemon "$CONF_GEO"
sed -n '/geo/p' "$LAB_TMP/daemon.cur" | sed 's/^/  | /'
check "truncated ASN database: the daemon starts and names it, with the fix" \
	grep -q "geo: ASN database $GEO_DIR/asn.mmdb: not a valid MaxMind DB file.*download it again; scoring goes on without it" \
	"$LAB_TMP/daemon.cur"
check "corrupt country database: named, with the fix" \
	grep -q "geo: country database $BROKEN: corrupt (.*); download it again; scoring goes on without it" \
	"$LAB_TMP/daemon.cur"
check "missing city database: named" grep -q "location: unavailable: city database $GEO_DIR/city-missing.mmdb not found" \
	"$LAB_TMP/daemon.cur"
make_flux flux-nogeo.example $((SEED + 9))
sleep 1
lab_fw explain flux-nogeo.example >"$LAB_TMP/explain-nogeo" 2>&1 || true
sed -n '/database/p' "$LAB_TMP/explain-nogeo" | sed 's/^/  | /'
check "explain says the ASN, country and city databases were missing" \
	eval 'grep -q "(no ASN database)" "$LAB_TMP/explain-nogeo" &&
		grep -q "(no country database)" "$LAB_TMP/explain-nogeo" &&
		grep -q "(no city database)" "$LAB_TMP/explain-nogeo"'
check_eq "explain --json: no geo feature available" "false false false" \
	"$(lab_fw explain flux-nogeo.example --json | jq -r '.features.geo | "\(.asn) \(.country) \(.location)"' 2>&1)"
# the good file written over the truncated one, in place (same inode)
cp "$GEO/asn.mmdb" "$GEO_DIR/asn.mmdb"
sleep 2.5
check "ASN database rewritten in place with a good file: reloaded" \
	grep -q "geo: ASN database $GEO_DIR/asn.mmdb is usable now: loaded" "$LAB_TMP/daemon.cur"
make_flux flux-geo2.example $((SEED + 10))
sleep 1
check_eq "explain --json: ASN available again" true \
	"$(lab_fw explain flux-geo2.example --json | jq -r '.features.geo.asn' 2>&1)"
# and cut short in place while loaded: lookups must not touch the file
truncate -s 100000 "$GEO_DIR/asn.mmdb"
make_flux flux-geo3.example $((SEED + 11)) # new addresses: fresh lookups
sleep 2.5
check "ASN database truncated in place while in use: the daemon runs" alive
check "... and says the new file cannot be used and the loaded copy stays" \
	grep -q "geo: ASN database changed but cannot be used: .*the copy loaded before stays in use" \
	"$LAB_TMP/daemon.cur"
check_eq "... and still scores with ASNs" true \
	"$(lab_fw explain flux-geo3.example --json | jq -r '.features.geo.asn' 2>&1)"
n=$(grep -c "geo: ASN database changed but cannot be used" "$LAB_TMP/daemon.cur" || true)
check_eq "... said once, not at every check" 1 "$n"

# ================================================================ the whole run
kill "$TRAFFIC_PID" 2>/dev/null || true
wait "$TRAFFIC_PID" 2>/dev/null || true
nq=$(grep -c . "$TRAFFIC" || true)
echo "traffic: $nq queries of www.$RR during the run ($SECONDS s)"
check_gt "the client queried all along" "$nq" 50
check_eq "every one of them was answered" "" "$(grep -v '^NOERROR' "$TRAFFIC" | sort | uniq -c | xargs)"

e2e_end
