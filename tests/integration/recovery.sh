#!/bin/bash
# What a hook killed half way leaves behind is cleaned up or adopted by the
# next run, and never anyone else's file. (tests/integration/crash.sh kills
# the hook at every step; this test plants the states such a kill leaves.)
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[l1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
# state LINE...: a state file as vserlink 0.1 wrote it (all links in one), with
# these lines; the next event spreads it over the links' files.
state() { { echo 'vserlink-state 2'; printf '%s\n' "$@"; } >"$STATE/state"; }
# end_rec LINK GUEST PATH [IN OUT]: an end's line; IN and OUT are the FIFOs
# recorded at PATH.in and PATH.out as "DEV INO BIRTH_SEC BIRTH_NSEC".
end_rec() { echo "end $1 $2 $3 $(stat -c '%d %i' "$(dirname "$3")") ${4:-0 0 0 0} ${5:-0 0 0 0}"; }
# recorded INODE: the state records the FIFO INODE at some end's name.
recorded() { state_lines | awk -v i="$1" '$1 == "end" && ($8 == i || $12 == i) { found = 1 } END { exit !found }'; }

# Killed between mkfifo and recording the FIFO: the state says "pending".
hook guesta prepare begin <"$T/a.xml"; hook guesta release end <"$T/a.xml"
state "$(end_rec l1 guesta "$P/a1")" "pending guesta $P/a1.in"
mkfifo -m 600 "$P/a1.in"
check "a FIFO of a run that died before recording it is adopted" hook guesta prepare begin <"$T/a.xml"
check "  and the link works" bash -c "'$VSERLINK_BIN' hook guestb prepare begin - <'$T/b.xml'" 
check "  both ways" wired "$P/a1" "$P/b1"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"

# The same, but the start then failed: release removes the adopted FIFO.
state "$(end_rec l1 guesta "$P/a1")" "pending guesta $P/a1.out"
mkfifo -m 600 "$P/a1.out"
check "release after a prepare that died removes its pending FIFO" hook guesta release end <"$T/a.xml"
check "  it is gone" absent "$P/a1.out"
check "  and the guest is forgotten" eval '! state_lines | grep -q guesta'

# A pending name that someone else owns is not ours to take or remove.
state "$(end_rec l1 guesta "$P/a1")" "pending guesta $P/a1.in"
mkfifo -m 600 "$P/a1.in"; chown nobody "$P/a1.in"
check "a pending name owned by another user is refused at prepare" ! hook guesta prepare begin <"$T/a.xml"
check "  with the reason" err_has "$P/a1.in: is a FIFO that vserlink did not create"
hook guesta release end <"$T/a.xml"
check "  and left alone at release" is_fifo "$P/a1.in"
check "  with a warning" err_has "left alone"
rm -f "$P/a1.in"

# Killed between recording the intent and wiring: release cleans up.
hook guesta prepare begin <"$T/a.xml"
rm "$P/a1.out"
check "a half-wired end is completed by the next prepare" hook guesta prepare begin <"$T/a.xml"
check "  both names exist" is_fifo "$P/a1.out"
hook guestb prepare begin <"$T/b.xml"
rm "$P/b1.in"
check "a half-joined end is completed by the next prepare" hook guestb prepare begin <"$T/b.xml"
check "  and the link works" wired "$P/a1" "$P/b1"

# A stale FIFO of ours where the running peer's should be is replaced.
# guestb starts while guesta's directory cannot be joined, so it makes FIFOs
# of its own beside guesta's; then guesta's prepare runs again (a start
# whose release never came) while guestb runs and holds its FIFOs open.
hook guestb release end <"$T/b.xml"; hook guesta release end <"$T/a.xml"
mkdir -m 755 "$T/pa"
domain guesta pipe:org.linux-kvm.port.1:$T/pa/a1 >"$T/a2.xml"
hook guesta prepare begin <"$T/a2.xml"
chmod o+w "$T/pa"
hook guestb prepare begin <"$T/b.xml"
chmod o-w "$T/pa"
stale_in=$(stat -c %i "$T/pa/a1.in") stale_out=$(stat -c %i "$T/pa/a1.out")
check "set-up: guestb made FIFOs of its own beside guesta's" \
	eval 'recorded "$stale_in" && ! [ "$T/pa/a1.in" -ef "$P/b1.out" ]'
hold "$P/b1.in" "$P/b1.out"
check "a stale FIFO of ours where the running peer's should be is replaced" hook guesta prepare begin <"$T/a2.xml"
check "  .in is now the peer's .out" same_file "$T/pa/a1.in" "$P/b1.out"
check "  .out is now the peer's .in" same_file "$T/pa/a1.out" "$P/b1.in"
check "  bytes cross both ways" wired "$T/pa/a1" "$P/b1"
check "  the stale FIFOs' records are dropped" \
	eval '! recorded "$stale_in" && ! recorded "$stale_out"'

# A FIFO of ours removed by hand leaves its record behind, and the file
# system may give its inode number to the next file made there (ext4 does).
# The record's birth time tells such a FIFO from ours. Planted here: a
# record with the device and inode of someone else's FIFO, and another birth.
for pid in $HOLDERS; do kill "$pid"; wait "$pid"; done 2>/dev/null
HOLDERS=
hook guestb release end <"$T/b.xml"; hook guesta release end <"$T/a.xml"
mkfifo -m 666 "$P/a1.out"; chown nobody "$P/a1.out"
id_of() { stat -c '%d %i' "$1"; }
birth_of() { stat -c %W "$1"; }
other_birth="$(id_of "$P/a1.out") $(( $(birth_of "$P/a1.out") - 1 )) 0"
state "$(end_rec l1 guesta "$P/a1" "0 0 0 0" "$other_birth")"
check "a FIFO with a recorded inode number but another birth is not ours" hook guesta release end <"$T/a.xml"
check "  release leaves it, still nobody's" [ "$(stat -c %U "$P/a1.out")" = nobody ]
check "  and says so" err_has "$P/a1.out: is a FIFO that vserlink did not create"
state "$(end_rec l1 guesta "$P/a1" "0 0 0 0" "$other_birth")"
check "  prepare refuses it too" ! hook guesta prepare begin <"$T/a.xml"
check "  the FIFO is untouched" [ "$(stat -c %U:%a "$P/a1.out")" = nobody:666 ]
rm -f "$P/a1.out"
state

# A state file vserlink did not write stops prepare with a clear message.
cp "$STATE/state" "$STATE/state.good"
echo "rm -rf /" >>"$STATE/state"
check "a corrupt state file is refused" ! hook guesta prepare begin <"$T/a.xml"
check "  naming the file and line" err_has "$STATE/state:"
mv "$STATE/state.good" "$STATE/state"
done_testing
