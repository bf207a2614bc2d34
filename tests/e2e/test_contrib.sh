#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The files in contrib/ match the program:
#   grafana-fluxwall.json  parses, uses a Prometheus datasource variable, has
#                          the panels issue 4 asks for, and every metric (and
#                          every `by (label)`) it queries exists in the output
#                          of `fluxwall stats --prom`;
#   fluxwall.service       passes `systemd-analyze verify` without a message
#                          and has the settings fluxwall needs.
# Runs as root (stats --prom reads pinned maps, made in a private bpffs
# directory through the lab's helpers; no namespace or interface is made).
# shellcheck disable=SC2016 # $instance, $MAINPID: literal text, not expansions
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e contrib"
e2e_require_env jq python3 systemd-analyze

DASH=$E2E_REPO/contrib/grafana-fluxwall.json
UNIT=$E2E_REPO/contrib/fluxwall.service

lab_init
lab_on_cleanup e2e_on_exit
lab_bpffs_up
fw() { env "${LAB_FW_ENV[@]}" "$FLUXWALL" "$@"; }

# ================================================================ dashboard
check "grafana-fluxwall.json parses (jq)" jq -e . "$DASH"
check "grafana-fluxwall.json parses (python3 -m json.tool)" python3 -m json.tool "$DASH"
check "schemaVersion is 36 or later" jq -e '.schemaVersion >= 36' "$DASH"
check "a datasource variable of type prometheus" \
	jq -e '[.templating.list[] | select(.type == "datasource" and .query == "prometheus")] | length == 1' "$DASH"
check "every panel and query uses the datasource variable" jq -e '
	[.panels[] | select(.type != "row") | .datasource.uid, (.targets[].datasource.uid)]
	| all(. == "${datasource}")' "$DASH"
check "panel ids are unique" jq -e '[.panels[].id] | length == (unique | length)' "$DASH"

exprs=$(jq -r '.. | objects | (.expr?, .definition?) // empty' "$DASH")
has_expr() { grep -qF -- "$1" <<<"$exprs"; }
check "block rate by action: rate(fluxwall_blocked_total[5m]) by action" \
	has_expr 'sum by (action) (rate(fluxwall_blocked_total{instance=~"$instance"}[5m]))'
check "block rate by reason: fluxwall_blocked_by_reason_total by reason" \
	has_expr 'sum by (reason) (rate(fluxwall_blocked_by_reason_total{instance=~"$instance"}[5m]))'
check "detections over time: fluxwall_auto_blocks_total" has_expr 'increase(fluxwall_auto_blocks_total'
check "lost samples: rate(fluxwall_samples_lost_total)" has_expr 'rate(fluxwall_samples_lost_total'
check "top scores: fluxwall_top_domain_score" has_expr 'fluxwall_top_domain_score'
check "malformed by reason" has_expr 'sum by (reason) (rate(fluxwall_malformed_total'
check "list sizes: fluxwall_blocklist_entries by kind" has_expr 'sum by (kind) (fluxwall_blocklist_entries'

PROM_CHECK='
import re, sys
fams = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        _, _, name, typ = line.split(" ", 3)
        fams[name] = typ
    elif line and not line.startswith("#"):
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$", line)
        assert m, "bad sample line: " + line
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in fams or base in fams, "no TYPE for " + m.group(1)
        float(m.group(3).replace("+Inf", "inf"))
'

# The metrics as fluxwall prints them: from a state with a rule of each kind.
prom=
if grep -q '^  fluxwall stats .*--prom' <<<"$("$FLUXWALL" --help)"; then
	fw block add contrib-test.example >/dev/null
	fw allow add ok.contrib-test.example >/dev/null
	if prom=$(fw stats --prom); then
		e2e_ok "fluxwall stats --prom prints $(grep -c '^fluxwall_' <<<"$prom") samples"
	else
		e2e_not_ok "fluxwall stats --prom exits 0"
	fi
	check "stats --prom parses as Prometheus text (a TYPE for every family)" \
		python3 -c "$PROM_CHECK" <<<"$prom"
else
	e2e_not_ok "fluxwall stats --prom exists" "not in fluxwall --help"
fi
# Families printed only when they have samples (top scores need a daemon)
# are checked against the source of the text format instead.
src_families=$(grep -ohE '"fluxwall_[a-z_]+"' "$E2E_REPO"/userspace/formats/textfile.c | tr -d '"' | sort -u)

grep -oE 'fluxwall_[a-z_]+' <<<"$exprs" | sort -u >"$LAB_TMP/metrics"
while read -r m; do
	base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$m")
	if grep -qE "^$m(\{| )" <<<"$prom"; then
		e2e_ok "dashboard metric $m is in stats --prom"
	elif grep -qx "$base" <<<"$src_families" && ! grep -q "^# TYPE $base " <<<"$prom"; then
		e2e_ok "dashboard metric $m is in userspace/formats/textfile.c (not printed without data)"
	else
		e2e_not_ok "dashboard metric $m exists" "not in stats --prom nor textfile.c"
	fi
done <"$LAB_TMP/metrics"
# every `by (label)` grouping uses a label the metric has
while read -r labels metric; do
	[[ -z $metric ]] && continue
	for l in ${labels//,/ }; do
		[[ $l == instance ]] && continue
		if grep -qE "^$metric\{([^}]*,)?$l=" <<<"$prom" ||
			{ [[ $metric == fluxwall_top_domain_score ]] &&
				grep -q "fluxwall_top_domain_score{.*$l=" "$E2E_REPO/userspace/formats/textfile.c"; }; then
			e2e_ok "label '$l' of $metric exists"
		else
			e2e_not_ok "label '$l' of $metric exists" "no sample of $metric has $l"
		fi
	done
done < <(grep -oE 'by \([a-z_, ]+\) \((rate|increase)?\(?(fluxwall_[a-z_]+)' <<<"$exprs" |
	sed -E 's/^by \(([a-z_, ]+)\) \((rate|increase)?\(?(fluxwall_[a-z_]+)$/\1 \3/; s/, /,/g' | sort -u)

# ================================================================ systemd unit
# verify runs the unit's ExecStart binary check: point it at the build.
sed "s|/usr/local/sbin/fluxwall|$FLUXWALL|" "$UNIT" >"$LAB_TMP/fluxwall.service"
out=$(cd "$LAB_TMP" && systemd-analyze verify --man=no ./fluxwall.service 2>&1) || true
check_eq "systemd-analyze verify: no message" "" "$out"
unit_has() { grep -qxE "$1" "$UNIT"; }
check "ExecStart=/usr/local/sbin/fluxwall run" unit_has 'ExecStart=/usr/local/sbin/fluxwall run'
check "Restart=on-failure" unit_has 'Restart=on-failure'
check "ExecReload sends SIGHUP" unit_has 'ExecReload=/bin/kill -HUP \$MAINPID'
check "StateDirectory=fluxwall" unit_has 'StateDirectory=fluxwall'
check "ProtectSystem=strict" unit_has 'ProtectSystem=strict'
check "ReadWritePaths has /sys/fs/bpf and the node-exporter directory" \
	unit_has 'ReadWritePaths=.*/sys/fs/bpf.*/var/lib/prometheus/node-exporter.*'
for cap in CAP_BPF CAP_NET_ADMIN CAP_SYS_ADMIN CAP_PERFMON; do
	check "$cap in CapabilityBoundingSet and AmbientCapabilities" bash -c \
		"grep -qE '^CapabilityBoundingSet=.*\\b$cap\\b' '$UNIT' && grep -qE '^AmbientCapabilities=.*\\b$cap\\b' '$UNIT'"
done
check "run reads the interface from --iface or the iface key" \
	grep -q '^  fluxwall run \[--iface IFACE\]' <<<"$("$FLUXWALL" --help)"

e2e_end
