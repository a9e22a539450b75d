#!/bin/bash
# Attack: a recycled inode number. Someone who may remove the hook's FIFO
# (root, or in a sticky directory the FIFO's owner) removes it, and a FIFO of
# user nobody at the same name gets the freed inode number (ext4 hands it out
# again readily; the test retries until it does). The state knows the hook's
# FIFOs by birth time as well as by inode, so release must leave that FIFO.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
hook guesta prepare begin <"$T/a.xml" || { echo "prepare failed"; exit 1; }
want=$(stat -c %i "$P/a1.in")
rm "$P/a1.in"
mkdir "$T/misses"
for i in $(seq 500); do
	mkfifo "$P/a1.in"
	[ "$(stat -c %i "$P/a1.in")" = "$want" ] && break
	mv "$P/a1.in" "$T/misses/$i"
done
if [ "$(stat -c %i "$P/a1.in")" != "$want" ]; then
	ok "# SKIP inode $want was not handed out again in 500 tries"
	exit 0
fi
chown nobody "$P/a1.in"
echo "# after $i tries a FIFO of user nobody got the freed inode number $want"
hook guesta release end <"$T/a.xml"
check "release leaves another user's FIFO that got the hook's freed inode number" \
	[ "$(stat -c %i:%U "$P/a1.in" 2>/dev/null)" = "$want:nobody" ]
done_testing
