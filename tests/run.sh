#!/bin/bash
# Runs every test of the suite and closes with "N passed, N failed", or
# "N passed, N failed, N skipped" when a check could not be made here.
#
# Each test program or script prints TAP lines ("ok N - what it proves",
# "not ok N - ...", "ok N - ... # SKIP why"); this script counts them, a
# skip as neither passed nor failed. A test that dies without
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
skipped=0

# The closing words of a count: "A passed, B failed", and ", C skipped" when C > 0.
counts() {
	if [ "$3" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

run_one() {
	local name=$1 out rc ok notok skip
	shift
	out=$("$@" 2>&1)
	rc=$?
	skip=$(grep -ciE '^ok [^#]*# skip' <<<"$out")
	ok=$(($(grep -c '^ok ' <<<"$out") - skip))
	notok=$(grep -c '^not ok ' <<<"$out")
	grep -iE '^(not ok |#)|^ok [^#]*# skip' <<<"$out" | sed "s|^|$name: |"
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "$name: exited $rc without reporting a failure:"
		tail -n 20 <<<"$out" | sed 's/^/    /'
		notok=1
	fi
	if [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ] && [ "$skip" -eq 0 ]; then
		echo "$name: ran no test"
		notok=1
	fi
	echo "$name: $(counts "$ok" "$notok" "$skip")"
	passed=$((passed + ok))
	failed=$((failed + notok))
	skipped=$((skipped + skip))
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

counts "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
