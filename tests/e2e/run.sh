#!/bin/bash
# End-to-end test of vserlink against a real libvirt daemon and real QEMU guests (TCG, no KVM needed).
#
#   tests/e2e/run.sh BINARY
#
# As root: installs what it needs from Debian, installs BINARY as /etc/libvirt/hooks/qemu with a
# pairs.ini of five links between two guests, and runs the scenario below twice: with QEMU as root,
# and as libvirt-qemu with libvirt's DAC driver relabelling the FIFOs, as real hosts do. Each run has
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
. "$here/checks.sh"
[ "$(id -u)" = 0 ] || die "must run as root (libvirt's system daemon, /etc/libvirt/hooks)"
e2e_lock

ga=vserlink-e2e-a gb=vserlink-e2e-b
# Five links: four virtio channels wired crosswise, so that a hook confusing ports or directions
# cannot pass by luck, and the serial ports. LINK PORT_ON_A PORT_ON_B.
links=(
	"cross13 org.linux-kvm.port.1 org.linux-kvm.port.3"
	"cross24 org.linux-kvm.port.2 org.linux-kvm.port.4"
	"cross31 org.linux-kvm.port.3 org.linux-kvm.port.1"
	"cross42 org.linux-kvm.port.4 org.linux-kvm.port.2"
	"serial serial1 serial1"
)

t_start=$SECONDS
"$here/../../install/deps.sh" --run --kernel

work=$(mktemp -d /tmp/vserlink-e2e.XXXXXX)
# QEMU may run as libvirt-qemu: it must reach the FIFOs, the initramfs and its console log in here.
chmod 0755 "$work"
at_exit finish_work_dir
finish_work_dir() {
	if [ "$tap_fail" = 0 ]; then rm -rf "$work"; else say "kept $work for inspection"; fi
}
state=$work/state
guests_initramfs "$work/initrd.gz"

# pairs.ini: the guest names as keys; B's end first in one link, so order in a section means nothing.
pairs_ini() {
	local link pa pb
	printf '[vserlink]\nstate_dir = %s\n' "$state"
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$link" = cross24 ]; then
			printf '\n[%s]\n%s = %s\n%s = %s\n' "$link" "$gb" "$pb" "$ga" "$pa"
		else
			printf '\n[%s]\n%s = %s\n%s = %s\n' "$link" "$ga" "$pa" "$gb" "$pb"
		fi
	done
}
# (Not through a pipe: hostconf_write must run in this shell to register its undo.)
hostconf_write /etc/vserlink/pairs.ini < <(pairs_ini)
hostconf_install_hook "$binary"
hostconf_kvm_for_qemu_user

# guest_xml_of a|b [PORT-SPEC-OVERRIDES]: prints the XML of guest a or b with all its linked ports as
# pipes; an override "TYPE:PORT:PATH" replaces the entry for PORT.
xml_of() {
	local g=$1 name link pa pb port spec specs=()
	shift
	if [ "$g" = a ]; then name=$ga; else name=$gb; fi
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$g" = a ]; then port=$pa; else port=$pb; fi
		spec=pipe:$port:$(port_path "$g" "$port")
		for o; do
			[ "$(cut -d: -f2 <<<"$o")" != "$port" ] || spec=$o
		done
		specs+=("$spec")
	done
	guest_xml "$name" "$work/initrd.gz" "$(ctl_of "$g")" "${specs[@]}"
}

# start_guests a|b...: starts the guests (together, when more than one) and waits until each agent has come
# up once more than before.
start_guests() {
	local g n pids=() status=0 pid
	declare -A before
	for g; do
		before[$g]=$(agent_ready_count "$(log_of "$g")")
		xml_of "$g" >"$mode_dir/$g.xml"
	done
	for g; do
		guest_create "$mode_dir/$g.xml" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || status=1
	done
	[ "$status" = 0 ] || return 1
	for g; do
		n=$((before[$g] + 1))
		agent_wait_ready "$(log_of "$g")" "$n" 120 || { say "guest $g's agent did not come up"; return 1; }
	done
}

name_of() { if [ "$1" = a ]; then echo "$ga"; else echo "$gb"; fi; }
stop_guests() {
	local g
	for g; do guest_destroy "$(name_of "$g")" || return 1; done
}
# power_off a|b: the guest powers itself off, so libvirt sees a shutdown from inside.
power_off() {
	agent_say "$(ctl_of "$1")" "poweroff"
	wait_until 60 guest_gone "$(name_of "$1")"
}

b_gone_a_kept() {
	ends_absent b && ends_present a
}

qemu_runs_as() {
	local g u
	for g in "$ga" "$gb"; do
		u=$(guest_qemu_user "$g") || { say "no QEMU process for $g"; return 1; }
		[ "$u" = "$1" ] || { say "QEMU of $g runs as $u"; return 1; }
	done
}

# refused TEXT... : the last start failed and virsh's error text holds each TEXT.
refused() {
	local t
	for t; do
		grep -qF -- "$t" "$mode_dir/virsh.err" || { say "virsh said:"; cat "$mode_dir/virsh.err" >&2; return 1; }
	done
}
start_fails() {
	xml_of "$@" >"$mode_dir/bad.xml"
	if guest_create "$mode_dir/bad.xml" 2>"$mode_dir/virsh.err"; then
		say "the guest started"
		stop_guests "$1"
		return 1
	fi
	guest_gone "$(name_of "$1")" || { say "the guest exists after a failed start"; return 1; }
}

show_owners() {
	local link pa pb
	read -r link pa pb <<<"${links[0]}"
	ls -ln "$(port_path a "$pa")".{in,out} | sed 's/^/# /'
}

# scenario USER: everything, with QEMU running as USER.
scenario() {
	local user=$1 m="[$1]" round=0
	mode_dir=$work/$user ports=$work/$user/ports
	mkdir -p "$ports"
	chmod 0755 "$mode_dir" "$ports"
	ctl_a=$mode_dir/a.ctl ctl_b=$mode_dir/b.ctl log_a=$mode_dir/a.events log_b=$mode_dir/b.events
	agent_listen "$ctl_a" "$log_a"
	agent_listen "$ctl_b" "$log_b"

	daemon_qemu_conf "$user"
	# At exit, the guests go before their daemon, or their QEMU would outlive it.
	at_exit daemon_stop
	at_exit stop_guests a b
	check "$m libvirtd starts with the hook installed and QEMU as $user" daemon_start "$mode_dir" ||
		{ say "the rest of the $user run cannot run without a daemon"; return 0; }

	check "$m A then B start, each with four virtio channels and a serial port linked" start_guests a &&
		check "$m B starts while A runs" start_guests b || { stop_guests a b; return 0; }
	check "$m QEMU runs as $user" qemu_runs_as "$user"
	check "$m the hook made every link's FIFOs, A's P.out is B's Q.in and A's P.in is B's Q.out" wiring_ok
	[ "$user" = root ] || show_owners
	check "$m bytes cross all five links in both directions" exchange $((round += 1))
	check "$m no byte arrived on a port that its sender is not linked to" routing_ok

	check "$m B powers itself off while A runs" power_off b
	check "$m B's FIFO names are gone, A's are still there" b_gone_a_kept
	check "$m B starts again while A runs" start_guests b &&
		check "$m after B's restart, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m A is destroyed while B runs" stop_guests a &&
		check "$m A starts again while B runs" start_guests a &&
		check "$m after A's restart, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m after both restarts, no byte arrived on a port its sender is not linked to" routing_ok

	stop_guests a b
	check "$m after both stopped, no FIFO is left" nothing_left
	check "$m A and B start at the same moment" start_guests a b &&
		check "$m after starting together, bytes cross all five links in both directions" exchange $((round += 1))
	check "$m after starting together, no byte arrived on a port its sender is not linked to" routing_ok
	stop_guests a b
	check "$m after both stopped again, no FIFO is left" nothing_left

	local pty_port
	read -r _ pty_port _ <<<"${links[1]}"
	check "$m a linked port declared type='pty' stops A from starting" start_fails a "pty:$pty_port:" &&
		check "$m ... and virsh's error text has the hook's message naming the port" refused "vserlink:" "$pty_port"
	check "$m ... and nothing is left behind" nothing_left

	local file
	file=$(port_path a "$(cut -d' ' -f2 <<<"${links[0]}")").in
	echo "not a FIFO, keep me" >"$file"
	check "$m a regular file at a FIFO path stops A from starting" start_fails a &&
		check "$m ... and virsh's error text has the hook's message naming the path" refused "vserlink:" "$file"
	check "$m ... and the regular file is untouched" grep -qx "not a FIFO, keep me" "$file"
	rm -f "$file"
	check "$m ... and nothing else is left behind" nothing_left

	daemon_stop
}

scenario root
scenario libvirt-qemu
say "e2e run took $((SECONDS - t_start)) s"
tap_end
