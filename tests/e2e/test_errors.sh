#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What an operator sees when something is wrong: an unknown interface, a pin
# path that is not on bpffs, a caller without root, a bad name, a full map.
# Each is a one-line error that names the problem and the fix, exit code 1,
# and nothing changed.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e errors"
e2e_require_env

FW=$E2E_REPO/build/fluxwall
ID=$$-$RANDOM
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fw-err-$ID.XXXXXX")
PIN=/sys/fs/bpf/fw-err-$ID
cleanup() {
	FLUXWALL_PIN_PATH=$PIN FLUXWALL_STATE_DIR=$TMP/state "$FW" detach --purge >/dev/null 2>&1 || true
	rm -rf "$TMP" "$PIN" "$PIN-oldseen"
}
trap cleanup EXIT
fw() { FLUXWALL_PIN_PATH=$PIN FLUXWALL_STATE_DIR=$TMP/state "$FW" "$@"; }

# expect_error WHAT PATTERN CMD...: exit 1 and stderr matching PATTERN
expect_error() {
	local what=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	check_eq "$what: exit code" 1 "$rc"
	check_match "$what: message" "$pattern" "$(cat "$TMP/err")"
}

expect_error "unknown interface" "*there is no interface named 'nosuch$ID'*ip link*" \
	fw attach "nosuch$ID"
expect_error "pin path not on bpffs" "*is not on a bpffs; mount one with 'mount -t bpf bpf /sys/fs/bpf'*" \
	env FLUXWALL_PIN_PATH="$TMP/notbpf/pins" FLUXWALL_STATE_DIR="$TMP/state" "$FW" block add x.example
expect_error "caller without root" "*'block' needs root*sudo*" \
	setpriv --reuid=65534 --regid=65534 --clear-groups env FLUXWALL_PIN_PATH="$PIN" \
	FLUXWALL_STATE_DIR="$TMP/state" "$FW" block add x.example

check "one rule to start from" fw block add keep.example
# the lists: the state file and the journal of changes since
lists_sum() { { cat "$TMP/state/state.tsv" "$TMP/state/state.journal" 2>/dev/null || true; } | md5sum; }
sum=$(lists_sum)
expect_error "a name with a space" "*'ex ample.com' is not a valid domain name (space at byte 3)*" \
	fw block add good.example 'ex ample.com'
expect_error "a label over 63 bytes" "*label at byte 1 is 64 bytes long; the limit is 63*" \
	fw block add "$(printf 'a%.0s' {1..64}).example"
expect_error "an empty label" "*empty label at byte 3*" fw block add 'a..example'
check_eq "bad names change nothing: good.example was not added either" "$sum" "$(lists_sum)"
expect_error "deleting a name that is not listed" "*'other.example' is not in the block list*" \
	fw block del keep.example other.example
check "... and the listed one was not deleted" eval 'fw block list | grep -q keep.example'

# A full map: a small capacity, then one name too many.
PIN2=$PIN-small
check "maps with room for 3 names" \
	env FLUXWALL_PIN_PATH="$PIN2" FLUXWALL_STATE_DIR="$TMP/small" "$FW" block add a.example b.example --capacity 3
expect_error "a full map" "*holds 3 names and this change needs 4; nothing was changed*capacity*" \
	env FLUXWALL_PIN_PATH="$PIN2" FLUXWALL_STATE_DIR="$TMP/small" "$FW" block add c.example d.example
check_eq "the full map kept its two names" 2 \
	"$(FLUXWALL_PIN_PATH=$PIN2 FLUXWALL_STATE_DIR=$TMP/small "$FW" block list --json | jq length)"
FLUXWALL_PIN_PATH=$PIN2 FLUXWALL_STATE_DIR=$TMP/small "$FW" detach --purge >/dev/null 2>&1 || true
rm -rf "$PIN2"

# fw_seen as an older version pinned it (an LRU hash): only a cache, so the
# load replaces it instead of refusing the program.
PIN3=$PIN-oldseen
mkdir -p "$PIN3"
bpftool map create "$PIN3/fw_seen" type lru_hash key 8 value 16 entries 65536 name fw_seen
check "a pinned fw_seen of the old layout does not stop the load" \
	env FLUXWALL_PIN_PATH="$PIN3" FLUXWALL_STATE_DIR="$TMP/oldseen" "$FW" block add a.example
check_match "... and is replaced by the direct-mapped table" "*: array  name fw_seen*key 4B*" \
	"$(bpftool map show pinned "$PIN3/fw_seen")"
FLUXWALL_PIN_PATH=$PIN3 FLUXWALL_STATE_DIR=$TMP/oldseen "$FW" detach --purge >/dev/null 2>&1 || true
rm -rf "$PIN3"

expect_error "an unknown verb" "*unknown verb 'blok'*--help*" fw blok add x.example
expect_error "an option of another verb" "*--purge does not apply to 'block'*" fw block add x.example --purge
expect_error "an unknown option" "*'block': unknown option '--bogus'*fluxwall block --help*" \
	fw block add x.example --bogus
expect_error "an option without its value" "*'block': option --action needs a value*--action drop|nxdomain*" \
	fw block add x.example --action
check_match "usage errors show the verb's generated usage" "*usage: fluxwall attach IFACE*--capacity N*" \
	"$(fw attach 2>&1 || true)"
e2e_end
