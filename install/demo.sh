#!/bin/bash
# The demo behind `make demo`: two throwaway guests on this machine's libvirt, linked by four
# virtio-serial ports through vserlink, showing what each sends and receives and the FIFOs the hook
# made, then removed again.
#
#   install/demo.sh BINARY        (as root; FORCE=1 to let it replace, for its duration, a pairs.ini
#                                  or a hook that is not vserlink's)
#
# What it leaves behind, and what not:
# - The hook: installed as /etc/libvirt/hooks/qemu when there is none, or updated when it already is
#   vserlink, and left installed: that is the install. A foreign hook is never replaced: vserlink's
#   goes beside it, to /etc/libvirt/hooks/qemu.d/vserlink, as make install does (with FORCE=1 the
#   foreign hook is set aside instead, and put back at the end).
# - /etc/vserlink/pairs.ini: the demo's links exist only while it runs. If you have a pairs.ini, the
#   demo stops and tells you (FORCE=1: yours is set aside and put back at the end).
# - libvirt's daemon: if one runs, the demo uses it (sending it SIGHUP when the hook is new, which is
#   how libvirt notices hooks). If none runs, the demo starts libvirtd and virtlogd itself and stops
#   them at the end, leaving the machine's services as it found them.
# - The guests are transient and destroyed at the end; their files live in a temporary directory.
set -eu

[ $# = 1 ] && [ -x "$1" ] || { echo "usage: $0 BINARY (the built vserlink)" >&2; exit 2; }
binary=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/e2e/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root: it installs libvirt's hook and starts guests"
force=${FORCE:-0}

ga=vserlink-demo-a gb=vserlink-demo-b
ports="org.linux-kvm.port.1 org.linux-kvm.port.2 org.linux-kvm.port.3 org.linux-kvm.port.4"
hook=/etc/libvirt/hooks/qemu
hookd=/etc/libvirt/hooks/qemu.d/vserlink
pairs=/etc/vserlink/pairs.ini

step() { printf '\n== %s\n' "$*"; }

# A hook is vserlink's when it is this very binary, or another build of it (an executable whose
# messages start with "vserlink: ").
hook_is_ours() {
	cmp -s "$binary" "$1" && return 0
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] && grep -aq 'vserlink: ' "$1"
}

e2e_lock
"$top/install/deps.sh" --run --kernel

step "Checking this machine"
for g in "$ga" "$gb"; do
	if virsh domstate "$g" >/dev/null 2>&1; then
		die "a guest named $g exists already; remove it (virsh destroy/undefine $g) and run again"
	fi
done
if [ -e "$pairs" ] || [ -L "$pairs" ]; then
	if [ "$force" != 1 ]; then
		say "You have $pairs. The demo needs pairs.ini for its own links and does not touch yours."
		say "Your links work as they are; to run the demo anyway, with your pairs.ini set aside for its"
		say "duration and put back at the end: FORCE=1 make demo"
		exit 1
	fi
	say "FORCE=1: setting your $pairs aside until the end of the demo"
fi
# put_hook PATH: this build at PATH, replaced whole (never written into: libvirt may be running it).
put_hook() {
	mkdir -p "$(dirname "$1")"
	rm -f "$1"
	install -m 0755 "$binary" "$1"
}
hook_changed=0
if [ -e "$hook" ] || [ -L "$hook" ]; then
	if hook_is_ours "$hook"; then
		if ! cmp -s "$binary" "$hook"; then
			put_hook "$hook"
			say "updated vserlink's hook $hook to this build"
		fi
	elif [ "$force" = 1 ]; then
		say "FORCE=1: replacing the foreign hook $hook until the end of the demo"
		hostconf_install_hook "$binary"
		hook_changed=1
	elif [ -e "$hookd" ] && ! hook_is_ours "$hookd"; then
		die "$hook and $hookd are other programs' hooks; the demo will not replace them (FORCE=1 make demo sets $hook aside for its duration)"
	else
		# As make install does: libvirt 6.5 and later also run every program in qemu.d/.
		say "$hook is another program's hook; the demo leaves it alone and puts vserlink's beside it"
		if ! cmp -s "$binary" "$hookd"; then
			put_hook "$hookd"
			say "installed the hook: $hookd (it stays installed)"
			hook_changed=1
		fi
	fi
else
	put_hook "$hook"
	say "installed the hook: $hook (it stays installed)"
	hook_changed=1
fi

work=$(mktemp -d /tmp/vserlink-demo.XXXXXX)
at_exit rm -rf "$work"
# QEMU may run as an unprivileged user: it must reach the FIFOs, initramfs and console logs in here.
chmod 0755 "$work"
mkdir -m 0755 "$work/ports"
{
	printf '; written by vserlink demo, removed when it ends\n[vserlink]\nstate_dir = %s/state\n' "$work"
	for p in $ports; do
		printf '\n[port%s]\n%s = %s\n%s = %s\n' "${p##*.}" "$ga" "$p" "$gb" "$p"
	done
} >"$work/pairs.ini"
hostconf_write "$pairs" <"$work/pairs.ini"
say "wrote the demo's links to $pairs (until the end of the demo)"

# The guests go before a daemon we started, or their QEMU would outlive it.
at_exit daemon_stop
at_exit guest_destroy "$gb"
at_exit guest_destroy "$ga"
hostconf_kvm_for_qemu_user
running=$(daemon_others)
if [ -n "$running" ]; then
	if [ "$hook_changed" = 1 ]; then
		# shellcheck disable=SC2086 # one PID per word
		kill -HUP $running
		say "sent SIGHUP to the running libvirt daemon (PID ${running//$'\n'/ }) so that it finds the hook"
		sleep 1
	fi
	wait_until 30 virsh version >/dev/null 2>&1 || die "the running libvirt daemon does not answer virsh"
else
	daemon_start "$work" virtlogd || die "could not start libvirtd (see its messages above)"
	say "started libvirtd (PID $daemon_pid) for the demo; it is stopped again at the end"
fi

step "Booting two throwaway guests, $ga and $gb, linked port to port"
guests_initramfs "$work/initrd.gz"
for g in a b; do
	name=$ga
	[ "$g" = a ] || name=$gb
	specs=()
	for p in $ports; do specs+=("pipe:$p:$work/ports/$g-port${p##*.}"); done
	agent_listen "$work/$g.ctl" "$work/$g.events"
	guest_xml "$name" "$work/initrd.gz" "$work/$g.ctl" "${specs[@]}" >"$work/$g.xml"
done
for g in a b; do
	virsh create "$work/$g.xml" >/dev/null || die "libvirt would not start guest $g (virsh's error is above)"
done
for g in a b; do
	if ! agent_wait_ready "$work/$g.events" 1 120; then
		say "guest $g did not come up within 120 s; the end of its console:"
		tail -n 20 "$work/$g.ctl.console.log" >&2
		die "giving up"
	fi
done
say "both guests are up"

step "The FIFOs the hook made"
say "One guest's P.out is the other's Q.in: the same inode under two names. While the guests run,"
say "QEMU's user owns them: libvirt's DAC driver hands them over at start."
(cd "$work/ports" && ls -li --time-style=+ ./* | sort -n | sed 's|\./||')

step "What the guests send and receive"
# send FROM TO PORT TEXT: FROM's agent writes TEXT to PORT; waits for it in TO's log and shows both.
send() {
	local from=$1 to=$2 port=$3 text=$4 t0=$SECONDS
	agent_say "$work/$from.ctl" "send demo $port $text"
	printf '  guest %s  sent     on %s: %s\n' "$from" "$port" "$text"
	if wait_until 20 grep -qxF "recv $port $text" "$work/$to.events"; then
		printf '  guest %s  received on %s: %s   (%s s)\n' "$to" "$port" "$text" $((SECONDS - t0))
	else
		printf '  guest %s  received nothing on %s within 20 s\n' "$to" "$port"
		return 1
	fi
}
failed=0
for p in $ports; do
	send a b "$p" "hello b, this is a on port ${p##*.}" || failed=1
	send b a "$p" "hi a, b here, port ${p##*.} works" || failed=1
done

step "Stopping the guests"
guest_destroy "$ga"
guest_destroy "$gb"
left=$(find "$work/ports" -mindepth 1)
if [ -z "$left" ]; then
	say "both gone; the hook removed every FIFO"
else
	say "left behind: $left"
	failed=1
fi

step "Next: link your own guests"
cat <<EOF
1. Give each guest pipe ports, for example with 'virsh edit GUEST', inside <devices>:
     <channel type='pipe'>
       <source path='/run/vserlink-pipes/GUEST-1'/>
       <target type='virtio' name='org.linux-kvm.port.1'/>
     </channel>
   ('vserlink xml GUEST' prints these for the links you declare.)
2. Declare the links in $pairs, one section per link, key = guest, value = its port:
     [port1]
     guesta = org.linux-kvm.port.1
     guestb = org.linux-kvm.port.1
3. Start the guests with virsh, in any order; inside, the port is /dev/vportNpM
   (/dev/virtio-ports/org.linux-kvm.port.1 with udev).
If libvirt's daemon was not running, start it (systemctl start libvirtd, or: libvirtd -d); a daemon
that was already running before the hook was installed needs a restart or SIGHUP to find it.
EOF
[ "$failed" = 0 ] || die "the demo did not go as it should; see above"
