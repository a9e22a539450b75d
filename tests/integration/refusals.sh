#!/bin/bash
# Every reason prepare refuses a start: the exit status is non-zero, one line
# on stderr names the guest, link, port and path at fault, and nothing is
# created, changed or removed, not even for the guest's other links.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[port2]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
INI
good_b() { domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2; }
nothing_made() { [ -z "$(find "$P" \( -name '*.in' -o -name '*.out' \) -newer "$T/pairs.ini")" ]; }

# refuse DESCRIPTION MESSAGE DOMAIN < xml: prepare fails, says MESSAGE, makes nothing.
refuse() {
	local what=$1 msg=$2 dom=$3
	touch "$T/pairs.ini"
	check "$what: prepare fails" ! hook "$dom" prepare begin
	check "$what: the message says so" err_has "$msg"
	check "$what: one line on stderr" [ "$(wc -l <"$T/err")" -ge 1 ]
	check "$what: nothing is created" nothing_made
}

domain guesta pty:org.linux-kvm.port.1: pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a linked port of type pty" \
	"vserlink: guest guesta: link port1 (org.linux-kvm.port.1): is type='pty'; a linked port must be type='pipe'" \
	guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a linked port missing from the XML" \
	"guest guesta: link port1 (org.linux-kvm.port.1): no such port in the domain XML" guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.1: pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a pipe without a source path" "link port1 (org.linux-kvm.port.1): has no <source path='...'/>" \
	guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.1:relative/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a relative path" "link port1 (org.linux-kvm.port.1): relative/a1: is not an absolute path" guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.1:$P/../p/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a path with .." "contains a \".\" or \"..\" component" guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.1:$P/same pipe:org.linux-kvm.port.2:$P/same >"$T/x.xml"
refuse "two linked ports of one guest on one path" \
	"link port2 (org.linux-kvm.port.2): $P/same: also the path of port org.linux-kvm.port.1 (link port1)" \
	guesta <"$T/x.xml"
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/nodir/a2 >"$T/x.xml"
refuse "a missing directory" "link port2 (org.linux-kvm.port.2): $P/nodir: No such file or directory" guesta <"$T/x.xml"
check "  not even the guest's good link is wired" absent "$P/a1.in"

# Foreign objects at FIFO names are errors, and are left exactly as they were.
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/a.xml"
echo "precious" >"$P/a1.in"
before=$(stat -c %i:%s:%a:%Y "$P/a1.in")
refuse "a regular file at P.in" "link port1 (org.linux-kvm.port.1): $P/a1.in: exists and is a regular file, not a FIFO" guesta <"$T/a.xml"
check "  the regular file is untouched" [ "$(stat -c %i:%s:%a:%Y "$P/a1.in")" = "$before" ]
rm "$P/a1.in"
echo secret >"$T/secret"; ln -s "$T/secret" "$P/a1.out"
refuse "a symlink at P.out" "$P/a1.out: is a symbolic link" guesta <"$T/a.xml"
check "  the symlink is untouched" [ "$(readlink "$P/a1.out")" = "$T/secret" ]
check "  its target is untouched" [ "$(cat "$T/secret")" = secret ] && [ ! -p "$T/secret" ]
rm "$P/a1.out"
mkdir "$P/a2.out"
refuse "a directory at P.out" "$P/a2.out: exists and is a directory, not a FIFO" guesta <"$T/a.xml"
rmdir "$P/a2.out"
mkfifo "$P/a1.in"
refuse "a FIFO vserlink did not create" "$P/a1.in: is a FIFO that vserlink did not create" guesta <"$T/a.xml"
check "  the foreign FIFO is still there" is_fifo "$P/a1.in"
rm "$P/a1.in"

# Directories: no symlink on the way, none that others can write to.
ln -s "$P" "$T/plink"
domain guesta pipe:org.linux-kvm.port.1:$T/plink/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a symlink among the parent directories" "$T/plink: is a symbolic link; vserlink never follows symlinks" guesta <"$T/x.xml"
mkdir -m 777 "$T/open"; chmod 777 "$T/open"
domain guesta pipe:org.linux-kvm.port.1:$T/open/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
refuse "a directory writable by others" "$T/open: is writable by others and not sticky" guesta <"$T/x.xml"
chmod 1777 "$T/open"
check "a sticky directory writable by all (like /tmp) is fine" hook guesta prepare begin <"$T/x.xml"
hook guesta release end <"$T/x.xml"

# Paths shared with the other end or with another link.
hook guesta prepare begin <"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/x.xml"
refuse "both ends of a link on one path" \
	"guest guestb: link port1 (org.linux-kvm.port.1): $P/a1: guest guesta's end of this link has the same path" guestb <"$T/x.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/a2 pipe:org.linux-kvm.port.2:$P/b2 >"$T/x.xml"
refuse "a path in use by another link" "$P/a2: already in use by guest guesta (link port2)" guestb <"$T/x.xml"
check "  the other guest's wiring is untouched" is_fifo "$P/a2.in"
# A place is another end's while that end's FIFOs are there. Removed by hand,
# the place is free again, and the other end's release leaves what is there
# now alone.
rm "$P/a2.in" "$P/a2.out"
check "a path whose other link's FIFOs were removed by hand can be used" hook guestb prepare begin <"$T/x.xml"
check "  the other guest's release leaves the FIFOs now there" \
	eval 'hook guesta release end <"$T/a.xml" && is_fifo "$P/a2.in" && is_fifo "$P/a2.out"'
hook guestb release end <"$T/x.xml"

# Both ends must be on one file system: their FIFOs are hard links.
if [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$P")" ]; then
	S=$(mktemp -d /dev/shm/vserlink-test.XXXXXX); chmod 755 "$S"
	hook guesta prepare begin <"$T/a.xml"
	domain guestb pipe:org.linux-kvm.port.1:$S/b1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/x.xml"
	refuse "ends on different file systems" "are on different file systems; both ends of a link must be on one" guestb <"$T/x.xml"
	check "  the message names both paths" err_has "$S/b1.in and guest guesta's $P/a1.out"
	hook guesta release end <"$T/a.xml"
	rm -rf "$S"
else
	not_ok "a second file system (/dev/shm) to test hard links across"
fi

# The XML itself.
echo "<domain><name>guesta</name><devices>" >"$T/x.xml"
refuse "malformed XML" "guest guesta: domain XML line" guesta <"$T/x.xml"
good_b >"$T/x.xml"
refuse "another guest's XML" "guest guesta: the domain XML on stdin is guest guestb's" guesta <"$T/x.xml"
check "no XML on stdin at all" ! bash -c "'$VSERLINK_BIN' hook guesta prepare begin - </dev/null 2>/dev/null"
done_testing
