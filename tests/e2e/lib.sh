# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
# Shared helpers for tests/e2e/test_*.sh: checks, skip rules, the summary.
#
#   source tests/e2e/lib.sh
#   e2e_begin "e2e block"          # the summary prefix
#   e2e_require_env ip kdig ...    # root, tools, bpffs; CI=true: fail, not skip
#   check "what" CMD ARGS...       # pass when CMD succeeds
#   check_eq "what" EXPECTED ACTUAL
#   e2e_end                        # "e2e block: N passed, M failed"; exit status
#
# Every check prints one line. Outside CI a missing prerequisite skips the
# whole test (exit 0 with a SKIP line); under CI=true it fails (exit 1).

E2E_NAME=e2e
E2E_PASS=0
E2E_FAIL=0
E2E_ENDED=0
E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

e2e_begin() {
	E2E_NAME=$1
}

e2e_ok() {
	E2E_PASS=$((E2E_PASS + 1))
	printf 'ok   %s\n' "$1"
}

# e2e_not_ok WHAT [DETAIL]
e2e_not_ok() {
	E2E_FAIL=$((E2E_FAIL + 1))
	printf 'FAIL %s%s\n' "$1" "${2:+: $2}"
}

# check WHAT CMD ARGS...: CMD's output is shown only when it fails.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		e2e_ok "$what"
	else
		e2e_not_ok "$what" "$(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
	fi
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then
		e2e_ok "$1"
	else
		e2e_not_ok "$1" "expected '$2', got '$3'"
	fi
}

# check_match WHAT GLOB ACTUAL
check_match() {
	# shellcheck disable=SC2053
	if [[ $3 == $2 ]]; then
		e2e_ok "$1"
	else
		e2e_not_ok "$1" "expected '$2', got '$3'"
	fi
}

# check_gt WHAT A B: pass when integer A > B.
check_gt() {
	if [[ $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]] && (($2 > $3)); then
		e2e_ok "$1"
	else
		e2e_not_ok "$1" "expected $2 > $3"
	fi
}

# e2e_geo_ensure DIR: the databases and ASN CSV a flux test needs in DIR
# (flux_geo_present, scripts/lab-flux.sh), fetched when missing, or the test
# is skipped (failed under CI=true).
e2e_geo_ensure() {
	flux_geo_present "$1" && return 0
	echo "geo databases missing in $1; running scripts/fetch-geo.sh" >&2
	"$E2E_REPO/scripts/fetch-geo.sh" >&2 ||
		e2e_skip_or_fail "scripts/fetch-geo.sh could not install the geo databases"
	flux_geo_present "$1" || e2e_skip_or_fail "scripts/fetch-geo.sh left $1 incomplete"
}

# e2e_sorted WORDS...: the words sorted, one space between them.
e2e_sorted() { tr ' ' '\n' <<<"$*" | sort | xargs; }

# e2e_skip_or_fail REASON: no return.
e2e_skip_or_fail() {
	E2E_ENDED=1
	if [[ ${CI:-} == true ]]; then
		printf 'FAIL %s: %s (CI=true: e2e tests must run)\n' "$E2E_NAME" "$1"
		printf '%s: 0 passed, 1 failed\n' "$E2E_NAME"
		exit 1
	fi
	printf 'SKIP %s: %s\n' "$E2E_NAME" "$1"
	exit 0
}

# e2e_require_env [CMD...]: root, bpffs, the lab's tools, build/fluxwall.
e2e_require_env() {
	local why c
	# shellcheck source=SCRIPTDIR/../../scripts/lab.sh
	source "$E2E_REPO/scripts/lab.sh"
	why=$(lab_preflight 2>&1) || e2e_skip_or_fail "$why"
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || e2e_skip_or_fail "missing command: $c"
	done
	[[ -x $FLUXWALL ]] || e2e_skip_or_fail "$FLUXWALL is not built (make)"
}

# e2e_daemon_up CONF LOG: fluxwall run started by flux_daemon_start
# (scripts/lab-flux.sh) and said so, or the test ends here: nothing after
# it means anything without the daemon.
e2e_daemon_up() {
	if ! flux_daemon_start "$1" "$2"; then
		e2e_not_ok "fluxwall run is running" "$(tr '\n' ' ' <"$2")"
		e2e_end
		exit 1
	fi
	e2e_ok "fluxwall run --iface $LAB_VETH_CLI is running"
}

# e2e_end: the summary line; exit 1 when a check failed.
e2e_end() {
	E2E_ENDED=1
	printf '%s: %d passed, %d failed\n' "$E2E_NAME" "$E2E_PASS" "$E2E_FAIL"
	((E2E_FAIL == 0))
}

# e2e_on_exit: for a script that stops early (set -e), still print a summary
# that counts the abort as a failure. Register with lab_on_cleanup.
e2e_on_exit() {
	[[ $E2E_ENDED == 1 ]] && return 0
	printf 'FAIL %s: aborted (see the error above)\n' "$E2E_NAME"
	printf '%s: %d passed, %d failed\n' "$E2E_NAME" "$E2E_PASS" "$((E2E_FAIL + 1))"
}
