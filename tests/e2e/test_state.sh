#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: durable state (the state file under FLUXWALL_STATE_DIR).
#   (a) reboot: the pinned maps are removed, as a reboot wipes bpffs; the
#       next `fluxwall attach` restores every rule ("restored N rules") and
#       the lab's real Knot/kdig show them enforced again;
#   (d) 20 concurrent `block add` invocations all land (the state lock);
#   (b) a truncated or corrupt state file: every command that loads the
#       state exits 1 naming FILE:LINE, and the file is never rewritten; with
#       the maps gone too, attach does not start with an empty list;
#   (c) SIGKILL in the middle of a large import, at several points: the
#       state file parses and holds the old or the new complete set, earlier
#       acknowledged changes stay, no lock is left behind, and the kernel
#       maps agree with the state file;
#   (e) the journal: a single change appends to state.journal and leaves
#       state.tsv as it is; a torn record at its end (a writer killed while
#       appending) is ignored and cut off; a record fsynced by a writer killed
#       before it reached the maps is enforced by the next command, which
#       rebuilds the maps; a journal written for a newer state file than the
#       one restored is refused, naming both.
set -euo pipefail
shopt -s extglob

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e state"
e2e_require_env jq ethtool knsupdate sha256sum timeout truncate bpftool
# shellcheck source=SCRIPTDIR/../../scripts/lab-resolver.sh
source "$E2E_REPO/scripts/lab-resolver.sh"
# shellcheck source=SCRIPTDIR/lib-expect.sh
source "$E2E_REPO/tests/e2e/lib-expect.sh"

Z=$LAB_ZONE
BIG_N=${BIG_N:-200000} # names in the large import of part (c)

fails() { ! "$@"; }

state_sum() { sha256sum <"$STATE" | cut -d' ' -f1; }

# rules: every rule as "list name match action source", sorted.
rules() {
	{
		lab_fw block list --json
		lab_fw allow list --json
	} | jq -r '.[] | "\(.list) \(.name) \(.match) \(.action) \(.source)"' | sort
}

# state_names: distinct names in the lists, state file and journal (what the
# maps must hold).
state_names() {
	{
		lab_fw block list --json
		lab_fw allow list --json
	} | jq -r '.[].name' | sort -u | wc -l
}

# map_names: the names the maps hold, walked by bpftool, not as fluxwall counts
# them; and fluxwall's own count must agree. status goes first: after a kill
# the next command is what repairs the maps, and the walk must see its work.
map_names() {
	local walked counted
	counted=$(lab_fw status --json | jq -r .map_names)
	walked=$(bpftool map dump pinned "$LAB_PIN/fw_rules" -j | jq length)
	if [[ $walked == "$counted" ]]; then
		echo "$walked"
	else
		echo "walked $walked, status says $counted"
	fi
}

# expect_blocked WHAT NAME: no answer (drop) or NXDOMAIN (nxdomain).
expect_blocked() {
	lab_query "$2" A
	check_match "$1" "@(TIMEOUT|NXDOMAIN)" "$LAB_R"
}

lab_init
lab_on_cleanup e2e_on_exit
lab_up
STATE=$LAB_STATE/state.tsv
T=$LAB_TMP/out
mkdir -p "$T"

lab_zone_add_many <<EOF
st1.$Z A 198.51.100.71
x.st1.$Z A 198.51.100.72
ok.st1.$Z A 198.51.100.73
st2.$Z A 198.51.100.74
st3.$Z A 198.51.100.75
st4.$Z A 198.51.100.76
canary.$Z A 198.51.100.77
killed.$Z A 198.51.100.78
EOF
check "attach --action nxdomain" lab_attach --action nxdomain
check_eq "default action nxdomain" nxdomain "$(lab_fw status --json | jq -r .default_action)"

# ================================================================ (a) reboot
# the import writes a new state file; the changes after it are in the journal
printf 'st3.%s\n' "$Z" >"$LAB_TMP/feedR.txt"
check "block import (st3) --source feedR" lab_fw block import "$LAB_TMP/feedR.txt" --source feedR
check "block add st1 (subtree)" lab_fw block add "st1.$Z"
check "block add st2 --exact --action drop" lab_fw block add "st2.$Z" --exact --action drop
check "allow add ok.st1 --exact" lab_fw allow add "ok.st1.$Z" --exact
check_eq "the three changes after the import are journaled, not in state.tsv" "0 3" \
	"$(grep -c "st[12]\.$Z" "$STATE") $(grep -c '^= ' "$LAB_STATE/state.journal")"
before=$(rules)
nrules=$(wc -l <<<"$before")
expect_nx "before reboot: x.st1 is NXDOMAIN" "x.st1.$Z" A

# A reboot: no program on the interface, nothing in bpffs.
check "detach (as at shutdown)" lab_fw detach "$LAB_VETH_CLI"
rm -f "$LAB_PIN"/fw_*
check_eq "pinned maps removed" 0 "$(find "$LAB_PIN" -name 'fw_*' | wc -l)"
rc=0
lab_fw attach "$LAB_VETH_CLI" --mode native >"$T/o" 2>"$T/e" || rc=$?
check_eq "attach after the wipe exits 0" 0 "$rc"
check_match "attach says it restored $nrules rules from the state file" \
	"*restored $nrules rules from $STATE*" "$(cat "$T/e")"
check_eq "block and allow lists are as before the reboot" "$before" "$(rules)"
check_eq "the maps hold every name of the state file" "$(state_names)" "$(map_names)"
check_eq "after restore: the default action set by 'attach --action nxdomain' is kept" \
	nxdomain "$(lab_fw status --json | jq -r .default_action)"
expect_blocked "after restore: st1 is blocked" "st1.$Z"
expect_blocked "after restore: x.st1 (subtree) is blocked" "x.st1.$Z"
expect "after restore: ok.st1 (allow) resolves" "NOERROR 198.51.100.73" "ok.st1.$Z" A
expect "after restore: st2 (exact, drop) gets no answer" TIMEOUT "st2.$Z" A
expect_blocked "after restore: st3 (feed) is blocked" "st3.$Z"
expect "after restore: www resolves" "NOERROR $LAB_WWW_A" "www.$Z" A

# The maps wiped while the program is still attached (it keeps the old,
# unpinned maps): attach must put a program on the new maps.
rm -f "$LAB_PIN"/fw_*
rc=0
lab_fw attach "$LAB_VETH_CLI" --mode native >"$T/o" 2>"$T/e" || rc=$?
check_eq "maps wiped under an attached program: attach exits 0" 0 "$rc"
check_match "... and restores $nrules rules" "*restored $nrules rules*" "$(cat "$T/e")"
check "block add st4 after the restore" lab_fw block add "st4.$Z"
expect_blocked "st4, added to the new maps, is blocked (the program uses the new maps)" "st4.$Z"
check "block del st4" lab_fw block del "st4.$Z"
expect "st4, deleted from the new maps, resolves" "NOERROR 198.51.100.76" "st4.$Z" A

# ================================================================ (d) concurrency
pids=()
for i in $(seq 1 20); do
	lab_fw block add "par$i.$Z" >"$T/par$i.out" 2>&1 &
	pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
	if ! wait "${pids[$i]}"; then
		bad=$((bad + 1))
		sed 's/^/    /' "$T/par$((i + 1)).out" >&2
	fi
done
check_eq "20 parallel 'block add parN' all exit 0" 0 "$bad"
check_eq "all 20 parN names are listed" 20 \
	"$(lab_fw block list --json | jq '[.[] | select(.name | test("^par[0-9]+\\."))] | length')"
check_eq "the maps hold every name of the state file" "$(state_names)" "$(map_names)"
par_del() {
	local names=() i
	for i in $(seq 1 20); do names+=("par$i.$Z"); done
	lab_fw block del "${names[@]}"
}
check "block del par1..par20" par_del

# ================================================================ (b) corruption
cp "$STATE" "$LAB_TMP/state.good"
good_sum=$(state_sum)
nlines=$(wc -l <"$STATE")
printf 'c9.%s\n' "$Z" >"$LAB_TMP/feedC.txt"

# every command that loads the state
CMDS=(
	"block list"
	"block list --json"
	"allow list"
	"block export"
	"block export --format rpz"
	"block add c1.$Z"
	"block del st1.$Z"
	"block del --source feedR"
	"block import $LAB_TMP/feedC.txt --source feedC"
	"allow add c2.$Z"
	"allow del ok.st1.$Z"
	"status"
	"status --json"
	"ports list"
	"attach $LAB_VETH_CLI --mode native"
	"detach --purge"
)

# corrupt_case WHAT LINE: STATE is damaged at LINE; every command must fail.
corrupt_case() {
	local what=$1 line=$2 sum c rc bad=()
	sum=$(state_sum)
	for c in "${CMDS[@]}"; do
		rc=0
		# shellcheck disable=SC2086 # split the command line
		lab_fw $c >"$T/o" 2>"$T/e" || rc=$?
		if [[ $rc -eq 1 ]] && grep -qF "$STATE:$line:" "$T/e"; then
			e2e_ok "$what: '$c' exits 1 naming state.tsv:$line"
		else
			e2e_not_ok "$what: '$c' exits 1 naming state.tsv:$line" \
				"exit $rc: $(head -c 300 "$T/e" | tr '\n' ' ')"
		fi
		[[ $(state_sum) == "$sum" ]] || bad+=("$c")
	done
	check_eq "$what: the state file is unchanged after every command" "" "${bad[*]}"
	check_eq "$what: nothing was moved aside (no .purged)" no \
		"$([[ -e $STATE.purged ]] && echo yes || echo no)"
}

# the end line cut off
head -n -1 "$LAB_TMP/state.good" >"$STATE"
corrupt_case "end line cut" "$((nlines - 1))"
# the file cut in the middle of its last line
cp "$LAB_TMP/state.good" "$STATE"
truncate -s -3 "$STATE"
corrupt_case "last line cut short" "$nlines"
# a bad field in the first rule line (after the header and option lines)
cp "$LAB_TMP/state.good" "$STATE"
first=$(grep -n -m1 -E '^(block|allow)'$'\t' "$STATE" | cut -d: -f1)
sed -i "${first}s/^block\t/blokk\t/; ${first}s/^allow\t/alloww\t/" "$STATE"
corrupt_case "bad field on line $first" "$first"

# a reboot with a damaged state file: never start with an empty list
check "detach" lab_fw detach "$LAB_VETH_CLI"
rm -f "$LAB_PIN"/fw_*
sum=$(state_sum)
rc=0
lab_fw attach "$LAB_VETH_CLI" --mode native >"$T/o" 2>"$T/e" || rc=$?
check_eq "maps gone and state damaged: attach exits 1" 1 "$rc"
check_match "... naming state.tsv:$first" "*$STATE:$first:*" "$(cat "$T/e")"
check_eq "... creating no empty maps" 0 "$(find "$LAB_PIN" -name 'fw_*' 2>/dev/null | wc -l)"
check_eq "... and not attaching" none "$(lab_xdp_mode)"
check_eq "... leaving the state file as it was" "$sum" "$(state_sum)"
cp "$LAB_TMP/state.good" "$STATE"
check "repaired state: attach restores" lab_fw attach "$LAB_VETH_CLI" --mode native
check_eq "repaired state: the lists are as before" "$before" "$(rules)"
check_eq "repaired state: good file untouched by the failures" "$good_sum" "$(state_sum)"

# ================================================================ (c) SIGKILL
BIG=$LAB_TMP/big.txt
{
	seq 1 "$BIG_N" | sed "s/^/n/; s/\$/.big.example/"
	echo "canary.$Z"
} >"$BIG"
old=$(lab_fw block list | tail -n +2 | awk '{ print $1 }' | sort)
nold=$(wc -l <<<"$old")
nnew=$((nold + BIG_N + 1))
ack=0

# after_kill WHAT: the checks after a killed update; then one acknowledged
# change (block add ackN) that must survive the next kills.
after_kill() {
	local what=$1 rc n names completed
	rc=0
	names=$(lab_fw block list 2>"$T/e" | tail -n +2 | awk '{ print $1 }') || rc=$?
	check_eq "$what: block list exits 0 (state parses)" 0 "$rc"
	n=$(grep -c . <<<"$names" || true)
	if [[ $n -eq $nold || $n -eq $nnew ]]; then
		e2e_ok "$what: state holds the old ($nold) or new ($nnew) set: $n"
	else
		e2e_not_ok "$what: state holds the old ($nold) or new ($nnew) set" "found $n entries"
	fi
	check_eq "$what: every acknowledged name is still listed" "" \
		"$(comm -23 <(sort <<<"$old") <(sort <<<"$names"))"
	check_eq "$what: the maps agree with the state file (names)" "$(state_names)" "$(map_names)"
	if [[ $n -eq $nold ]]; then
		expect "$what: canary (only in the killed import) resolves" "NOERROR 198.51.100.77" "canary.$Z" A
	else
		expect_blocked "$what: canary (in the completed import) is blocked" "canary.$Z"
	fi
	completed=0
	[[ $n -eq $nnew ]] && completed=1
	ack=$((ack + 1))
	rc=0
	timeout 30 ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" \
		block add "ack$ack.$Z" >"$T/o" 2>"$T/e" || rc=$?
	check_eq "$what: no lock left behind: 'block add ack$ack' exits 0 within 30 s" 0 "$rc"
	old=$(printf '%s\nack%d.%s' "$old" "$ack" "$Z" | sort)
	nold=$((nold + 1))
	nnew=$((nnew + 1))
	# a completed import is undone, so the next kill starts from the old set
	if ((completed)); then
		lab_fw block del --source big >/dev/null
	fi
}

# kill_import WHEN: start the large import, SIGKILL it at WHEN: a delay in
# seconds, or "tmp" for the moment the new state file is being written.
kill_import() {
	local when=$1 pid i alive=no
	# not lab_fw: a function in the background is a subshell, and the
	# SIGKILL must reach fluxwall itself (ip netns exec and env exec it)
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" \
		block import "$BIG" --source big >"$T/imp.out" 2>&1 &
	pid=$!
	if [[ $when == tmp ]]; then
		for ((i = 0; i < 3000; i++)); do
			[[ -e $STATE.tmp.$pid ]] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.005
		done
	else
		sleep "$when"
	fi
	kill -0 "$pid" 2>/dev/null && alive=yes
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	check_eq "import of $((BIG_N + 1)) names was still running at kill ($when)" yes "$alive"
}

# Kill points as fractions of how long one full import takes here, so each
# lands inside the import on a fast or a slow machine.
t0=$(lab_ms)
lab_fw block import "$BIG" --source big >/dev/null 2>&1
full_ms=$(($(lab_ms) - t0))
lab_fw block del --source big >/dev/null
e2e_ok "a full import of $((BIG_N + 1)) names takes $full_ms ms"
for when in $(awk -v t="$full_ms" 'BEGIN { printf "%.3f %.3f %.3f", t * 0.15 / 1000, t * 0.4 / 1000, t * 0.7 / 1000 }') tmp; do
	kill_import "$when"
	after_kill "SIGKILL at $when"
done
leftover=$(compgen -G "$STATE.tmp.*" | wc -l || true)
check_eq "no temp state files left behind by the killed imports" 0 "$leftover"

# the complete import, then a SIGKILL while removing it again
check "the import runs to completion" lab_fw block import "$BIG" --source big
check_eq "state holds the new set" "$nnew" "$(lab_fw block list | tail -n +2 | wc -l)"
ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" "$FLUXWALL" \
	block del --source big >"$T/del.out" 2>&1 &
pid=$!
for ((i = 0; i < 3000; i++)); do
	[[ -e $STATE.tmp.$pid ]] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.005
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
n=$(lab_fw block list | tail -n +2 | wc -l)
if [[ $n -eq $nold || $n -eq $nnew ]]; then
	e2e_ok "SIGKILL during 'block del --source big': old or new complete set ($n)"
else
	e2e_not_ok "SIGKILL during 'block del --source big': old or new complete set" "found $n"
fi
check_eq "SIGKILL during del: the maps agree with the state file" "$(state_names)" "$(map_names)"

# ================================================================ (e) journal
J=$LAB_STATE/state.journal
lab_fw block del --source big >/dev/null 2>&1 || true
sum=$(state_sum)
check "block add j1 (one change)" lab_fw block add "j1.$Z"
check_eq "a single change leaves state.tsv as it was" "$sum" "$(state_sum)"
check_eq "... and is the journal's last record" "+ j1.$Z" \
	"$(grep -v '^[#=]' "$J" | tail -n1 | awk -F'\t' '{ print $1, $10 }')"
expect_blocked "j1, journaled, is blocked" "j1.$Z"
jsize=$(stat -c %s "$J")
# a writer killed while appending: change lines without the line that seals them
printf '+\tblock\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\ttorn.%s\t\n= 99' "$Z" >>"$J"
rc=0
lab_fw block list >"$T/o" 2>"$T/e" || rc=$?
check_eq "torn last record: block list exits 0" 0 "$rc"
check_eq "... and does not list the torn change" 0 "$(grep -c "torn\.$Z" "$T/o" || true)"
check "... the next change goes through" lab_fw block add "j2.$Z"
check_eq "... after the torn record was cut off" "$((jsize))" \
	"$(($(stat -c %s "$J") - $(tail -n2 "$J" | wc -c)))"
check_eq "... the maps agree with the lists" "$(state_names)" "$(map_names)"
# a writer killed after its record was fsynced, before the maps: the record
# (sealed as fluxwall seals it) is the truth, and the next command says the
# maps did not match and rebuilds them
expect "killed: resolves before" "NOERROR 198.51.100.78" "killed.$Z" A
python3 - "$J" "$STATE" "$Z" <<'PY'
import sys
j, st, z = sys.argv[1:]
gens = [int(l.split()[1]) for l in open(j) if l.startswith("= ")]
gens += [int(l.split()[3]) for l in open(st) if l.startswith("# option generation ")]
body = f"+\tblock\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\tkilled.{z}\t\n".encode()
h = 0xCBF29CE484222325
for b in body:
    h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
with open(j, "ab") as f:
    f.write(body + f"= {max(gens) + 1} 1 {h:016x}\n".encode())
PY
check_match "killed after the append: block list shows the change" "*killed.$Z*" "$(lab_fw block list)"
rc=0
lab_fw status >"$T/o" 2>"$T/e" || rc=$?
check_eq "... status exits 0" 0 "$rc"
check_match "... and says the maps were rebuilt" "*did not match*rebuilt*" "$(cat "$T/e")"
expect_blocked "... and the change is enforced" "killed.$Z"
check_eq "... the maps agree with the lists" "$(state_names)" "$(map_names)"
# reboot with journaled changes: every one of them is restored
rm -f "$LAB_PIN"/fw_*
check "attach after a wipe, with journaled changes" lab_fw attach "$LAB_VETH_CLI" --mode native
expect_blocked "j2 (journal) is blocked after the restore" "j2.$Z"
check_eq "after the restore the maps agree with the lists" "$(state_names)" "$(map_names)"
# a state file restored from an older copy under a newer journal: refused
check "an import writes a new state file" lab_fw block import "$LAB_TMP/feedR.txt" --source feedR2
check "and a change after it is journaled" lab_fw block add "j3.$Z"
cp "$STATE" "$LAB_TMP/state.new"
cp "$STATE.bak" "$STATE"
rc=0
lab_fw block add "j4.$Z" >"$T/o" 2>"$T/e" || rc=$?
check_eq "older state file under a newer journal: block add exits 1" 1 "$rc"
check_match "... naming the journal and what to do" "*state.journal was written for generation*remove*" \
	"$(cat "$T/e")"
cp "$LAB_TMP/state.new" "$STATE"
check "with the right state file back, block add j4 works" lab_fw block add "j4.$Z"
check_eq "and the lists hold j3 and j4" "2" \
	"$(lab_fw block list --json | jq "[.[] | select(.name == \"j3.$Z\" or .name == \"j4.$Z\")] | length")"

e2e_end
