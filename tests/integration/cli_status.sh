#!/bin/bash
# vserlink status: every link, its attached ends, and whether the wiring on
# disk is intact, through each state a link goes through and each way it
# can be broken by hand. Reports are compared with golden files
# (tests/golden/status, $T written as T); exit 1 means broken wiring.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
GOLDEN=$VSERLINK_TOP/tests/golden/status

golden() {
	local want=$GOLDEN/$1.expected got=$T/golden.got
	sed "s|$T|T|g" "$T/sout" >"$got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"; cp "$got" "$want"; return 0
	fi
	diff -u "$want" "$got" >"$T/diff" && return 0
	sed 's/^/# /' "$T/diff"
	return 1
}
status() { timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" status "$@" >"$T/sout" 2>&1; }
# report NAME WANT_RC: status exits WANT_RC and prints the golden report NAME.
report() {
	local rc
	status; rc=$?
	check "$1: status exits $2" [ "$rc" -eq "$2" ]
	check "$1: status shows the expected report" golden "$1"
}

pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[port2]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/b.xml"

report nothing-attached 0
check "status creates no state directory" absent "$STATE"
hook guesta prepare begin <"$T/a.xml"
report one-end 0
hook guestb prepare begin <"$T/b.xml"
report wired 0
state_snapshot >"$T/state.before"
"$VSERLINK_BIN" status -c "$T/pairs.ini" >/dev/null 2>&1
check "status changes nothing in the state" cmp -s <(state_snapshot) "$T/state.before"

# Broken by hand, one way at a time, each put right again by a restart.
restart_a() { hook guesta release end <"$T/a.xml"; hook guesta prepare begin <"$T/a.xml"; }
rm "$P/a1.in"; mkfifo "$P/a1.in"
report fifo-replaced 1
rm "$P/a1.in"; restart_a
rm "$P/b2.out"
report name-missing 1
hook guestb release end <"$T/b.xml"; hook guestb prepare begin <"$T/b.xml"
report repaired 0
rm "$P/a1.out"; echo text >"$P/a1.out"
rm "$P/a2.in"; ln -s "$P/b2.out" "$P/a2.in"
rm "$P/b1.in"; mkdir "$P/b1.in"
rm "$P/b2.out"; mknod "$P/b2.out" c 1 3
report not-fifos 1
rm "$P/a1.out" "$P/a2.in" "$P/b2.out"; rmdir "$P/b1.in"; restart_a
hook guestb release end <"$T/b.xml"; hook guestb prepare begin <"$T/b.xml"
rm "$P/b1.out"; ln "$P/a2.out" "$P/b1.out"
report crossed 1
rm "$P/b1.out"; hook guestb release end <"$T/b.xml"; hook guestb prepare begin <"$T/b.xml"
mv "$P" "$T/moved"
report directory-gone 1
mv "$T/moved" "$P"
report wired 0

# pairs.ini changes under running guests.
cp "$T/pairs.ini" "$T/good.ini"
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[port3]
guesta = serial0
INI
report config-changed 0
pairs </dev/null
report no-links 0
cp "$T/good.ini" "$T/pairs.ini"
check "status -c FILE reads that file" status -c "$T/good.ini"
check "status without pairs.ini still reads the state" status -c "$T/none.ini"
check "  and says pairs.ini is missing" grep -qxF "vserlink: $T/none.ini does not exist; showing what the hook attached before" "$T/sout"
check "status fails when pairs.ini cannot be opened" ! status -c "$T/pairs.ini/x"
check "  saying why" grep -qxF "vserlink: $T/pairs.ini/x: Not a directory" "$T/sout"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
pairs </dev/null
report nothing-linked 0
cp "$T/good.ini" "$T/pairs.ini"

# A prepare killed half way (the fault-injection build stops it at a point).
FAULT_BIN=$VSERLINK_BUILD/fault/vserlink
if [ -x "$FAULT_BIN" ]; then
	VSERLINK_FAULT_TRACE=$T/trace "$FAULT_BIN" hook guesta prepare begin - <"$T/a.xml" 2>/dev/null
	hook guesta release end <"$T/a.xml"
	n=$(awk '/after mkfifoat/ { print $1; exit }' "$T/trace")
	{ VSERLINK_FAULT_AT=$n "$FAULT_BIN" hook guesta prepare begin - <"$T/a.xml"; } 2>/dev/null
	report interrupted-prepare 1
	hook guesta release end <"$T/a.xml"
	report nothing-attached 0
else
	not_ok "the fault-injection build $FAULT_BIN, to interrupt a prepare"
fi

# A guests' directory that cannot be read is not an empty one.
mkdir -p "$T/elsewhere" && rm -rf "$STATE/domains" && ln -s "$T/elsewhere" "$STATE/domains"
check "status fails when the guests' state directory cannot be read" ! status
check "  saying why" grep -qxF "vserlink: $STATE/domains: Not a directory" "$T/sout"
rm "$STATE/domains"

printf 'vserlink-state 2\nthis is no state\n' >"$STATE/state"
check "status fails on a state file the hook did not write" ! status
check "  saying which line" grep -qxF "vserlink: $STATE/state:2: not a line vserlink wrote; remove the file if no linked guest runs" "$T/sout"
check "status takes no operands" ! status guesta
check "  saying so" grep -qxF "vserlink: status: takes no operands; see vserlink status --help" "$T/sout"
done_testing
