#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Detection evaluation (`make eval`): generate labelled captures, replay each
# through the real XDP program and scorer in both scoring modes, and compare
# the verdicts with the labels. all.pcap, every category merged through one
# resolver, gives the headline figures; each category's own capture is
# replayed too.
#
#   scripts/eval.sh
#
# Environment:
#   EVAL_SEED=N      scenario seed (default 1); the captures are a function of it
#   EVAL_HOURS=H     simulated hours per capture (default 6)
#   EVAL_SCALE=F     domains per category times F (default 1)
#   EVAL_STRICT=1    exit non-zero when fluxwall's score misses a target
#   EVAL_CONFIG=F    replay with this config file (score.* weights to try)
#   FLUXWALL_GEO_DIR geo databases (default /var/lib/fluxwall/geo, where
#                    `fluxwall replay` looks for them)
#
# Output: build/eval/ (captures, labels.json, replay/MODE/*.json, all.json
# from all.pcap) and
# build/eval.json (the metrics); a table on stdout. docs/evaluation.md
# describes the scenarios.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$REPO/build
OUT=$BUILD/eval
FLUXWALL=${FLUXWALL:-$BUILD/fluxwall}
GEN=$BUILD/tools/gen_scenarios
GEO_DIR=${FLUXWALL_GEO_DIR:-/var/lib/fluxwall/geo}
SEED=${EVAL_SEED:-1}
HOURS=${EVAL_HOURS:-6}
SCALE=${EVAL_SCALE:-1}
MODES="fluxwall holz"

log() { echo "eval: $*" >&2; }
die() {
	log "$*"
	exit 1
}

now_ms() { date +%s%3N; }

check_tools() {
	[ -x "$FLUXWALL" ] || die "$FLUXWALL is missing; run make first"
	[ -x "$GEN" ] || die "$GEN is missing; run make $GEN"
	command -v python3 >/dev/null 2>&1 || die "python3 is missing; run scripts/install-deps.sh"
}

# One replay per capture and mode, all in parallel: each is independent
# (its own BPF program instance and scorer state). all.pcap, the longest,
# goes first.
replay_all() {
	local mode pcap jobs=() conf=() pcaps=("$OUT/all.pcap")
	[ -n "${EVAL_CONFIG:-}" ] && conf=(--config "$EVAL_CONFIG")
	[ -s "$OUT/all.pcap" ] || die "$OUT/all.pcap is missing; is $GEN up to date?"
	for pcap in "$OUT"/*.pcap; do
		if [ "$pcap" != "$OUT/all.pcap" ]; then pcaps+=("$pcap"); fi
	done
	for mode in $MODES; do
		mkdir -p "$OUT/replay/$mode"
		for pcap in "${pcaps[@]}"; do
			(
				"$FLUXWALL" "${conf[@]}" replay "$pcap" --json --score "$mode" \
					>"$OUT/replay/$mode/$(basename "$pcap" .pcap).json" \
					2>"$OUT/replay/$mode/$(basename "$pcap" .pcap).log"
			) &
			jobs+=("$!")
		done
	done
	local failed=0 pid
	for pid in "${jobs[@]}"; do
		wait "$pid" || failed=$((failed + 1))
	done
	if [ "$failed" -gt 0 ]; then
		grep -H . "$OUT"/replay/*/*.log >&2 || true
		die "$failed replay runs failed (logs above, in $OUT/replay/)"
	fi
}

main() {
	local t0 t_fetch t_gen t_replay
	check_tools

	t0=$(now_ms)
	"$REPO/scripts/fetch-geo.sh" "$GEO_DIR"
	t_fetch=$(($(now_ms) - t0))

	rm -rf "$OUT"
	mkdir -p "$OUT"
	t0=$(now_ms)
	"$GEN" --geo-dir "$GEO_DIR" --out "$OUT" --seed "$SEED" --hours "$HOURS" --scale "$SCALE"
	t_gen=$(($(now_ms) - t0))
	log "generated $(du -sh "$OUT" | cut -f1) of captures in $((t_gen / 1000)).$((t_gen % 1000 / 100)) s"

	t0=$(now_ms)
	replay_all
	t_replay=$(($(now_ms) - t0))
	log "replayed in $((t_replay / 1000)).$((t_replay % 1000 / 100)) s"

	local meta rc=0
	meta=$(printf '{"seed": %s, "hours": %s, "scale": %s, "fetch_geo_ms": %s, "generate_ms": %s, "replay_ms": %s, "geo_sources": %s}' \
		"$SEED" "$HOURS" "$SCALE" "$t_fetch" "$t_gen" "$t_replay" \
		"$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read().splitlines()))' "$GEO_DIR/SOURCES")")
	python3 "$REPO/scripts/eval_metrics.py" --labels "$OUT/labels.json" \
		--replay-dir "$OUT/replay" --out "$BUILD/eval.json" --meta "$meta" || rc=$?
	case $rc in
	0) log "all targets met; metrics in build/eval.json" ;;
	3)
		log "fluxwall's score misses a target (see above); metrics in build/eval.json"
		if [ "${EVAL_STRICT:-0}" = 1 ]; then exit 3; fi
		;;
	*) die "eval_metrics.py failed" ;;
	esac
}

main "$@"
