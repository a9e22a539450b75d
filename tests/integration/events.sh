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
done_testing
