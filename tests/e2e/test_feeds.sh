#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: threat-intel feeds. Feeds in the four formats (plain, hosts,
# RPZ, AdBlock) are written here, imported with `fluxwall block import FILE
# --source NAME`, and checked by querying the lab's real Knot server with
# kdig through fluxwall (native XDP on the client's veth end): blocked names
# get no answer (drop) or NXDOMAIN (nxdomain), the rest resolve. Also checks
# that a name listed by two sources stays blocked until both are removed,
# that an import with a bad line changes nothing (exit 1, FILE:LINE named),
# that --skip-invalid applies the rest, and the `block list --json` fields.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e feeds"
e2e_require_env jq ethtool knsupdate sha256sum
# shellcheck source=SCRIPTDIR/../../scripts/lab-resolver.sh
source "$E2E_REPO/scripts/lab-resolver.sh"
# shellcheck source=SCRIPTDIR/lib-expect.sh
source "$E2E_REPO/tests/e2e/lib-expect.sh"

Z=$LAB_ZONE

# entry NAME LIST: the JSON objects of NAME in `LIST list --json`, one a line.
entries() {
	lab_fw "$2" list --json | jq -c --arg n "$1" '.[] | select(.name == $n)'
}

# field NAME FIELD [LIST]: FIELD of NAME's first entry, or "absent".
field() {
	lab_fw "${3:-block}" list --json |
		jq -r --arg n "$1" --arg f "$2" '[.[] | select(.name == $n) | .[$f]] | first // "absent"'
}

# fw_run OUT ERR ARGS...: run fluxwall; stdout and stderr into files; status.
fw_run() {
	local out=$1 err=$2
	shift 2
	lab_fw "$@" >"$out" 2>"$err"
}

# fails CMD...: succeed when CMD fails.
fails() { ! "$@"; }

state_sum() {
	if [[ -f $LAB_STATE/state.tsv ]]; then
		sha256sum <"$LAB_STATE/state.tsv" | cut -d' ' -f1
	else
		echo none
	fi
}

lab_init
lab_on_cleanup e2e_on_exit
lab_up

# Records for the names the feeds list, before anything is blocked.
lab_zone_add_many <<EOF
p1.$Z A 198.51.100.31
x.p1.$Z A 198.51.100.32
h1.$Z A 198.51.100.33
h2.$Z A 198.51.100.34
r1.$Z A 198.51.100.35
x.r1.$Z A 198.51.100.36
x.r2.$Z A 198.51.100.37
x.r3.$Z A 198.51.100.38
ok.r3.$Z A 198.51.100.39
a1.$Z A 198.51.100.40
x.a1.$Z A 198.51.100.41
ok.a1.$Z A 198.51.100.42
shared.$Z A 198.51.100.43
onlya.$Z A 198.51.100.44
g1.$Z A 198.51.100.45
g2.$Z A 198.51.100.46
s1.$Z A 198.51.100.47
EOF
expect "zone update: p1 resolves before attach" "NOERROR 198.51.100.31" "p1.$Z" A
check "attach --mode native (default action drop)" lab_attach

F=$LAB_TMP/feeds
mkdir -p "$F"
T=$LAB_TMP/out
mkdir -p "$T"

# --- plain --------------------------------------------------------------------
cat >"$F/plain.txt" <<EOF
# a plain list: one name a line, comments, blank lines
p1.$Z

; another comment style
h9.$Z   # trailing comment
EOF
check "import plain.txt --source plainfeed" fw_run "$T/o" "$T/e" block import "$F/plain.txt" --source plainfeed
check_match "plain.txt detected as plain" "*read as plain*" "$(cat "$T/o")"
expect "plain (drop): p1 gets no answer" TIMEOUT "p1.$Z" A
expect "plain (drop, subtree): x.p1 gets no answer" TIMEOUT "x.p1.$Z" A
expect "plain: www still resolves" "NOERROR $LAB_WWW_A" "www.$Z" A
check_eq "plain entry: source plainfeed, origin feed, subtree" "plainfeed feed subtree" \
	"$(field "p1.$Z" source) $(field "p1.$Z" origin) $(field "p1.$Z" match)"

# --- hosts --------------------------------------------------------------------
printf '%s\r\n' "# hosts file with CRLF line ends" "127.0.0.1 localhost" \
	"0.0.0.0 h1.$Z" "::1 ip6-localhost" >"$F/hosts.txt"
check "import hosts.txt --source hostsfeed" fw_run "$T/o" "$T/e" block import "$F/hosts.txt" --source hostsfeed
check_match "hosts.txt detected as hosts" "*read as hosts*" "$(cat "$T/o")"
expect "hosts (drop): h1 gets no answer" TIMEOUT "h1.$Z" A
expect "hosts: h2 (not listed) resolves" "NOERROR 198.51.100.34" "h2.$Z" A
check_eq "hosts: localhost is not imported" absent "$(field localhost name)"

# --- rpz ----------------------------------------------------------------------
cat >"$F/feed.rpz" <<EOF
\$TTL 300
\$ORIGIN rpz.feed.test.
@	IN	SOA	localhost. hostmaster.localhost. (
		1 3600 600 86400 300 )
	IN	NS	localhost.
r1.$Z		CNAME	.
*.r2.$Z		CNAME	rpz-drop.
*.r3.$Z		CNAME	.
ok.r3.$Z	CNAME	rpz-passthru.
EOF
check "import feed.rpz --source rpzfeed" fw_run "$T/o" "$T/e" block import "$F/feed.rpz" --source rpzfeed
check_match "feed.rpz detected as rpz" "*read as rpz*" "$(cat "$T/o")"
expect_nx "rpz 'CNAME .' (exact nxdomain): r1 is NXDOMAIN" "r1.$Z" A
expect "rpz 'CNAME .' is exact: x.r1 resolves" "NOERROR 198.51.100.36" "x.r1.$Z" A
expect "rpz '*.r2 CNAME rpz-drop.': x.r2 gets no answer" TIMEOUT "x.r2.$Z" A
expect_nx "rpz '*.r3 CNAME .': x.r3 is NXDOMAIN" "x.r3.$Z" A
expect "rpz 'ok.r3 CNAME rpz-passthru.': ok.r3 resolves" "NOERROR 198.51.100.39" "ok.r3.$Z" A
check_eq "rpz r1 entry: exact nxdomain" "exact nxdomain" "$(field "r1.$Z" match) $(field "r1.$Z" action)"
check_eq "rpz r2 entry: subtree drop" "subtree drop" "$(field "r2.$Z" match) $(field "r2.$Z" action)"
check_eq "rpz ok.r3 is an allow entry of source rpzfeed" "allow rpzfeed" \
	"$(field "ok.r3.$Z" list allow) $(field "ok.r3.$Z" source allow)"

# --- default action nxdomain, adblock -------------------------------------------
check "attach again with --action nxdomain (default action)" \
	lab_fw attach "$LAB_VETH_CLI" --mode native --action nxdomain
expect_nx "default action now nxdomain: p1 (plain, no own action) is NXDOMAIN" "p1.$Z" A
expect_nx "default action now nxdomain: h1 (hosts) is NXDOMAIN" "h1.$Z" A
cat >"$F/adblock.txt" <<EOF
[Adblock Plus 2.0]
! Title: fluxwall e2e
||a1.$Z^
@@||ok.a1.$Z^
example.com##.ad-banner
EOF
check "import adblock.txt --source adfeed" fw_run "$T/o" "$T/e" block import "$F/adblock.txt" --source adfeed
check_match "adblock.txt detected as adblock" "*read as adblock*" "$(cat "$T/o")"
expect_nx "adblock '||a1^': a1 is NXDOMAIN" "a1.$Z" A
expect_nx "adblock '||a1^': x.a1 is NXDOMAIN" "x.a1.$Z" A
expect "adblock '@@||ok.a1^': ok.a1 resolves" "NOERROR 198.51.100.42" "ok.a1.$Z" A

# --- stdin --------------------------------------------------------------------
stdin_import() { printf 's1.%s\n' "$Z" | lab_fw block import - --source stdinfeed; }
check "import - (stdin) --source stdinfeed" stdin_import
expect_nx "stdin feed: s1 is NXDOMAIN" "s1.$Z" A

# --- block list --json ----------------------------------------------------------
json=$(lab_fw block list --json)
check "block list --json is a JSON array" jq -e 'type == "array"' <<<"$json"
check_eq "every entry has exactly the documented fields" \
	'["action","added","expires","list","match","name","origin","reason","score","source"]' \
	"$(jq -c '[.[] | keys] | unique | if length == 1 then .[0] else . end' <<<"$json")"
check "field types: strings, added ISO 8601 UTC, expires null, score number" jq -e '
	all(.[]; (.name|type) == "string" and .list == "block" and
	    (.match == "exact" or .match == "subtree") and
	    (.action | IN("default", "drop", "nxdomain")) and .origin == "feed" and
	    (.added | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
	    .expires == null and (.score|type) == "number" and (.reason|type) == "string")' <<<"$json"
check_eq "block list --json counts 8 block entries (p1 h9 h1 r1 r2 r3 a1 s1)" 8 "$(jq length <<<"$json")"
check_eq "allow list --json has ok.r3 and ok.a1" "ok.a1.$Z ok.r3.$Z" \
	"$(lab_fw allow list --json | jq -r '[.[].name] | sort | join(" ")')"

# --- multi-source -----------------------------------------------------------------
printf 'shared.%s\nonlya.%s\n' "$Z" "$Z" >"$F/a.txt"
printf 'shared.%s\n' "$Z" >"$F/b.txt"
check "import a.txt --source srcA (shared, onlya)" lab_fw block import "$F/a.txt" --source srcA
check "import b.txt --source srcB (shared)" lab_fw block import "$F/b.txt" --source srcB
check_eq "shared is listed once per source" "srcA srcB" \
	"$(entries "shared.$Z" block | jq -rs '[.[].source] | sort | join(" ")')"
expect_nx "shared (two sources) is NXDOMAIN" "shared.$Z" A
printf 'shared.%s\n' "$Z" >"$F/a.txt"
check "import a new edition of a.txt --source srcA (onlya gone)" lab_fw block import "$F/a.txt" --source srcA
expect "new edition: onlya, no longer listed, resolves" "NOERROR 198.51.100.44" "onlya.$Z" A
check "block del --source srcA" fw_run "$T/o" "$T/e" block del --source srcA
check_match "del --source says what it removed" "removed 1 entries of source srcA*" "$(cat "$T/o")"
expect_nx "after del --source srcA: shared (still in srcB) is NXDOMAIN" "shared.$Z" A
check_eq "after del --source srcA: only srcB lists shared" srcB \
	"$(entries "shared.$Z" block | jq -rs '[.[].source] | join(" ")')"
check "block del --source srcB" lab_fw block del --source srcB
expect "after del --source srcB: shared resolves" "NOERROR 198.51.100.43" "shared.$Z" A
check_eq "after both: shared is not listed" absent "$(field "shared.$Z" name)"
check "block del --source srcB again fails (no entries)" fails lab_fw block del --source srcB

# --- atomic import ---------------------------------------------------------------
cat >"$F/bad.txt" <<EOF
g1.$Z
g2.$Z
bad..$Z
http://g3.$Z/path
EOF
sum0=$(state_sum)
n0=$(lab_fw block list --json | jq length)
rc=0
fw_run "$T/o" "$T/e" block import "$F/bad.txt" --source badfeed || rc=$?
check_eq "import with bad lines exits 1" 1 "$rc"
check_match "the error names bad.txt:3" "*bad.txt:3:*" "$(cat "$T/e")"
check_match "the error names bad.txt:4 (every bad line)" "*bad.txt:4:*" "$(cat "$T/e")"
check_match "the error says nothing was imported" "*nothing was imported*" "$(cat "$T/e")"
check_eq "state file unchanged by the failed import" "$sum0" "$(state_sum)"
check_eq "block list unchanged by the failed import" "$n0" "$(lab_fw block list --json | jq length)"
expect "failed import: g1 still resolves" "NOERROR 198.51.100.45" "g1.$Z" A
rc=0
fw_run "$T/o" "$T/e" block import "$F/bad.txt" --source badfeed --skip-invalid || rc=$?
check_eq "--skip-invalid exits 0" 0 "$rc"
check_match "--skip-invalid still reports bad.txt:3" "*bad.txt:3:*" "$(cat "$T/e")"
check_eq "--skip-invalid applied the 2 valid lines" "g1.$Z g2.$Z" \
	"$(lab_fw block list --json | jq -r '[.[] | select(.source == "badfeed") | .name] | sort | join(" ")')"
expect_nx "--skip-invalid: g1 is NXDOMAIN" "g1.$Z" A
expect_nx "--skip-invalid: g2 is NXDOMAIN" "g2.$Z" A

# --- options that do not apply ------------------------------------------------------
# An import's entries take their action from the feed (RPZ) or the default
# action; --action must not be silently ignored.
printf 's2.%s\n' "$Z" >"$F/act.txt"
rc=0
fw_run "$T/o" "$T/e" block import "$F/act.txt" --source actfeed --action drop || rc=$?
if [[ $rc -ne 0 ]]; then
	e2e_ok "import --action drop is refused (exit $rc): $(head -n1 "$T/e")"
else
	check_eq "import --action drop is applied, not ignored" drop "$(field "s2.$Z" action)"
fi
rc=0
fw_run "$T/o" "$T/e" block import "$LAB_TMP/does-not-exist.txt" --source x || rc=$?
check_eq "import of a missing file exits 1" 1 "$rc"
check_match "... naming the file" "*does-not-exist.txt*" "$(cat "$T/e")"
rc=0
fw_run "$T/o" "$T/e" block import "$F/plain.txt" --source manual || rc=$?
check_eq "import --source manual (reserved) exits 1" 1 "$rc"

e2e_end
