#!/bin/bash
# Attack: a recycled inode number. Someone who may remove the hook's FIFO
# (root, or in a sticky directory the FIFO's owner) removes it, and a FIFO of
# user nobody at the same name gets the freed inode number (ext4 hands it out
# again readily). The state knows the hook's FIFOs by birth time as well as
# by device and inode, so release must leave that FIFO.
#
# First the check itself, on any file system: the record of the FIFO at a
# name is given another birth time, which is what the state holds when the
# inode number at that name was handed out again. Then that the last name
# of a FIFO takes every record of it along, and the real thing, where the
# file system recycles inode numbers (ext4 does; tmpfs never does).
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"

# --- the same inode number, another birth time ---
hook guesta prepare begin <"$T/a.xml" || { echo "prepare failed"; exit 1; }
ino=$(stat -c %i "$P/a1.in")
check "the state records the FIFO by device, inode and birth time" \
	grep -qE "^end port1 guesta $P/a1 [0-9]+ [0-9]+ [0-9]+ $ino [0-9]+ [0-9]+ " "$STATE/domains/guesta"
# The FIFO now at a1.in stands for one born a second after the hook's.
awk -v ino="$ino" '$1 == "end" && $8 == ino { $9 = $9 + 1 } { print }' "$STATE/domains/guesta" >"$T/state" &&
	cat "$T/state" >"$STATE/domains/guesta"
chown nobody "$P/a1.in"
hook guesta release end <"$T/a.xml"
check "release leaves a FIFO whose inode number the state knows, born at another time" \
	[ "$(stat -c %i:%U "$P/a1.in" 2>/dev/null)" = "$ino:nobody" ]
check "  and says so" err_has "$P/a1.in: is a FIFO that vserlink did not create"
check "  and still removes the names it made" absent "$P/a1.out"
hook guesta prepare begin <"$T/a.xml"
check "prepare then refuses that FIFO" err_has "$P/a1.in: is a FIFO that vserlink did not create"
rm -f "$P/a1.in"
hook guesta release end <"$T/a.xml"

# --- a FIFO's last name takes every record of it along, the peer's too ---
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
hook guesta prepare begin <"$T/a.xml" && hook guestb prepare begin <"$T/b.xml" ||
	{ echo "prepare failed"; exit 1; }
# records INO GUEST: the lines of GUEST's file that record FIFO INO.
records() { awk -v ino="$1" '$1 == "end" && ($8 == ino || $12 == ino)' "$STATE/domains/$2"; }
out=$(stat -c %i "$P/a1.out")
check "guestb's end records guesta's a1.out, its b1.in" [ -n "$(records "$out" guestb)" ]
rm "$P/b1.in"
hook guesta release end <"$T/a.xml"
check "a1.out's last name goes with guesta: no record of that FIFO is left, guestb's neither" \
	eval '[ -z "$(records "$out" guestb)" ] && absent "$P/a1.out"'
hook guestb release end <"$T/b.xml"
check "  and guestb stops cleanly" eval 'absent "$P/b1.out" && absent "$STATE/domains/guestb"'

# --- the real thing: the freed inode number handed out again ---
hook guesta prepare begin <"$T/a.xml" || { echo "prepare failed"; exit 1; }
want=$(stat -c %i "$P/a1.in")
rm "$P/a1.in"
mkdir "$T/misses"
for i in $(seq 500); do
	mkfifo "$P/a1.in"
	[ "$(stat -c %i "$P/a1.in")" = "$want" ] && break
	mv "$P/a1.in" "$T/misses/$i"
done
real_case="release leaves another user's FIFO that got the hook's freed inode number"
if [ "$(stat -c %i "$P/a1.in" 2>/dev/null)" = "$want" ]; then
	chown nobody "$P/a1.in"
	echo "# after $i tries a FIFO of user nobody got the freed inode number $want"
	hook guesta release end <"$T/a.xml"
	check "$real_case" [ "$(stat -c %i:%U "$P/a1.in" 2>/dev/null)" = "$want:nobody" ]
else
	skip "$real_case" "$(stat -f -c %T "$P") did not hand inode $want out again in 500 tries"
fi
done_testing
