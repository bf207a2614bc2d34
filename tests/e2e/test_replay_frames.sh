#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fluxwall replay on frames of every size: each size from 0 to 2048 bytes,
# every 97th up to 65535, the boundaries around a page, 4 KiB, jumbo frames,
# 16 and 32 KiB, the largest IP datagram, replay's 64 KiB + 64 buffer and
# libpcap's largest snapshot, and valid responses cut short by a snapshot
# length (caplen < len); build/tools/frame_sizes writes them, each frame
# large enough a valid DNS response of its own domain. Replay must exit 0,
# count in "skipped" exactly the frames it cannot run (under 14 bytes, over
# its buffer), and learn from every valid response it can hold once, jumbo
# frames included; a cut response teaches nothing.
# Runs as root (BPF_PROG_TEST_RUN); no namespace or interface is made.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e replay frames"
e2e_require_env jq
lab_init
lab_on_cleanup e2e_on_exit

GEN=$E2E_REPO/build/tools/frame_sizes
PCAP=$LAB_TMP/sizes.pcap
FRAMES=$PCAP.frames
BUFFER=$((65535 + 64)) # replay's frame buffer

check "the frame generator is built" test -x "$GEN"
"$GEN" --out "$PCAP"
total=$(wc -l <"$FRAMES")
check_gt "the capture holds a frame of each size from 0 to 2048 and more" "$total" 2700

rc=0
report=$("$FLUXWALL" replay "$PCAP" --json 2>"$LAB_TMP/replay.err") || rc=$?
check_eq "replay exits 0" 0 "$rc"
check_eq "every frame is run or counted as skipped" "$total" "$(jq '.packets + .skipped' <<<"$report")"
check_eq "skipped: exactly the frames under 14 bytes or over $BUFFER" \
	"$(awk -v max=$BUFFER '$2 < 14 || $2 > max' "$FRAMES" | wc -l)" "$(jq .skipped <<<"$report")"

awk -v max=$BUFFER '$3 == "valid" && $2 <= max { print $4 }' "$FRAMES" | sort >"$LAB_TMP/want"
jq -r '.domains[].domain' <<<"$report" | sort >"$LAB_TMP/got"
check_eq "every valid response replay can hold is learnt from, and nothing else" "" \
	"$(comm -3 "$LAB_TMP/want" "$LAB_TMP/got" | head -n 5)"
check_gt "... $(wc -l <"$LAB_TMP/want") of them" "$(wc -l <"$LAB_TMP/want")" 2600
check_eq "... each once" 0 "$(jq '[.domains[] | select(.responses != 1)] | length' <<<"$report")"
check_eq "... jumbo frames and 64 KiB datagrams too (3521 to $BUFFER bytes)" \
	"$(awk -v max=$BUFFER '$3 == "valid" && $2 > 3520 && $2 <= max' "$FRAMES" | wc -l)" \
	"$(sed -n 's/^s\([0-9]*\)\.example$/\1/p' "$LAB_TMP/got" | awk '$1 > 3520' | wc -l)"
check_eq "no response cut by the snapshot length is learnt from" "" "$(grep '^c' "$LAB_TMP/got" || true)"

"$FLUXWALL" replay "$PCAP" >/dev/null 2>"$LAB_TMP/text.err"
check_match "the text report says how many frames it skipped, and why" \
	"*$(jq .skipped <<<"$report") frame(s) skipped: shorter than an Ethernet header, over*" \
	"$(cat "$LAB_TMP/text.err")"

e2e_end
