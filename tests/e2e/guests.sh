# shellcheck shell=bash disable=SC2154 # variables set by the scripts that source this one
# The test guests: a busybox initramfs, their domain XML, starting and stopping them, and talking to
# the agent inside (tests/e2e/guest/agent) over its control port. Sourced by lib.sh.
#
# Each guest's control port is a virtio channel of type pipe that no link uses, with FIFOs we make
# ourselves: we write commands into CTL.in and a reader copies everything from CTL.out into the
# guest's event log, which the checks then read. The log outlives guest restarts, so it is also the
# record of everything the guest ever received.

# guests_initramfs OUT: builds the guests' initramfs (gzip'd cpio) at OUT.
guests_initramfs() {
	local out=$1 root
	[ -s "$e2e_cache/vmlinuz" ] && [ -s "$e2e_cache/modules/order" ] ||
		die "no guest kernel in $e2e_cache: run install/deps.sh --kernel"
	# busybox-static's /bin/busybox; the dynamic busybox package's would need the host's libc.
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
		die "busybox-static is not installed: run install/deps.sh --run"
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/modules"
	cp /bin/busybox "$root/bin/busybox"
	cp "$e2e_dir/guest/init" "$root/init"
	cp "$e2e_dir/guest/agent" "$root/agent"
	chmod 0755 "$root/init" "$root/agent"
	cp "$e2e_cache"/modules/*.ko "$e2e_cache/modules/order" "$root/modules/"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
	rm -rf "$root"
}

# guest_xml NAME INITRD CTL PORT...: prints the domain XML of a test guest. CTL is the control port's
# FIFO base path. Each PORT is TYPE:NAME:PATH, NAME being a virtio channel's target name or serialN
# (then PATH may be empty for TYPE pty). serial0 is the guest's console, kept in CTL.console.log.
guest_xml() {
	local name=$1 initrd=$2 ctl=$3 spec type port path nvirtio=1 serials=
	shift 3
	local devices=
	for spec; do
		type=${spec%%:*} spec=${spec#*:}
		port=${spec%%:*} path=${spec#*:}
		local source=
		[ -z "$path" ] || source="<source path='$path'/>"
		case $port in
		serial*)
			devices+="    <serial type='$type'>$source<target port='${port#serial}'/></serial>"$'\n'
			serials+=${serials:+,}$port:ttyS${port#serial}
			;;
		*)
			devices+="    <channel type='$type'>$source<target type='virtio' name='$port'/></channel>"$'\n'
			nvirtio=$((nvirtio + 1))
			;;
		esac
	done
	cat <<-EOF
		<domain type='qemu'>
		  <name>$name</name>
		  <memory unit='MiB'>192</memory>
		  <vcpu>1</vcpu>
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <kernel>$e2e_cache/vmlinuz</kernel>
		    <initrd>$initrd</initrd>
		    <cmdline>console=ttyS0 panic=-1 loglevel=4 vsl_name=$name vsl_ports=$nvirtio vsl_serial=$serials</cmdline>
		  </os>
		  <features><acpi/></features>
		  <on_poweroff>destroy</on_poweroff>
		  <on_reboot>destroy</on_reboot>
		  <on_crash>destroy</on_crash>
		  <devices>
		    <emulator>/usr/bin/qemu-system-x86_64</emulator>
		    <controller type='usb' model='none'/>
		    <serial type='file'><source path='$ctl.console.log'/><target port='0'/></serial>
		$devices    <channel type='pipe'><source path='$ctl'/><target type='virtio' name='org.vserlink.ctl'/></channel>
		    <memballoon model='none'/>
		  </devices>
		</domain>
	EOF
}

# guest_create XMLFILE: starts a transient guest; virsh's error text goes to stderr.
guest_create() {
	virsh create "$1" >/dev/null
}

guest_gone() {
	! virsh domstate "$1" >/dev/null 2>&1
}

# guest_destroy NAME: stops NAME at once if it runs (a transient guest then disappears).
guest_destroy() {
	if virsh domstate "$1" >/dev/null 2>&1; then
		virsh destroy "$1" >/dev/null
	fi
	wait_until 30 guest_gone "$1"
}

# guest_qemu_user NAME: prints the user the guest's QEMU process runs as.
guest_qemu_user() {
	local pid
	pid=$(cat "/run/libvirt/qemu/$1.pid" 2>/dev/null) || return 1
	ps -o user= -p "$pid"
}

# agent_listen CTL LOG: makes the control FIFOs CTL.in and CTL.out and copies all the guest says into
# LOG until the script exits. Opened read-write so that neither we nor the copier ever block on a
# FIFO with no one at the other end, and the copier sees no end of file while the guest is down.
agent_listen() {
	local ctl=$1 log=$2
	[ -p "$ctl.in" ] || mkfifo -m 0600 "$ctl.in"
	[ -p "$ctl.out" ] || mkfifo -m 0600 "$ctl.out"
	: >>"$log"
	# Without our lock, like every process we leave running in the background.
	cat 0<>"$ctl.out" >>"$log" {e2e_lock_fd}>&- &
	at_exit kill_pid $!
}

kill_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# agent_say CTL LINE: sends one command line to the agent behind CTL.
agent_say() {
	printf '%s\n' "$2" 1<>"$1.in"
}

# agent_ready_count LOG: how many times a guest's agent has come up.
agent_ready_count() {
	grep -c '^ready ' "$1" || true
}

# agent_wait_ready LOG COUNT SECONDS: waits until the agent behind LOG has come up COUNT times.
agent_wait_ready() {
	wait_until "$3" agent_ready_reached "$1" "$2"
}
agent_ready_reached() {
	[ "$(agent_ready_count "$1")" -ge "$2" ]
}
