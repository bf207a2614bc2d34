#!/bin/bash
# Run the libFuzzer targets of tests/fuzz (built by `make build-fuzz`).
#
#   tests/fuzz/run.sh check TARGET     every input of tests/fuzz/corpus/TARGET,
#                                      then FUZZ_CHECK_SECONDS (5) of fuzzing;
#                                      fails on any crash, leak, UB or broken
#                                      invariant. What `make test` runs.
#   tests/fuzz/run.sh fuzz [TARGET]... FUZZ_SECONDS (60) of fuzzing each, from
#                                      the corpus and the seeds; then minimises
#                                      corpus and findings back into
#                                      tests/fuzz/corpus/TARGET. `make fuzz`.
#
# Seeds: tests/fuzz/seeds/TARGET (crafted edge cases), tests/fuzz/seeds/feed
# for every feed format, the captures in tests/data/pcap, contrib/fluxwall.conf,
# the messages of build/tools/walk_seeds
# and, as root, the samples the XDP program makes of the tests/data captures
# (build/tools/seed_samples). Inputs named regress-* are regression inputs of
# fixed bugs: minimising keeps them whatever their coverage.
# Findings go to build/fuzz/artifacts, logs and a summary to build/fuzz/logs.
set -u
cd "$(dirname "$0")/../.." || exit 1

BIN=build/fuzz
CORPUS=tests/fuzz/corpus
SEEDS=tests/fuzz/seeds
CORPUS_MAX_FILES=200
CORPUS_MAX_BYTES=$((1024 * 1024))

targets_all() {
	local b
	for b in "$BIN"/fuzz_*; do
		[ -x "$b" ] && basename "$b" | sed 's/^fuzz_//'
	done
}

# Largest input worth trying: what the code under test reads at most.
max_len() {
	case $1 in
	name_key) echo 512 ;;          # a name, and what follows it in a question
	sample_decode) echo 584 ;;     # sizeof(struct fw_sample)
	walk_decode) echo 1024 ;;      # a message: the walk reads 512 bytes of it
	pcap) echo 16384 ;;
	conf) echo 8192 ;;
	xfr) echo 65536 ;;             # a transfer's first messages
	*) echo 4096 ;;
	esac
}

# Samples the XDP program makes of the tests/data captures and of a short
# generated scenario run (NS, glue, CNAME chains): needs root and bpffs.
sample_seeds() {
	local dir=$1 scen
	if [ "$(id -u)" -ne 0 ] || [ ! -x build/tools/seed_samples ]; then
		echo "fuzz: not root or no build/tools/seed_samples: sample_decode starts from its corpus"
		return 0
	fi
	build/tools/seed_samples "$dir" tests/data/pcap/*.pcap >/dev/null || return 1
	scen=$(mktemp -d "${TMPDIR:-/tmp}/fluxwall-fuzz-scen.XXXXXX")
	if build/tools/gen_scenarios --out "$scen" --hours 1 --scale 0.1 >/dev/null 2>&1; then
		rm -f "$scen/all.pcap"
		build/tools/seed_samples --max 4 "$dir" "$scen"/*.pcap >/dev/null
	fi
	rm -rf "$scen"
}

# build/fuzz/seeds/TARGET: every seed of TARGET, gathered from where it lives.
gather_seeds() {
	local t=$1 dir=$BIN/seeds/$1 from=$SEEDS/$1
	rm -rf "$dir"
	mkdir -p "$dir"
	case $t in
	feed_*) from=$SEEDS/feed ;;
	pcap) cp tests/data/pcap/*.pcap "$dir"/ ;;
	conf) cp contrib/fluxwall.conf "$dir"/ ;;
	sample_decode) sample_seeds "$dir" || echo "fuzz: seed_samples failed" >&2 ;;
	walk_decode) build/tools/walk_seeds "$dir" "$CORPUS/sample_decode" ||
		echo "fuzz: walk_seeds failed" >&2 ;;
	esac
	if [ -d "$from" ]; then
		find "$from" -maxdepth 1 -type f ! -name '*.py' -exec cp {} "$dir"/ \;
	fi
}

libfuzzer_opts() {
	echo "-max_len=$(max_len "$1") -timeout=10 -rss_limit_mb=2048 -print_final_stats=1" \
		"-artifact_prefix=$BIN/artifacts/$1-"
}

# "cov ft exec/s units" from a libFuzzer log.
stats_of() {
	local log=$1 last
	last=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	printf '%s %s %s %s\n' \
		"$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")" \
		"$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")" \
		"$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log")" \
		"$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log")"
}

# Why a run failed, from its log: the sanitizer's or the invariant's first line.
finding_of() {
	grep -m1 -E '^(fuzz: .*invariant|==[0-9]+==ERROR|SUMMARY:|.*runtime error:)' "$1"
}

check() {
	local t=$1 bin=$BIN/fuzz_$1 work log rc cov ft eps units
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is not built; run make build-fuzz" >&2
		return 1
	fi
	mkdir -p "$BIN/artifacts" "$BIN/logs" "$CORPUS/$t"
	work=$(mktemp -d "${TMPDIR:-/tmp}/fluxwall-fuzz-$t.XXXXXX")
	log=$BIN/logs/check-$t.log
	# shellcheck disable=SC2046
	"$bin" $(libfuzzer_opts "$t") -max_total_time="${FUZZ_CHECK_SECONDS:-5}" \
		"$work" "$CORPUS/$t" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	read -r cov ft eps units < <(stats_of "$log")
	if [ $rc -ne 0 ]; then
		echo "fuzz $t: FAILED: $(finding_of "$log")"
		echo "fuzz $t: log in $log, input in $BIN/artifacts/$t-*"
		return 1
	fi
	echo "fuzz $t: $(find "$CORPUS/$t" -type f | wc -l) corpus inputs and ${units:-?} runs" \
		"(${eps:-?}/s), cov ${cov:-?} ft ${ft:-?}, nothing found"
}

# libFuzzer -merge=1 of the directories after $3 into $2; $1 the target,
# then extra options.
merge_into() {
	local t=$1 out=$2
	shift 2
	# shellcheck disable=SC2046
	"$BIN/fuzz_$t" $(libfuzzer_opts "$t") -merge=1 "$out" "$@" >>"$BIN/logs/merge-$t.log" 2>&1
}

too_big() {
	[ "$(find "$1" -type f | wc -l)" -gt $CORPUS_MAX_FILES ] ||
		[ "$(du -sb "$1" | cut -f1)" -gt $CORPUS_MAX_BYTES ]
}

# Minimise corpus, findings and seeds into a fresh corpus; keep regress-*.
# When counting hits per edge makes it too big, only new edges count.
# Prints "FILES BYTES" of the new corpus.
merge() {
	local t=$1 new small
	new=$(mktemp -d "${TMPDIR:-/tmp}/fluxwall-fuzz-$t.XXXXXX")
	: >"$BIN/logs/merge-$t.log"
	if ! merge_into "$t" "$new" "$CORPUS/$t" "$BIN/work/$t" "$BIN/seeds/$t"; then
		echo "fuzz $t: merging failed, corpus unchanged; see $BIN/logs/merge-$t.log" >&2
		rm -rf "$new"
		return 1
	fi
	if too_big "$new"; then
		small=$(mktemp -d "${TMPDIR:-/tmp}/fluxwall-fuzz-$t.XXXXXX")
		merge_into "$t" "$small" "$new" -use_counters=0
		rm -rf "$new"
		new=$small
	fi
	find "$CORPUS/$t" -maxdepth 1 -name 'regress-*' -exec cp {} "$new"/ \;
	rm -rf "${CORPUS:?}/$t" "${BIN:?}/work/$t"
	mv "$new" "$CORPUS/$t"
	chmod 755 "$CORPUS/$t"
	too_big "$CORPUS/$t" &&
		echo "fuzz $t: corpus over $CORPUS_MAX_FILES files or $CORPUS_MAX_BYTES bytes;" \
			"lower its max_len in $0" >&2
	echo "$(find "$CORPUS/$t" -type f | wc -l) $(du -sb "$CORPUS/$t" | cut -f1)"
}

fuzz() {
	local t=$1 bin=$BIN/fuzz_$1 log rc size cov ft eps units
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is not built; run make build-fuzz" >&2
		return 1
	fi
	mkdir -p "$BIN/artifacts" "$BIN/work/$t" "$CORPUS/$t"
	gather_seeds "$t"
	log=$BIN/logs/fuzz-$t.log
	# shellcheck disable=SC2046
	"$bin" $(libfuzzer_opts "$t") -max_total_time="${FUZZ_SECONDS:-60}" \
		"$BIN/work/$t" "$CORPUS/$t" "$BIN/seeds/$t" >"$log" 2>&1
	rc=$?
	read -r cov ft eps units < <(stats_of "$log")
	size=$(merge "$t") || size="? ?"
	printf '%-14s %5ss %11s runs %7s/s  cov %4s  ft %5s  corpus %s files %s bytes  %s\n' \
		"$t" "${FUZZ_SECONDS:-60}" "${units:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
		"${size% *}" "${size#* }" "$([ $rc -eq 0 ] && echo ok || echo "FOUND: $(finding_of "$log")")" |
		tee -a "$BIN/logs/summary.txt"
	return $rc
}

mode=${1:-}
shift
case $mode in
check)
	[ $# -eq 1 ] || { echo "usage: $0 check TARGET" >&2; exit 2; }
	check "$1"
	;;
fuzz)
	# shellcheck disable=SC2046
	[ $# -gt 0 ] || set -- $(targets_all)
	[ $# -gt 0 ] || { echo "fuzz: no target built; run make build-fuzz" >&2; exit 1; }
	mkdir -p "$BIN/logs"
	echo "# $(date -u +%FT%TZ) FUZZ_SECONDS=${FUZZ_SECONDS:-60}" >>"$BIN/logs/summary.txt"
	failed=0
	for t in "$@"; do
		fuzz "$t" || failed=$((failed + 1))
	done
	if [ $failed -ne 0 ]; then
		echo "fuzz: $failed target(s) found something; inputs in $BIN/artifacts" >&2
		exit 1
	fi
	;;
*)
	echo "usage: $0 check TARGET | fuzz [TARGET]..." >&2
	exit 2
	;;
esac
