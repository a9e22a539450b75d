#!/bin/bash
# pairs.ini as the hook sees it: its errors stop the starts of the guests
# they concern, with file:line, and no other guest's; settings take effect.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
domain guestc pipe:org.linux-kvm.port.1:$P/c1 >"$T/c.xml"
domain guestd pipe:org.linux-kvm.port.1:$P/d1 >"$T/d.xml"

pairs <<INI
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[bad]
guestc = org.linux-kvm.port.1
INI
check "errors only in other guests' lines: prepare exits 0" hook guesta prepare begin <"$T/a.xml"
check "  and the guest's own links are wired" is_fifo "$P/a1.in"
check "  and nothing is said about others' errors" err_empty
check "a guest whose link has one end cannot start" ! hook guestc prepare begin <"$T/c.xml"
check "  the message has file and line" err_has "vserlink: $T/pairs.ini:6: link bad has 1 end; a link joins exactly two guest ports"
check "a guest pairs.ini does not mention starts" hook guestd prepare begin <"$T/d.xml"
hook guesta release end <"$T/a.xml"

pairs <<INI
[vserlink]
mode = 0660
mode = 0640
sate_dir = /x
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
check "errors in [vserlink] stop every linked guest" ! hook guesta prepare begin <"$T/a.xml"
check "  and every error is reported, not just the first" \
	[ "$(grep -c "^vserlink: $T/pairs.ini:[0-9]*: " "$T/err")" = 2 ]
check "  each with its line" err_has "pairs.ini:6: unknown setting \"sate_dir\" in [vserlink]"
check "  but not a guest pairs.ini does not mention" hook guestd prepare begin <"$T/d.xml"

# A bad line inside a link stops every guest the link names, the guest on the
# line included: its key is read even where the line cannot be.
pairs <<INI
[long]
guesta = $(printf 'p%.0s' $(seq 240))
guestb = org.linux-kvm.port.1
INI
check "an over-long line in a link stops the guest it names" ! hook guesta prepare begin <"$T/a.xml"
check "  with file and line" err_has "vserlink: $T/pairs.ini:4: line is longer than 198 bytes"
check "  and nothing is wired" absent "$P/a1.in"
check "  it stops the link's other guest too" ! hook guestb prepare begin <"$T/b.xml"
check "  with the same line" err_has "vserlink: $T/pairs.ini:4: line is longer than 198 bytes"
check "  but not a guest pairs.ini does not mention" hook guestd prepare begin <"$T/d.xml"
pairs <<INI
[unclosed
guestc = org.linux-kvm.port.1
guestd = org.linux-kvm.port.1
INI
check "a section header without ']' after [vserlink] stops the guests under it" ! hook guestc prepare begin <"$T/c.xml"
check "  with file and line" err_has "vserlink: $T/pairs.ini:3: section header without ']'"
check "  and nothing is wired" absent "$P/c1.in"
check "  but not a guest pairs.ini does not mention" hook guesta prepare begin <"$T/a.xml"
hook guesta release end <"$T/a.xml"

pairs <<INI
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
chmod 666 "$T/pairs.ini"
check "a pairs.ini writable by others is refused" ! hook guesta prepare begin <"$T/a.xml"
check "  saying why" err_has "pairs.ini: is writable by others; refusing to use it"
check "  and nothing is wired" absent "$P/a1.in"
check "  but unlinked guests still start" hook guestd prepare begin <"$T/d.xml"
chmod 644 "$T/pairs.ini"
mv "$T/pairs.ini" "$T/real.ini"; ln -s "$T/real.ini" "$T/pairs.ini"
check "a pairs.ini that is a symlink is refused" ! hook guesta prepare begin <"$T/a.xml"
check "  saying why" err_has "pairs.ini: is a symbolic link; refusing to use it"
rm "$T/pairs.ini"; mkfifo "$T/pairs.ini"
check "a FIFO at pairs.ini does not hang the hook" hook guesta prepare begin <"$T/a.xml"
check "  wires nothing" absent "$P/a1.in"
check "  and warns" err_has "vserlink: warning: $T/pairs.ini: is not a regular file"
rm "$T/pairs.ini"; mv "$T/real.ini" "$T/pairs.ini"

# Settings: owner, group and mode of the FIFOs; state_dir created 0700.
nobody=$(id -u nobody); nogroup=$(getent group nogroup | cut -d: -f3)
pairs <<INI
[vserlink]
owner = nobody
group = nogroup
mode = 0660
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
rm -rf "$STATE"
check "owner, group and mode by name" hook guesta prepare begin <"$T/a.xml"
check "  the FIFOs have them" [ "$(stat -c %a:%u:%g "$P/a1.in")" = "660:$nobody:$nogroup" ]
check "state_dir is created 0700 root" [ "$(stat -c %a:%u "$STATE")" = "700:0" ]
hook guesta release end <"$T/a.xml"
pairs <<INI
[vserlink]
owner = $nobody
mode = 640
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
check "owner by number, mode without a leading 0" hook guesta prepare begin <"$T/a.xml"
check "  the FIFOs have them" [ "$(stat -c %a:%u "$P/a1.out")" = "640:$nobody" ]
hook guesta release end <"$T/a.xml"

# Backlog: what a restarted end receives of what its peer wrote meanwhile.
backlog_after_restart() {
	hook guesta prepare begin <"$T/a.xml" && hook guestb prepare begin <"$T/b.xml" &&
		hold "$P/b1.in" "$P/b1.out" &&
		hook guesta release end <"$T/a.xml" &&
		"$FIFO_IO" write "$P/b1.out" "old-news" &&
		hook guesta prepare begin <"$T/a.xml" &&
		"$FIFO_IO" read "$P/a1.in" >"$T/backlog" &&
		wired "$P/a1" "$P/b1"
}
pairs <<INI
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
backlog = discard
INI
check "backlog = discard: the restarted end rejoins" backlog_after_restart
check "  and receives nothing the peer wrote while it was down" [ -z "$(cat "$T/backlog")" ]
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
pairs <<INI
[vserlink]
backlog = discard
[good]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
backlog = keep
INI
check "backlog = keep on a link overrides [vserlink]" backlog_after_restart
check "  and the restarted end receives the backlog" [ "$(cat "$T/backlog")" = "old-news" ]
done_testing
