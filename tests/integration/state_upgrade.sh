#!/bin/bash
# An upgrade while linked guests run: the state file of vserlink 0.1
# (version 1) kept the hook's FIFOs in one list tied to no name. The first
# event after the upgrade gives each FIFO to the end's name it is under, so
# the running links go on working, stop and start as before, and nothing
# else is taken for the hook's.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
P=$T/p
pairs <<INI
[l1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
hook guesta prepare begin <"$T/a.xml" && hook guestb prepare begin <"$T/b.xml" ||
	{ echo "prepare failed"; exit 1; }
hold "$P/a1.in" "$P/a1.out"
# A FIFO that 0.1 recorded and that is under no end's name now.
mkfifo -m 600 "$P/stray"
# fifo_v1 PATH: the line 0.1 wrote for it: device, inode, birth (s, ns).
fifo_v1() { echo "$(stat -c 'fifo %d %i %W' "$1") $(stat -c %w "$1" | sed 's/.*\.0*\([0-9][0-9]*\) .*/\1/')"; }
{
	echo 'vserlink-state 1'
	echo "end l1 guesta $P/a1"
	echo "end l1 guestb $P/b1"
	fifo_v1 "$P/a1.in"
	fifo_v1 "$P/a1.out"
	fifo_v1 "$P/stray"
} >"$STATE/state"

check "status reads a state of version 1: the link is wired" \
	bash -c "'$VSERLINK_BIN' status | grep -qx 'link l1: wired'"
check "guestb stops" hook guestb release end <"$T/b.xml"
check "  its names are gone" eval 'absent "$P/b1.in" && absent "$P/b1.out"'
check "  the state is of the current version now: a file a link, no single file" \
	eval 'grep -qx "vserlink-state 2" "$STATE/links/l1" && absent "$STATE/state"'
check "guestb starts again" hook guestb prepare begin <"$T/b.xml"
check "  joins the running guesta" same_file "$P/b1.in" "$P/a1.out"
check "  and the link works" wired "$P/a1" "$P/b1"
ln "$P/stray" "$P/b2.in"
domain guestb pipe:org.linux-kvm.port.1:$P/b2 >"$T/b2.xml"
hook guestb release end <"$T/b.xml"
check "a FIFO that version 1 recorded under no end's name is not the hook's" \
	refused "$P/b2.in: is a FIFO that vserlink did not create" guestb prepare begin <"$T/b2.xml"
hook guesta release end <"$T/a.xml"
check "guesta stops and its names are gone" eval 'absent "$P/a1.in" && absent "$P/a1.out"'
check "  the stray FIFO is left" is_fifo "$P/stray"
done_testing
