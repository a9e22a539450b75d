#!/bin/bash
# End-to-end test of vserlink against a real libvirt daemon and real QEMU guests (TCG, no KVM needed).
#
#   tests/e2e/run.sh BINARY
#
# As root: installs what it needs from Debian, installs BINARY as /etc/libvirt/hooks/qemu with a
# pairs.ini of five links between two guests, and runs the scenario below twice: with QEMU as root,
# and as libvirt-qemu with libvirt's DAC driver relabelling the FIFOs, as real hosts do. Then, beside
# another program's hook, installs it with install/install.sh into qemu.d/ and runs the links again. Each run has
# a libvirt daemon of its own, started here and stopped by PID. Whatever was in /etc before (hook,
# pairs.ini, qemu.conf) is put back at the end. Prints TAP and "N passed, N failed"; exits 1 on any
# failure. Anything that cannot run is a failure, never a skip. The work directory (guest consoles,
# agent logs, libvirtd log) is kept when something failed.
set -eu

[ $# = 1 ] && [ -f "$1" ] && [ -x "$1" ] || { echo "usage: $0 BINARY" >&2; exit 2; }
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/tap.sh"
. "$here/pair.sh"
. "$here/checks.sh"
. "$here/links.sh"
# Runs last at exit, after every undo: a run that dies still ends with a failure and the totals.
at_exit tap_died
[ "$(id -u)" = 0 ] || die "must run as root (libvirt's system daemon, /etc/libvirt/hooks)"
e2e_lock

t_start=$SECONDS
"$here/../../install/deps.sh" --run --kernel

work=$(mktemp -d /tmp/vserlink-e2e.XXXXXX)
# QEMU may run as libvirt-qemu: it must reach the FIFOs, the initramfs and its console log in here.
chmod 0755 "$work"
at_exit finish_work_dir
finish_work_dir() {
	if [ "$tap_fail" = 0 ] && [ "$tap_done" = 1 ]; then rm -rf "$work"; else say "kept $work for inspection"; fi
}
state=$work/state
guests_initramfs "$work/initrd.gz"

# (Not through a pipe: hostconf_write must run in this shell to register its undo.)
hostconf_write /etc/vserlink/pairs.ini < <(pairs_ini)
hostconf_install_hook "$binary"
hostconf_kvm_for_qemu_user

# scenario USER: everything, with QEMU running as USER.
scenario() {
	local user=$1 m="[$1]" round=0
	pair_setup "$work/$user"

	daemon_qemu_conf "$user"
	# At exit, the guests go before their daemon, or their QEMU would outlive it.
	at_exit daemon_stop
	at_exit stop_guests a b
	check "$m libvirtd starts with the hook installed and QEMU as $user" daemon_start "$mode_dir"
	passed || { say "the rest of the $user run cannot run without a daemon"; return 0; }
	# A run killed earlier may have left its guests running; the daemon found them again.
	stop_guests a b
	check "$m vserlink xml asks this libvirt, which runs no SELinux, and writes no <seclabel>" xml_for_this_host

	check "$m A then B start, each with four virtio channels and a serial port linked" start_guests a
	passed && check "$m B starts while A runs" start_guests b
	passed || { say "the rest of the $user run needs both guests"; stop_guests a b; return 0; }
	check "$m QEMU runs as $user" qemu_runs_as "$user"
	check "$m the hook made every link's FIFOs, A's P.out is B's Q.in and A's P.in is B's Q.out" wiring_ok
	[ "$user" = root ] ||
		check "$m libvirt's DAC driver handed every linked FIFO to $user" fifos_owned_by "$user"
	check "$m bytes cross all five links in both directions" exchange $((round += 1))
	check "$m no byte arrived on a port that its sender is not linked to" routing_ok

	check "$m B powers itself off while A runs" power_off b
	check "$m B's FIFO names are gone, A's are still there" b_gone_a_kept
	check "$m B starts again while A runs" start_guests b
	passed && check "$m after B's restart, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m A is destroyed while B runs" stop_guests a
	passed && check "$m A starts again while B runs" start_guests a
	passed && check "$m after A's restart, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m after both restarts, no byte arrived on a port its sender is not linked to" routing_ok

	stop_guests a b
	check "$m after both stopped, no FIFO is left" nothing_left
	check "$m A and B start at the same moment" start_guests a b
	passed && check "$m after starting together, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m after starting together, no byte arrived on a port its sender is not linked to" routing_ok
	stop_guests a b
	check "$m after both stopped again, no FIFO is left" nothing_left

	local pty_port
	read -r _ pty_port _ <<<"${links[1]}"
	check "$m a linked port declared type='pty' stops A from starting" start_fails a "pty:$pty_port:"
	passed && check "$m ... and virsh's error text has the hook's message naming the port" refused "vserlink:" "$pty_port"
	check "$m ... and nothing is left behind" nothing_left

	local file
	file=$(port_path a "$(cut -d' ' -f2 <<<"${links[0]}")").in
	echo "not a FIFO, keep me" >"$file"
	check "$m a regular file at a FIFO path stops A from starting" start_fails a
	passed && check "$m ... and virsh's error text has the hook's message naming the path" refused "vserlink:" "$file"
	check "$m ... and the regular file is untouched" grep -qx "not a FIFO, keep me" "$file"
	rm -f "$file"
	check "$m ... and nothing else is left behind" nothing_left

	daemon_stop
}

# scenario_beside_foreign_hook: a host whose QEMU hook is another program's. install.sh (what make
# install runs) leaves that hook alone and puts vserlink's in qemu.d/, named vserlink; libvirt runs
# both, the hook in qemu.d/ by its full path. QEMU as root.
scenario_beside_foreign_hook() {
	local m="[qemu.d]" inst=$work/install foreign=/etc/libvirt/hooks/qemu round=0 vars
	pair_setup "$work/qemu.d"
	mkdir -p "$inst"
	hostconf_save /etc/libvirt/hooks/qemu.d/vserlink
	hostconf_save /etc/vserlink/pairs.ini.example
	foreign_hook "$foreign" "$inst/foreign.log"
	cp "$foreign" "$inst/foreign.copy"
	vars=(DESTDIR= SYSCONFDIR=/etc HOOKDIR=/etc/libvirt/hooks SBINDIR="$inst/sbin" MANDIR="$inst/man"
		TMPFILESDIR="$inst/tmpfiles" PIPEDIR="$inst/pipes")
	check "$m install.sh beside another program's hook exits 0" \
		env "${vars[@]}" sh "$here/../../install/install.sh" install "$binary"
	check "$m ... puts vserlink's hook in qemu.d/" cmp -s "$binary" /etc/libvirt/hooks/qemu.d/vserlink
	check "$m ... and leaves the other hook as it was" cmp -s "$inst/foreign.copy" "$foreign"

	daemon_qemu_conf root
	at_exit daemon_stop
	at_exit stop_guests a b
	check "$m libvirtd starts with both hooks" daemon_start "$mode_dir"
	passed || { say "the rest of the qemu.d run cannot run without a daemon"; return 0; }
	stop_guests a b
	check "$m A and B start" start_guests a b
	passed || { say "the rest of the qemu.d run needs both guests"; stop_guests a b; return 0; }
	check "$m libvirt ran the other hook too" grep -qx "$ga prepare begin" "$inst/foreign.log"
	check "$m the hook in qemu.d/ made every link's FIFOs" wiring_ok
	check "$m bytes cross all five links in both directions" exchange $((round += 1))
	check "$m no byte arrived on a port that its sender is not linked to" routing_ok
	stop_guests a b
	check "$m after both stopped, no FIFO is left" nothing_left
	daemon_stop

	check "$m install.sh uninstall exits 0" \
		env "${vars[@]}" sh "$here/../../install/install.sh" uninstall
	check "$m ... removes the hook in qemu.d/" absent /etc/libvirt/hooks/qemu.d/vserlink
	check "$m ... and leaves the other hook as it was" cmp -s "$inst/foreign.copy" "$foreign"
}

scenario root
scenario libvirt-qemu
scenario_beside_foreign_hook
say "e2e run took $((SECONDS - t_start)) s"
tap_end
