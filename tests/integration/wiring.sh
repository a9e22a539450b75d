#!/bin/bash
# The wiring itself: prepare and release run exactly as libvirt runs them,
# proven by moving bytes both ways through the FIFOs with non-blocking opens.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1   ; inline comment
guestb = org.linux-kvm.port.1
[port2]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
[console]
guesta = serial1
guestb = serial0
INI
domain guesta pty:serial0: pipe:serial1:$P/a-s1 pipe:org.linux-kvm.port.1:$P/a1 \
	pipe:org.linux-kvm.port.2:$P/a2 pipe:org.linux-kvm.port.3:$P/a3 >"$T/a.xml"
domain guestb pipe:serial0:$P/b-s0 pipe:org.linux-kvm.port.1:$P/b1 \
	pipe:org.linux-kvm.port.2:$P/b2 >"$T/b.xml"
domain guestc pipe:org.linux-kvm.port.1:$P/c1 >"$T/c.xml"

check "prepare of the first end exits 0" hook guesta prepare begin <"$T/a.xml"
check "first end: P.in and P.out are FIFOs" is_fifo "$P/a1.in"
check "first end: P.out is a FIFO" is_fifo "$P/a1.out"
check "first end: every linked port gets its FIFOs" is_fifo "$P/a-s1.out"
check "an unlinked pipe port is left alone" absent "$P/a3.in"
check "FIFOs are created 0600 root:root by default" \
	[ "$(stat -c %a:%u:%g "$P/a1.in")" = "600:0:0" ]
check "prepare of the second end exits 0" hook guestb prepare begin <"$T/b.xml"
check "second end's .in is the first end's .out" same_file "$P/b1.in" "$P/a1.out"
check "second end's .out is the first end's .in" same_file "$P/b1.out" "$P/a1.in"
check "bytes cross link port1 both ways, no end hears itself" wired "$P/a1" "$P/b1"
check "bytes cross link port2 both ways" wired "$P/a2" "$P/b2"
check "serial1 of one guest is wired to serial0 of the other" wired "$P/a-s1" "$P/b-s0"
check "no link talks to another link's port" ! send "$P/a1.out" "$P/b2.in" cross
check "prepare twice is harmless" hook guestb prepare begin <"$T/b.xml"
check "  and the wiring is unchanged" wired "$P/a1" "$P/b1"

# A running guest's QEMU holds its FIFOs open; the peer restarts around it.
hold "$P/b1.in" "$P/b1.out"
check "release of one end exits 0" hook guesta release end <"$T/a.xml"
check "release removes that end's names" absent "$P/a1.in"
check "  both of them" absent "$P/a1.out"
check "release keeps the peer's names" is_fifo "$P/b1.in"
"$FIFO_IO" write "$P/b1.out" "written-while-a-was-down"
check "the restarted end prepares again" hook guesta prepare begin <"$T/a.xml"
check "it joins the very FIFOs the running peer holds open" same_file "$P/a1.in" "$P/b1.out"
check "by default it receives what the peer wrote while it was down" \
	[ "$("$FIFO_IO" read "$P/a1.in")" = "written-while-a-was-down" ]
check "and the link works again" wired "$P/a1" "$P/b1"

check "release with the EXTRA argument of a shutoff reason exits 0" \
	hook guesta release end shutdown <"$T/a.xml"
check "release of the other end exits 0" hook guestb release end <"$T/b.xml"
check "after both releases no name is left" \
	[ -z "$(find "$P" -name '*.in' -o -name '*.out')" ]

# Release takes the paths the guest was prepared with, not today's pairs.ini.
hook guesta prepare begin <"$T/a.xml"
hook guestb prepare begin <"$T/b.xml"
pairs </dev/null
check "release after the link left pairs.ini exits 0" hook guesta release end <"$T/a.xml"
check "  and still removes the guest's names" absent "$P/a1.in"
echo "this line is not ini" >>"$T/pairs.ini"
check "release with a broken pairs.ini exits 0" hook guestb release end <"$T/b.xml"
check "  and still removes the guest's names" absent "$P/b1.out"

# Start order does not matter.
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
hook guestb prepare begin <"$T/b.xml"
hook guesta prepare begin <"$T/a.xml"
check "either guest may start first" wired "$P/a1" "$P/b1"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"

# Ten links whose ports are in ten directories: a plan opens each directory
# once and keeps it while it opens the next (the sanitizer build sees any slip).
{ for i in $(seq 0 9); do printf '[many%s]\nguesta = p%s\nguestb = p%s\n' "$i" "$i" "$i"; done; } | pairs
ports_a= ports_b=
for i in $(seq 0 9); do
	mkdir -p "$P/d$i"
	ports_a="$ports_a pipe:p$i:$P/d$i/a" ports_b="$ports_b pipe:p$i:$P/d$i/b"
done
domain guesta $ports_a >"$T/a10.xml"
domain guestb $ports_b >"$T/b10.xml"
check "a guest with ports in ten directories prepares" hook guesta prepare begin <"$T/a10.xml"
check "  and so does its peer" hook guestb prepare begin <"$T/b10.xml"
check "  and the link in the tenth directory works" wired "$P/d9/a" "$P/d9/b"
check "  and so does the one in the first" wired "$P/d0/a" "$P/d0/b"
hook guesta release end </dev/null; hook guestb release end </dev/null
check "  and both releases leave no name" [ -z "$(find "$P"/d? -type p)" ]
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI

check "a guest pairs.ini does not mention exits 0" hook guestc prepare begin <"$T/c.xml"
check "  and touches nothing" absent "$P/c1.in"
check "  and says nothing" err_empty
rm -f "$T/pairs.ini"
check "without pairs.ini, prepare exits 0" hook guesta prepare begin <"$T/a.xml"
check "  and touches nothing" absent "$P/a1.in"
done_testing
