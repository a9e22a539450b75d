#!/bin/bash
# An upgrade while linked guests run. The state file of vserlink 0.1
# (version 1) kept the hook's FIFOs in one list tied to no name. The first
# event after the upgrade gives each FIFO to the end's name it is under, so
# the running links go on working, stop and start as before, and nothing
# else is taken for the hook's. The layout that came next kept a file per
# link (links/) and an index (guests/, fifos/): the first locked event moves
# its records to the guests' files, an intent of a run that died included,
# and a run killed anywhere in that leaves the next one to finish it.
FAULT_BIN=${VSERLINK_FAULT_BIN:-$VSERLINK_BUILD/fault/vserlink}
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
check "  the state is of the current version now: a file a guest, no single file" \
	eval 'grep -qx "vserlink-state 2" "$STATE/domains/guesta" && absent "$STATE/state"'
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

# --- a file per link, as the layout of before kept it ---
pairs <<INI
[cable]
guesta = serial0
guestb = serial0
[heartbeat]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
INI
domain guesta pipe:serial0:$P/a3 pipe:org.linux-kvm.port.2:$P/a4 >"$T/a.xml"
domain guestb pipe:serial0:$P/b3 pipe:org.linux-kvm.port.2:$P/b4 >"$T/b.xml"
hook guesta prepare begin <"$T/a.xml" || { echo "prepare failed: $(cat "$T/err")"; exit 1; }
# to_links: the state as that layout had it, guestb's start killed after its
# intent (both ends of heartbeat) and before that link's file got guestb's end.
to_links() {
	local l
	mkdir -m 700 "$STATE/links" "$STATE/guests" "$STATE/guests/guesta" "$STATE/fifos"
	for l in cable heartbeat; do
		{ echo 'vserlink-state 2'; grep -h "^end $l " "$STATE"/domains/*; } >"$STATE/links/$l"
		ln -s "$l" "$STATE/guests/guesta/$l"
	done
	ln -s ../links/cable "$STATE/fifos/1.2"
	{ echo 'vserlink-state 2'; grep -h "^end heartbeat " "$STATE"/domains/*; } >"$STATE/intent"
	grep -v "^end heartbeat guestb " "$STATE/links/heartbeat" >"$T/hb" &&
		cat "$T/hb" >"$STATE/links/heartbeat"
	rm -r "$STATE/domains"
}
# moved: guestb stopped and its names are gone, heartbeat's included, which only
# the intent recorded; guesta keeps both ends, and nothing of before is left.
moved() {
	absent "$P/b3.in" && absent "$P/b3.out" && absent "$P/b4.in" && absent "$P/b4.out" &&
		is_fifo "$P/a3.in" && is_fifo "$P/a4.out" &&
		[ "$(grep -c '^end [a-z]* guesta ' "$STATE/domains/guesta")" -eq 2 ] &&
		absent "$STATE/domains/guestb" && absent "$STATE/links" && absent "$STATE/links.old" &&
		absent "$STATE/guests" && absent "$STATE/fifos" && absent "$STATE/intent"
}
hook guestb prepare begin <"$T/b.xml" || { echo "prepare failed: $(cat "$T/err")"; exit 1; }
to_links
check "status reads a file per link and the intent of before: both links wired" \
	bash -c "'$VSERLINK_BIN' status | grep -c -e '^link cable: wired' -e '^link heartbeat: wired' | grep -qx 2"
check "  and changes nothing" eval '[ -f "$STATE/intent" ] && [ -d "$STATE/links" ]'
check "guestb stops: the first locked event moves the records to the guests' files" \
	hook guestb release end <"$T/b.xml"
check "  guestb's names are gone, heartbeat's too, and nothing of the layout of before is left" moved
check "guestb starts again and joins guesta" hook guestb prepare begin <"$T/b.xml"
check "  both links work" eval 'wired "$P/a3" "$P/b3" && wired "$P/a4" "$P/b4"'
# fhook N: guestb's release by the fault build, killed at point N.
fhook() {
	(VSERLINK_FAULT_AT=$1 timeout -k 2 "$HOOK_TIMEOUT" "$FAULT_BIN" hook guestb release end - \
		<"$T/b.xml" >/dev/null 2>&1) 2>/dev/null
}
n=0 bad=
while [ $n -lt 40 ]; do
	n=$((n + 1))
	to_links
	fhook $n 2>/dev/null
	last=$?
	hook guestb release end <"$T/b.xml" && moved || bad="$bad $n"
	hook guestb prepare begin <"$T/b.xml" || bad="$bad $n(start)"
	[ $last -eq 137 ] || break
done
check "the move killed at each of its $((n - 1)) fault points: the next event finishes it${bad:+ (not at$bad)}" \
	eval '[ -z "$bad" ] && [ $n -gt 2 ] && [ $last -eq 0 ]'
hook guestb release end <"$T/b.xml"
hook guesta release end <"$T/a.xml"
check "both stop and every name is gone" eval 'absent "$P/a3.in" && absent "$P/a4.out" && absent "$STATE/domains/guesta"'
done_testing
