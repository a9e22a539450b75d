#!/bin/bash
# Attack: one FIFO under a name that is not its own. Two spellings of one
# path, a hard link made by another user, a rename through a directory that
# an ACL lets another user write, a writer that never stops while the hook
# drains. A FIFO belongs to one name of one end; ends are compared by what
# they are, not by how they are spelt; write access through an ACL is write
# access; and the hook never works without end.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
S=$T/sticky
mkdir -m 1777 "$S"
# The review's set-up: links l1 (ga, gb) and l2 (gc, gd), each on port p1.
two_links() { printf '[l1]\nga = p1\ngb = p1\n[l2]\ngc = p1\ngd = p1\n' | pairs; }
two_links
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# xml GUEST PATH: GUEST's XML with the pipe channel p1 at PATH, in $T/GUEST.xml.
xml() { domain "$1" "pipe:p1:$2" >"$T/$1.xml"; }
prep() { xml "$1" "$2"; hook "$1" prepare begin <"$T/$1.xml"; }
rel() { hook "$1" release end <"$T/$1.xml"; }
ino() { stat -c %i "$1"; }
links() { stat -c %h "$1"; }
status_out() { "$VSERLINK_BIN" status >"$T/status" 2>&1; }

# 1. Two spellings of one path, no attacker needed.
xml ga "$S/a"; xml gc "$S//a"
check "check: two links' ends at one path spelt two ways are found" \
	eval '! "$VSERLINK_BIN" check --no-selinux "$T/ga.xml" "$T/gc.xml" >"$T/check" 2>&1 && grep -qF "$S//a: already in use by guest ga (link l1)" "$T/check"'
prep ga "$S/a"
snap a "$S/a.in" "$S/a.out"
check "another link's end at the same path spelt with '//': refused" \
	refused "$S/a: already in use by guest ga (link l1)" gc prepare begin < <(xml gc "$S//a"; cat "$T/gc.xml")
check "  guest ga's FIFOs are untouched" same a
rel gc
check "  gc's release leaves ga's FIFOs alone" same a
check "this link's other end at the same path spelt with '//': refused" \
	refused "guest ga's end of this link has the same path" gb prepare begin < <(xml gb "$S//a"; cat "$T/gb.xml")
check "  before anything was touched" same a
rel gb
check "  gb's release leaves them too" same a
rel ga
check "ga's FIFOs go at its release" eval 'absent "$S/a.in" && absent "$S/a.out"'
check "ga starts again" prep ga "$S/a"
mkdir "$T/bind"
mount --bind "$S" "$T/bind"
trap 'umount "$T/bind" 2>/dev/null; teardown' EXIT
snap a "$S/a.in" "$S/a.out"
check "another link's end at the same place through a bind mount: refused" \
	refused "$T/bind/a: already in use by guest ga (link l1)" gc prepare begin < <(xml gc "$T/bind/a"; cat "$T/gc.xml")
check "  guest ga's FIFOs are untouched" same a
rel gc
rel ga
pairs <<INI
[l1]
ga = p1
gb = p1
[l3]
ga = p2
gb = p2
INI
domain ga "pipe:p1:$S/x" "pipe:p2:$T/bind/x" >"$T/ga2.xml"
check "two ports of one guest at one place through a bind mount: refused" \
	refused "$T/bind/x: also the path of port p1 (link l1)" ga prepare begin <"$T/ga2.xml"
check "  nothing was made" eval 'absent "$S/x.in" && absent "$S/x.out"'
umount "$T/bind"
two_links

# 2. A hard link to a FIFO of the hook's is not its own name.
saved_hardlinks=$(cat /proc/sys/fs/protected_hardlinks)
trap 'echo "$saved_hardlinks" >/proc/sys/fs/protected_hardlinks; umount "$T/bind" 2>/dev/null; teardown' EXIT
echo 0 >/proc/sys/fs/protected_hardlinks
prep ga "$S/a"
as_nobody ln "$S/a.in" "$S/c.in"
as_nobody ln "$S/a.out" "$S/c.out"
snap c "$S/c.in" "$S/c.out"
check "another name of a FIFO of link l1, planted for link l2: refused" \
	refused "$S/c.in: is another name of guest ga's FIFO $S/a.in (link l1)" gc prepare begin < <(xml gc "$S/c"; cat "$T/gc.xml")
check "  the planted names are left as they are" same c
check "gb joins ga" prep gb "$S/b"
check "  and the link works" wired "$S/a" "$S/b"
check "gd starts on its own" prep gd "$S/d"
check "  with FIFOs of its own" eval '[ "$(ino "$S/d.in")" != "$(ino "$S/a.in")" ] && [ "$(ino "$S/d.in")" != "$(ino "$S/a.out")" ]'
check "  l1's FIFOs have exactly their own names and the planted ones" eval '[ "$(links "$S/a.in")" = 3 ] && [ "$(links "$S/a.out")" = 3 ]'
rm -f "$S/c.in" "$S/c.out"
for g in ga gb gd; do rel $g; done
echo "$saved_hardlinks" >/proc/sys/fs/protected_hardlinks

# 3. Write access through an ACL is write access.
A=$T/acl
mkdir -m 755 "$A"
setfacl -m u:nobody:rwx "$A"
check "a pipe directory that an ACL lets nobody write: refused" \
	refused "$A: is writable by others through an ACL" ga prepare begin < <(xml ga "$A/a"; cat "$T/ga.xml")
check "  nothing was made in it" nothing_under "$A"
setfacl -b "$A"
check "the same directory without the ACL entry is fine" prep ga "$A/a"
check "gb joins" prep gb "$A/b"
setfacl -m u:nobody:rwx "$A"
as_nobody mv "$A/a.in" "$A/c.in"
as_nobody mv "$A/a.out" "$A/c.out"
check "ga's FIFOs renamed by nobody through the ACL are not taken over by link l2" \
	refused "$A: is writable by others through an ACL" gc prepare begin < <(xml gc "$A/c"; cat "$T/gc.xml")
setfacl -b "$A"
mv "$A/c.in" "$A/a.in"; mv "$A/c.out" "$A/a.out"
check "gc waits for gd" prep gc "$A/c"
# By hand, or by anyone who can write the directory: l2's name for l1's FIFO.
ln -f "$A/a.in" "$A/c.in"
check "status: a FIFO of link l1 under link l2's name makes l2 broken" \
	eval 'status_out; grep -qx "link l2: BROKEN" "$T/status" && grep -qF "$A/c.in: is guest ga'"'"'s FIFO $A/a.in of link l1" "$T/status"'
check "  and l1 stays wired" grep -qx "link l1: wired" "$T/status"
rm -f "$A/c.in"
for g in ga gb gc; do rel $g; done
setfacl -m g:nogroup:rwx "$A"
check "a group entry of the ACL counts too" \
	refused "$A: is writable by others through an ACL" ga prepare begin < <(xml ga "$A/a"; cat "$T/ga.xml")
setfacl -b "$A"
setfacl -m u:nobody:rwx "$T/run"
check "a state_dir that an ACL lets nobody write: refused" \
	refused "$T/run: is writable by others through an ACL" ga prepare begin < <(xml ga "$A/a"; cat "$T/ga.xml")
setfacl -b "$T/run"
setfacl -m u:nobody:r-x "$A"
check "an ACL entry without write access is fine" prep ga "$A/a"
rel ga
setfacl -b "$A"

# 4. A drain reads what the pipe can hold, and no more: a writer that never
# stops cannot keep the hook (and every hook behind the lock) at it. A
# writer adds 16 KiB as soon as the drain has read once, to 60000 bytes of
# backlog: more than a pipe's 64 KiB pass, and what is left stays.
pairs <<INI
[l1]
ga = p1
gb = p1
backlog = discard
INI
prep ga "$S/a"
exec 3<>"$S/a.out"
head -c 60000 /dev/zero >&3
check "a join that drains while a writer keeps adding ends in time" \
	eval 'xml gb "$S/b"; VSERLINK_FAULT_RUN="fs_drain: after a read" \
		VSERLINK_FAULT_CMD="head -c 16384 /dev/zero >$S/a.out" \
		VSERLINK_BIN=$VSERLINK_BUILD/fault/vserlink hook gb prepare begin <"$T/gb.xml"'
check "  and left what came in beyond the pipe's capacity" \
	[ "$(timeout 5 dd if="$S/a.out" iflag=nonblock bs=65536 count=2 2>/dev/null | wc -c)" -gt 0 ]
exec 3>&-
rel gb; rel ga
done_testing
