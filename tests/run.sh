#!/bin/bash
# Runs every test of the suite and closes with "N passed, N failed".
#
# Each test program or script prints TAP lines ("ok N - what it proves",
# "not ok N - ..."); this script counts them. A test that dies without
# saying "not ok" counts as one failure, and so does one that proves nothing.
#
# usage: tests/run.sh BUILD_DIR   (make check calls it)
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
export VSERLINK_BIN=${VSERLINK_BIN:-$top/$build/vserlink}
export VSERLINK_BUILD=$top/$build
export VSERLINK_TOP=$top
passed=0
failed=0

run_one() {
	local name=$1 out rc ok notok
	shift
	out=$("$@" 2>&1)
	rc=$?
	ok=$(grep -c '^ok ' <<<"$out")
	notok=$(grep -c '^not ok ' <<<"$out")
	grep -E '^(not ok |#)' <<<"$out" | sed "s|^|$name: |"
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "$name: exited $rc without reporting a failure:"
		tail -n 20 <<<"$out" | sed 's/^/    /'
		notok=1
	fi
	if [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ]; then
		echo "$name: ran no test"
		notok=1
	fi
	echo "$name: $ok passed, $notok failed"
	passed=$((passed + ok))
	failed=$((failed + notok))
}

for t in "$top/$build"/tests/unit/test_*; do
	[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for t in "$top"/tests/integration/*.sh; do
	[ -f "$t" ] && run_one "integration/$(basename "$t" .sh)" bash "$t"
done
if [ "${VSERLINK_E2E:-auto}" != 0 ] && [ -x "$top/tests/e2e/run.sh" ]; then
	run_one e2e bash "$top/tests/e2e/run.sh" "$VSERLINK_BIN"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
