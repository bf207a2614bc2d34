# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
# Query checks shared by the e2e tests, on top of tests/e2e/lib.sh and the
# lab (scripts/lab.sh): each runs one lab_query and prints one check line.
#
#   expect WHAT WANT [-6] [-t] NAME [TYPE]   the result is exactly WANT
#   expect_nx WHAT [-6] [-t] NAME [TYPE]     NXDOMAIN within 1 s
#   expect_ok WHAT [-6] [-t] NAME [TYPE]     NOERROR with at least one answer

expect() {
	local what=$1 want=$2
	shift 2
	lab_query "$@"
	check_eq "$what" "$want" "$LAB_R"
}

expect_nx() {
	local what=$1
	shift
	lab_query "$@"
	if [[ $LAB_R == NXDOMAIN && $LAB_QUERY_MS -lt 1000 ]]; then
		e2e_ok "$what (${LAB_QUERY_MS} ms)"
	else
		e2e_not_ok "$what" "expected NXDOMAIN within 1000 ms, got '$LAB_R' in $LAB_QUERY_MS ms"
	fi
}

expect_ok() {
	local what=$1
	shift
	lab_query "$@"
	check_match "$what" "NOERROR ?*" "$LAB_R"
}
