#!/bin/bash
# Runs every libFuzzer target for SECONDS each (make fuzz FUZZ_SECONDS=N).
#
# Each target starts from its seed corpus (tests/fuzz/corpus/NAME) and the
# golden inputs of the unit tests, and grows a working corpus in
# build/fuzz/corpus/NAME, kept between runs. An input that crashes, leaks,
# hangs or trips a sanitizer is saved in build/fuzz/crashes/; copy it to
# tests/fuzz/regress/NAME/ and make check replays it from then on.
#
# usage: tests/fuzz/run.sh SECONDS [FUZZ_DIR]
set -u
secs=${1:?usage: run.sh SECONDS [FUZZ_DIR]}
dir=${2:-build/fuzz}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mkdir -p "$dir/crashes"
status=0
passed=0
failed=0
for target in domain pairs; do
	bin=$dir/fuzz_$target
	work=$dir/corpus/$target
	golden=tests/golden/$target
	mkdir -p "$work"
	log=$dir/fuzz_$target.log
	# One job, no forks: the machine is shared; -timeout catches hangs.
	seeds=()
	for d in "tests/fuzz/corpus/$target" "tests/fuzz/regress/$target" "$golden"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$target-" "$work" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	echo "fuzz_$target: ${execs:-?} executions in $took s (${speed:-?}/s), $cov, corpus $(ls "$work" | wc -l) inputs, exit $rc"
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	else
		status=1
		failed=$((failed + 1))
		echo "fuzz_$target: FAILED; see $log and $dir/crashes/:"
		grep -E '^(==|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -20 | sed 's/^/    /'
	fi
done
echo "$passed passed, $failed failed"
exit $status
