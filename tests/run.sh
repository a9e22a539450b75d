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
# hook for its run; the package test does the same with the Debian package,
# which it builds (make deb), installs, upgrades and purges. Each runs
# whenever it can: as root, with no libvirt daemon of the machine's running
# (it will not take over a host's libvirt), and the package test only where
# no vserlink package is installed. CI (CI=true) and VSERLINK_E2E=1 always
# run them, so there anything in the way is a failure; VSERLINK_E2E=0 leaves
# both out, VSERLINK_PACKAGE=0|1 decides for the package test alone.
# can_drive_libvirt NAME: prints why NAME cannot run here, and fails.
can_drive_libvirt() {
	if [ "$(id -u)" != 0 ]; then
		echo "$1: not run: it needs root"
		return 1
	elif pgrep -x 'libvirtd|virtqemud' >/dev/null 2>&1; then
		echo "$1: not run: a libvirt daemon of this machine is running (stop it, or run it alone)"
		return 1
	fi
}
e2e=${VSERLINK_E2E:-auto}
[ "${CI:-}" = true ] && [ "$e2e" = auto ] && e2e=1
if [ "$e2e" = auto ]; then
	can_drive_libvirt e2e || e2e=0
fi
if [ "$e2e" != 0 ]; then
	run_one e2e bash "$top/tests/e2e/run.sh" "$VSERLINK_BIN"
fi
package=${VSERLINK_PACKAGE:-${VSERLINK_E2E:-auto}}
[ "${CI:-}" = true ] && [ "$package" = auto ] && package=1
if [ "$package" = auto ]; then
	if ! can_drive_libvirt package; then
		package=0
	elif dpkg-query -W -f='${db:Status-Abbrev}' vserlink 2>/dev/null | grep -q '^.[^n]'; then
		echo "package: not run: dpkg knows a vserlink package on this machine"
		package=0
	fi
fi
if [ "$package" != 0 ]; then
	run_one package bash "$top/tests/package/run.sh"
fi

counts "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
