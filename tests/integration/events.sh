#!/bin/bash
# Every event but prepare, release and migrate exits 0, changes nothing and
# never writes to stdout (libvirt takes stdout as XML on migrate and restore).
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
for ev in "start begin" "started begin" "stopped end" "reconnect begin" "restore begin" \
	"attach begin" "prepare end" "release begin" "migrate end" "someday-new begin"; do
	check "$ev exits 0" hook guesta $ev <"$T/a.xml"
	check "$ev touches nothing" absent "$P/a1.in"
done
check "reconnect exits 0 even with a broken pairs.ini" \
	bash -c "echo 'garbage' >>'$T/pairs.ini'; $(declare -f hook); T=$T VSERLINK_BIN=$VSERLINK_BIN HOOK_TIMEOUT=5 hook guesta reconnect begin <'$T/a.xml'"
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
check "migrate begin of a linked guest is refused" ! hook guesta migrate begin <"$T/a.xml"
check "  with a message naming the guest and link" err_has "guest guesta: link port1: a linked guest cannot migrate"
domain guestz pipe:org.linux-kvm.port.1:$P/z1 >"$T/z.xml"
check "migrate begin of an unlinked guest exits 0" hook guestz migrate begin <"$T/z.xml"
check "restore of a linked guest exits 0 (prepare does the wiring)" hook guesta restore begin <"$T/a.xml"
check "the hook with too few arguments fails with usage" ! "$VSERLINK_BIN" hook guesta

# A guest may be named like any subcommand or option, and its state file's
# name is escaped: a leading dot, and 80 percent signs (hashed, too long escaped).
for name in hook check plan status xml --help --version .dot "$(printf '%%%.0s' $(seq 80))x"; do
	pairs <<INI
[l]
$name = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
	domain "$name" pipe:org.linux-kvm.port.1:$P/n1 >"$T/n.xml"
	check "a guest named $name is wired by prepare" hook "$name" prepare begin <"$T/n.xml"
	check "  its FIFOs exist" is_fifo "$P/n1.in"
	check "  and release removes them" hook "$name" release end <"$T/n.xml"
	check "  all of them, and its state file" eval 'absent "$P/n1.in" && [ -z "$(ls -A "$STATE/domains")" ]'
done

# Installed under any name but vserlink, the program is the hook itself.
ln -s "$VSERLINK_BIN" "$T/qemu"
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
check "run as qemu DOMAIN prepare begin -, it wires" \
	bash -c "timeout 10 '$T/qemu' guesta prepare begin - <'$T/a.xml' >'$T/out' && [ ! -s '$T/out' ]"
check "  the FIFOs exist" is_fifo "$P/a1.out"
check "run as qemu DOMAIN release end -, it unwires" bash -c "timeout 10 '$T/qemu' guesta release end - <'$T/a.xml'"
check "  the FIFOs are gone" absent "$P/a1.out"
done_testing
