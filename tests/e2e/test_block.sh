#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: a real Knot DNS server and a real client (kdig) in two network
# namespaces joined by a veth pair, fluxwall attached in native XDP mode on the
# client's end. Checks drop, nxdomain, subtree/exact/allow matching, TCP, IPv6,
# rule deletion, detach keeping the lists, and the counters. Run as root;
# under CI=true a missing prerequisite is a failure, not a skip.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e block"
e2e_require_env jq ethtool

Z=$LAB_ZONE

# shellcheck source=tests/e2e/lib-expect.sh
source "$(dirname "$0")/lib-expect.sh"

# counter NAME: a counter from `fluxwall status --json` (.counters.NAME).
counter() {
	lab_fw status --json | jq -r --arg k "$1" \
		'.counters[$k] // "missing"'
}

# rule_field NAME FIELD: FIELD of NAME's block entry in `block list --json`.
rule_field() {
	lab_fw block list --json | jq -r --arg n "$1" --arg f "$2" \
		'[.. | objects | select(.name? == $n) | .[$f]] | first // "absent"'
}

lab_init
lab_on_cleanup e2e_on_exit
lab_up
check_eq "lab: server checksums are verified by the client" 1 "$LAB_CSUM_STRICT"

# --- attach -----------------------------------------------------------------
expect "before attach: www A" "NOERROR $LAB_WWW_A" "www.$Z" A
check "attach --mode native on $LAB_VETH_CLI" lab_attach
check_eq "ip link reports native XDP on $LAB_VETH_CLI" native "$(lab_xdp_mode)"
expect "attached, no rules: www A" "NOERROR $LAB_WWW_A" "www.$Z" A
expect "attached, no rules: www AAAA over IPv6" "NOERROR $LAB_WWW_AAAA" -6 "www.$Z" AAAA
drop0=$(counter blocked_drop)
nx0=$(counter blocked_nxdomain)
resp0=$(counter dns_responses)

# --- subtree rule, drop -----------------------------------------------------
check "block add evil.$Z --action drop" lab_fw block add "evil.$Z" --action drop
check_eq "block list shows the rule as a subtree drop" "subtree drop" \
	"$(rule_field "evil.$Z" match) $(rule_field "evil.$Z" action)"
expect "drop: a.evil A gets no answer" TIMEOUT "a.evil.$Z" A
expect "drop: evil (the rule's own name) gets no answer" TIMEOUT "evil.$Z" A
expect "drop: mixed case A.EVIL.Lab.Example gets no answer" TIMEOUT A.EVIL.Lab.Example A
expect "drop: notevil A still resolves" "NOERROR $LAB_NOTEVIL_A" "notevil.$Z" A
expect "drop: www A still resolves" "NOERROR $LAB_WWW_A" "www.$Z" A
expect "drop over IPv6: a.evil AAAA gets no answer" TIMEOUT -6 "a.evil.$Z" AAAA
expect "drop over IPv6: notevil AAAA resolves" "NOERROR $LAB_NOTEVIL_AAAA" -6 "notevil.$Z" AAAA
expect "drop over TCP: a.evil A gets no answer" TIMEOUT -t "a.evil.$Z" A
expect "drop over TCP: www A resolves" "NOERROR $LAB_WWW_A" -t "www.$Z" A
check_gt "counter blocked_drop moved" "$(counter blocked_drop)" "$drop0"

# --- same rule, nxdomain ----------------------------------------------------
check "block add evil.$Z --action nxdomain (changes the action)" \
	lab_fw block add "evil.$Z" --action nxdomain
check_eq "block list shows action nxdomain" nxdomain "$(rule_field "evil.$Z" action)"
expect_nx "nxdomain: a.evil A is NXDOMAIN" "a.evil.$Z" A
expect_nx "nxdomain: b.a.evil A is NXDOMAIN" "b.a.evil.$Z" A
expect_nx "nxdomain over IPv6: a.evil AAAA is NXDOMAIN" -6 "a.evil.$Z" AAAA
expect "nxdomain: notevil A resolves" "NOERROR $LAB_NOTEVIL_A" "notevil.$Z" A
fb0=$(counter nxdomain_fallback_drop)
expect "nxdomain over TCP falls back to drop: no answer" TIMEOUT -t "a.evil.$Z" A
check_gt "counter nxdomain_fallback_drop moved" "$(counter nxdomain_fallback_drop)" "$fb0"
check_gt "counter blocked_nxdomain moved" "$(counter blocked_nxdomain)" "$nx0"
check_gt "counter dns_responses moved" "$(counter dns_responses)" "$resp0"

# --- allowlist overrides the block ------------------------------------------
check "allow add a.evil.$Z" lab_fw allow add "a.evil.$Z"
expect "allowlisted a.evil A resolves" "NOERROR $LAB_EVIL_SUB_A" "a.evil.$Z" A
expect_nx "evil A, not allowlisted, is still NXDOMAIN" "evil.$Z" A
check "allow del a.evil.$Z" lab_fw allow del "a.evil.$Z"
expect_nx "after allow del: a.evil A is NXDOMAIN again" "a.evil.$Z" A

# --- delete restores resolution ---------------------------------------------
check "block del evil.$Z" lab_fw block del "evil.$Z"
expect "after del: a.evil A resolves" "NOERROR $LAB_EVIL_SUB_A" "a.evil.$Z" A
expect "after del: a.evil AAAA over IPv6 resolves" "NOERROR $LAB_EVIL_SUB_AAAA" -6 "a.evil.$Z" AAAA
expect "after del: a.evil A over TCP resolves" "NOERROR $LAB_EVIL_SUB_A" -t "a.evil.$Z" A
check_eq "after del: block list no longer has the rule" absent "$(rule_field "evil.$Z" action)"

# --- exact rule -------------------------------------------------------------
check "block add evil.$Z --exact --action nxdomain" \
	lab_fw block add "evil.$Z" --exact --action nxdomain
expect_nx "exact: evil A is NXDOMAIN" "evil.$Z" A
expect "exact: a.evil A resolves" "NOERROR $LAB_EVIL_SUB_A" "a.evil.$Z" A

# --- detach keeps the lists; attach again enforces them ---------------------
check "detach $LAB_VETH_CLI" lab_fw detach "$LAB_VETH_CLI"
check_eq "after detach: no XDP program on $LAB_VETH_CLI" none "$(lab_xdp_mode)"
expect "after detach: evil A resolves" "NOERROR $LAB_EVIL_A" "evil.$Z" A
check_eq "after detach: the rule is still listed" nxdomain "$(rule_field "evil.$Z" action)"
check "attach again" lab_fw attach "$LAB_VETH_CLI" --mode native
expect_nx "attached again: evil A is NXDOMAIN" "evil.$Z" A

e2e_end
