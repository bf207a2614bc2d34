#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: `fluxwall block export --format rpz` loads as a response
# policy zone in a real Unbound. The lists are built with the CLI, exported,
# and given to Unbound (rpz: clause, zonefile:, module-config "respip
# validator iterator"), which runs in the lab's client namespace on
# 127.0.0.1 and stubs the lab zone to the lab's Knot server. fluxwall is not
# attached here: every block seen comes from Unbound applying the export.
# Checks: unbound-checkconf accepts the config; an exact nxdomain rule gives
# NXDOMAIN and only for the name itself; drop rules (rpz-drop) give no
# answer, for the name and its subtree; an allow rule (rpz-passthru) wins
# over a block of its parent; unrelated and look-alike names resolve; and
# the export survives an import/export round trip unchanged.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e rpz unbound"
e2e_require_env unbound unbound-checkconf knsupdate diff
# shellcheck source=SCRIPTDIR/../../scripts/lab-resolver.sh
source "$E2E_REPO/scripts/lab-resolver.sh"

Z=$LAB_ZONE

# rexpect WHAT WANT NAME [TYPE]: the answer through Unbound is WANT.
rexpect() {
	local what=$1 want=$2
	shift 2
	lab_rquery "$@"
	check_eq "$what" "$want" "$LAB_R"
}

# fw2 ARGS...: fluxwall on a second, separate state dir and pin path.
fw2() {
	ip netns exec "$LAB_CLI_NS" env "${LAB_FW_ENV[@]}" FLUXWALL_STATE_DIR="$LAB_TMP/state2" \
		FLUXWALL_PIN_PATH="$LAB_TMP/bpf/pins2" "$FLUXWALL" "$@"
}

lab_init
lab_on_cleanup e2e_on_exit
lab_up

lab_zone_add_many <<EOF
u1.$Z A 198.51.100.51
x.u1.$Z A 198.51.100.52
u2.$Z A 198.51.100.53
x.u2.$Z A 198.51.100.54
notu2.$Z A 198.51.100.55
u3.$Z A 198.51.100.56
x.u3.$Z A 198.51.100.57
ok.u3.$Z A 198.51.100.58
y.ok.u3.$Z A 198.51.100.59
f1.$Z A 198.51.100.60
EOF

# --- the lists ------------------------------------------------------------------
check "block add u1 --exact --action nxdomain" lab_fw block add "u1.$Z" --exact --action nxdomain
check "block add u2 --action drop (subtree)" lab_fw block add "u2.$Z" --action drop
check "block add u3 --action nxdomain (subtree)" lab_fw block add "u3.$Z" --action nxdomain
check "allow add ok.u3 --exact" lab_fw allow add "ok.u3.$Z" --exact
printf 'f1.%s\n' "$Z" >"$LAB_TMP/feed.txt"
check "block import a feed (default action: drop)" lab_fw block import "$LAB_TMP/feed.txt" --source feed1

RPZ=$LAB_TMP/fluxwall.rpz
export_rpz() { lab_fw block export --format rpz >"$RPZ"; }
check "block export --format rpz" export_rpz
rpz_has() { grep -qxE "$1" "$RPZ"; }
check "export has the SOA record" rpz_has '@ IN SOA .*'
check "export: u1 CNAME . (exact nxdomain), no wildcard" rpz_has "u1\.$Z CNAME \."
check_eq "export: no *.u1 line for an exact rule" 0 "$(grep -c "^\*\.u1\.$Z " "$RPZ" || true)"
check "export: *.u2 CNAME rpz-drop." rpz_has "\*\.u2\.$Z CNAME rpz-drop\."
check "export: ok.u3 CNAME rpz-passthru." rpz_has "ok\.u3\.$Z CNAME rpz-passthru\."
check "export: feed entry f1 with the default action (rpz-drop.)" rpz_has "f1\.$Z CNAME rpz-drop\."

# --- Unbound --------------------------------------------------------------------
mkdir -p "$LAB_TMP/unbound"
lab_unbound_conf "$RPZ" >"$LAB_TMP/unbound/check.conf"
check "unbound-checkconf accepts the config with the rpz: clause" \
	unbound-checkconf "$LAB_TMP/unbound/check.conf"
check_match "the config loads the respip module" '*module-config: "respip validator iterator"*' \
	"$(cat "$LAB_TMP/unbound/check.conf")"
lab_unbound_start "$RPZ"
e2e_ok "unbound $(unbound -V 2>/dev/null | sed -n 's/^Version //p') answers on $LAB_UNBOUND_ADDR@$LAB_UNBOUND_PORT"

rexpect "through Unbound: www resolves" "NOERROR $LAB_WWW_A" "www.$Z" A
rexpect "exact nxdomain (CNAME .): u1 is NXDOMAIN" NXDOMAIN "u1.$Z" A
rexpect "exact rule: x.u1 resolves" "NOERROR 198.51.100.52" "x.u1.$Z" A
rexpect "subtree drop (rpz-drop.): u2 gets no answer" TIMEOUT "u2.$Z" A
rexpect "subtree drop (rpz-drop.): x.u2 gets no answer" TIMEOUT "x.u2.$Z" A
rexpect "label boundary: notu2 resolves" "NOERROR 198.51.100.55" "notu2.$Z" A
rexpect "subtree nxdomain: u3 is NXDOMAIN" NXDOMAIN "u3.$Z" A
rexpect "subtree nxdomain: x.u3 is NXDOMAIN" NXDOMAIN "x.u3.$Z" A
rexpect "allow (rpz-passthru.): ok.u3 resolves" "NOERROR 198.51.100.58" "ok.u3.$Z" A
# In fluxwall the longest match wins: ok.u3 has only an exact allow rule, so
# y.ok.u3 falls to the u3 subtree block. In RPZ (DNS wildcard rules, as BIND
# and Unbound apply them) the node ok.u3 stops *.u3 from matching y.ok.u3,
# so the export must carry the inherited policy as *.ok.u3 itself.
rexpect "exact allow ok.u3 does not cover y.ok.u3: NXDOMAIN, as in fluxwall" NXDOMAIN "y.ok.u3.$Z" A
rexpect "feed entry, default action drop: f1 gets no answer" TIMEOUT "f1.$Z" A
check "Unbound logged the policy hits (rpz-log)" \
	grep -q "rpz: applied \[fluxwall\] u1\.$Z\. rpz-nxdomain" "$LAB_TMP/unbound/unbound.log"

# --- the same lists in fluxwall itself ------------------------------------------------
check "attach fluxwall (the reference for the semantics)" lab_attach
lab_query "y.ok.u3.$Z" A
check_eq "fluxwall itself: y.ok.u3 is NXDOMAIN (u3 subtree, nxdomain)" NXDOMAIN "$LAB_R"
lab_query "ok.u3.$Z" A
check_eq "fluxwall itself: ok.u3 resolves (exact allow)" "NOERROR 198.51.100.58" "$LAB_R"
check "detach fluxwall" lab_fw detach "$LAB_VETH_CLI"

# --- round trip -------------------------------------------------------------------
check "import the export into a fresh state (rpz format)" \
	fw2 block import "$RPZ" --source roundtrip
same_export() { diff <(grep -v '^;' "$RPZ") <(fw2 block export --format rpz | grep -v '^;'); }
check "the fresh state exports the same zone" same_export

e2e_end
