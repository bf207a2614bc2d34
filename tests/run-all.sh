#!/bin/bash
# Run every test: cmocka units, the same units under AddressSanitizer and
# UBSan (make build-asan), BPF_PROG_TEST_RUN suites, namespace end-to-end,
# and a short run of every libFuzzer target over its corpus (make build-fuzz).
#   tests/run-all.sh [unit|asan|bpf|e2e|fuzz]...
# Under CI=true the privileged suites must run: missing root is a failure.
set -u
cd "$(dirname "$0")/.."

kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(unit asan bpf e2e fuzz)
passed=0
failed=0
failures=()

privileged_ok() {
	if [ "$(id -u)" -eq 0 ]; then
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		return 0
	fi
	if [ "${CI:-}" = "true" ]; then
		echo "run-all: CI=true but not root: the privileged tests cannot be skipped" >&2
		failed=$((failed + 1))
		failures+=("privileged suites (not root)")
		return 1
	fi
	echo "run-all: not root, skipping $1 tests (they run as root and always in CI)"
	return 1
}

run_one() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

for kind in "${kinds[@]}"; do
	case $kind in
	unit)
		for t in build/tests/test_*; do
			[ -x "$t" ] || continue
			src=tests/unit/$(basename "$t").c
			[ -f "$src" ] || continue
			run_one "unit $(basename "$t")" "$t"
		done
		;;
	asan)
		# every finding is fatal (-fno-sanitize-recover=all), leaks included
		if ! ls build-asan/tests/test_* >/dev/null 2>&1; then
			echo "run-all: build-asan/tests is empty: run 'make build-asan' first" >&2
			failed=$((failed + 1))
			failures+=("asan (not built)")
			continue
		fi
		for t in build-asan/tests/test_*; do
			[ -f "tests/unit/$(basename "$t").c" ] || continue
			run_one "asan $(basename "$t")" env ASAN_OPTIONS=detect_leaks=1 \
				UBSAN_OPTIONS=print_stacktrace=1 timeout 300 "$t"
		done
		;;
	bpf)
		privileged_ok bpf || continue
		# from /, so a test that finds its files from the working directory fails
		for t in build/tests/test_*; do
			[ -f "tests/bpf/$(basename "$t").c" ] || continue
			run_one "bpf $(basename "$t")" env -C / "$PWD/$t"
		done
		;;
	e2e)
		privileged_ok e2e || continue
		for t in tests/e2e/test_*.sh; do
			[ -f "$t" ] || continue
			run_one "e2e $(basename "$t" .sh)" timeout 600 bash "$t"
		done
		;;
	fuzz)
		fuzzers=(build/fuzz/fuzz_*)
		if [ ! -x "${fuzzers[0]}" ]; then
			echo "run-all: no fuzz target built; run make build-fuzz"
			if [ "${CI:-}" = "true" ]; then
				failed=$((failed + 1))
				failures+=("fuzz (not built)")
			fi
			continue
		fi
		for t in "${fuzzers[@]}"; do
			run_one "fuzz ${t##*/fuzz_}" tests/fuzz/run.sh check "${t##*/fuzz_}"
		done
		;;
	*)
		echo "run-all: unknown kind '$kind' (unit, asan, bpf, e2e or fuzz)" >&2
		exit 2
		;;
	esac
done

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
