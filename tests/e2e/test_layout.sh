#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The layout shows the architecture, and keeps it (docs/design.md):
# userspace/ is one folder per layer; only dataplane/ talks to BPF; each
# layer includes only the layers below it; libfluxwall.a holds no verb, and
# no verb calls another verb. Needs no root and no lab.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e layout"

cd "$E2E_REPO"
US=userspace

# --- one folder per layer -----------------------------------------------------------
check_eq "userspace/ holds the layer folders and nothing else" \
	"cli daemon dataplane engine fleet formats lists" \
	"$(find $US -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//')"

# --- only the data path talks to BPF ------------------------------------------------
bpf_users=$(grep -lE 'fluxwall\.skel\.h|<bpf/|<xdp/|\bbpf_[a-z_]+\(|ring_buffer__|xdp_program__' \
	$US/*/*.[ch] | grep -v "^$US/dataplane/" || true)
check_eq "no file outside dataplane/ includes the skeleton or calls libbpf/libxdp" "" "$bpf_users"
check_gt "dataplane/ does (the rule is not vacuous)" \
	"$(grep -lE '\bbpf_[a-z_]+\(' $US/dataplane/*.c | wc -l)" 3

# The XDP program's pure parsing headers (bpf/*.h) are shared with the host,
# but only by the data path: the daemon's decoder reruns the record walk.
bpf_hdr_users=$(grep -lE '#include "(\.\./)+bpf/' $US/*/*.[ch] | grep -v "^$US/dataplane/" || true)
check_eq "only dataplane/ includes the XDP program's headers" "" "$bpf_hdr_users"
check_gt "dataplane/ does (the decoder reruns the walk)" \
	"$(grep -lE '#include "(\.\./)+bpf/answer_walk\.h"' $US/dataplane/*.c | wc -l)" 0

# --- each layer includes only the layers below it -----------------------------------
declare -A below=(
	[formats]="formats"
	[dataplane]="formats dataplane"
	[engine]="formats engine"
	[lists]="formats dataplane lists"
	[fleet]="formats lists fleet"
	[daemon]="formats dataplane engine lists daemon"
	[cli]="formats dataplane engine lists fleet daemon cli"
)
for layer in "${!below[@]}"; do
	allowed=$(tr ' ' '|' <<<"${below[$layer]}")
	bad=$(grep -HnoE '#include "[a-z]+/' $US/"$layer"/*.[ch] |
		grep -vE "#include \"($allowed)/" || true)
	check_eq "$layer/ includes only ${below[$layer]}" "" "$bad"
done

# --- the library holds no verb; verbs do not call verbs -----------------------------
B=${FLUXWALL_BUILD:-$E2E_REPO/build}
LIB=$B/libfluxwall.a
CLILIB=$B/libfluxwall-cli.a
[[ -f $LIB && -f $CLILIB ]] || e2e_skip_or_fail "build/libfluxwall*.a are not built (make)"
check_eq "libfluxwall.a defines no cmd_* verb" "" \
	"$(nm --defined-only "$LIB" 2>/dev/null | awk '$3 ~ /^cmd_/ {print $3}')"
check_eq "libfluxwall.a has no member from cli/" "" \
	"$(ar t "$LIB" | grep -E '^(cmd_|cli_|fluxwall\.o)' || true)"
# Every global a cmd_*.o defines, then every cmd_*.o that uses one of another's.
defs=$(for o in "$B"/obj/cli/cmd_*.o; do
	nm --defined-only -g "$o" | awk -v f="$(basename "$o")" '$2 ~ /[TDB]/ {print $3, f}'
done)
cross=""
for o in "$B"/obj/cli/cmd_*.o; do
	f=$(basename "$o")
	for sym in $(nm -u "$o" | awk '{print $2}'); do
		owner=$(awk -v s="$sym" '$1 == s {print $2}' <<<"$defs")
		if [[ -n $owner && $owner != "$f" ]]; then
			cross+="$f uses $sym of $owner; "
		fi
	done
done
check_eq "no verb calls a function of another verb's file" "" "$cross"

e2e_end
