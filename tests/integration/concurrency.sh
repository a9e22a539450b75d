#!/bin/bash
# Both guests of a link starting at the same moment, and one restarting
# while the other runs: libvirt runs hooks for different guests
# concurrently, so the hook serializes on its lock and the wiring converges.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
pairs <<INI
[l1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[l2]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
[l3]
guestb = org.linux-kvm.port.3
guestc = org.linux-kvm.port.3
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2 pipe:org.linux-kvm.port.3:$P/b3 >"$T/b.xml"
domain guestc pipe:org.linux-kvm.port.3:$P/c3 >"$T/c.xml"

all_wired() { wired "$P/a1" "$P/b1" && wired "$P/a2" "$P/b2" && wired "$P/b3" "$P/c3"; }
none_left() { [ -z "$(find "$P" -name '*.in' -o -name '*.out')" ]; }

rounds=25 bad=0 stale=0
for i in $(seq $rounds); do
	hook guesta prepare begin <"$T/a.xml" & pa=$!
	hook guestb prepare begin <"$T/b.xml" & pb=$!
	hook guestc prepare begin <"$T/c.xml" & pc=$!
	wait $pa && wait $pb && wait $pc && all_wired || bad=$((bad + 1))
	hook guesta release end <"$T/a.xml" & pa=$!
	hook guestb release end <"$T/b.xml" & pb=$!
	hook guestc release end <"$T/c.xml" & pc=$!
	wait $pa $pb $pc
	none_left || stale=$((stale + 1))
done
check "guests starting at the same moment are wired every time ($rounds rounds)" [ $bad = 0 ]
check "guests stopping at the same moment leave nothing behind ($rounds rounds)" [ $stale = 0 ]

# One guest restarts again and again while its peers keep their FIFOs open.
hook guesta prepare begin <"$T/a.xml"; hook guestb prepare begin <"$T/b.xml"
hook guestc prepare begin <"$T/c.xml"
hold "$P/b1.in" "$P/b1.out" "$P/b2.in" "$P/b2.out"
bad=0
for i in $(seq 20); do
	hook guesta release end <"$T/a.xml" && hook guesta prepare begin <"$T/a.xml" &&
		wired "$P/a1" "$P/b1" && wired "$P/a2" "$P/b2" || bad=$((bad + 1))
done
check "a guest restarted 20 times while its peer runs is wired every time" [ $bad = 0 ]
check "prepare run twice in a row changes nothing" \
	bash -c "before=\$(ls -li '$P' | sort); '$VSERLINK_BIN' hook guesta prepare begin - <'$T/a.xml' && [ \"\$(ls -li '$P' | sort)\" = \"\$before\" ]"

# A lock held by someone else makes the hook wait, not fail, not hang forever:
# a holder keeps the lock 2 s and notes when it lets go; the hook, started
# while it is held, must have done nothing a second later, and must finish
# after the holder let go, with its work done.
ns() { date +%s%N; }
flock "$STATE/lock" bash -c 'touch "$1/held"; sleep 2; date +%s%N >"$1/released"' - "$T" & holder=$!
for i in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.02; done
( hook guestc release end <"$T/c.xml"; echo $? >"$T/hook.rc"; ns >"$T/hook.done" ) & waiter=$!
sleep 1
check "a hook behind a held lock waits for it: a second later it has done nothing" is_fifo "$P/c3.in"
check "  and is still running" [ ! -e "$T/hook.rc" ]
wait $holder $waiter
check "  it exits 0 once the lock is free" [ "$(cat "$T/hook.rc")" = 0 ]
check "  not before the holder let go" [ "$(cat "$T/hook.done")" -ge "$(cat "$T/released")" ]
check "  and then does its work" absent "$P/c3.in"
done_testing
