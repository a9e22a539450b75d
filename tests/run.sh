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
# The end-to-end test starts its own libvirt daemon as root and installs the
# hook for its run. It runs whenever it can: as root, with no libvirt daemon
# of the machine's running (it will not take over a host's libvirt). CI
# (CI=true) and VSERLINK_E2E=1 always run it, so there a daemon in the way is
# a failure; VSERLINK_E2E=0 leaves it out.
e2e=${VSERLINK_E2E:-auto}
[ "${CI:-}" = true ] && [ "$e2e" = auto ] && e2e=1
if [ "$e2e" = auto ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "e2e: not run: it needs root (make e2e as root runs it alone)"
		e2e=0
	elif pgrep -x 'libvirtd|virtqemud' >/dev/null 2>&1; then
		echo "e2e: not run: a libvirt daemon of this machine is running (stop it, or run make e2e)"
		e2e=0
	fi
fi
if [ "$e2e" != 0 ]; then
	run_one e2e bash "$top/tests/e2e/run.sh" "$VSERLINK_BIN"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
