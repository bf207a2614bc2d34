#!/bin/bash
# make bench: every benchmark, each printing ratios against a baseline
# measured in the same run; figures also land in build/bench-*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (BPF_PROG_TEST_RUN)" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
for b in build/bench/*; do
	[ -x "$b" ] || continue
	echo "=== $(basename "$b")"
	"$b"
done
