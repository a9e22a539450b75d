# shellcheck shell=bash disable=SC2154 # variables set by the scripts that source this one
# The two guests of the end-to-end test, called a and b here: their names, the paths of their ports,
# their XML, starting and stopping them. Sourced by run.sh, which sets:
#   ga, gb   the guests' domain names
#   links    array of "LINK PORT_ON_A PORT_ON_B"
#   work     the run's directory (initramfs)
# and, per scenario, with pair_setup:
#   mode_dir the scenario's directory (XML, agent logs, console logs, libvirtd's log)
#   ports    directory of the linked ports' source paths, named "a.PORT" and "b.PORT"
#   ctl_a, ctl_b, log_a, log_b   the agents' control FIFO bases and event logs

# pair_setup DIR: a fresh directory for a scenario, and the agents' control channels in it.
pair_setup() {
	mode_dir=$1 ports=$1/ports
	mkdir -p "$ports"
	# QEMU may run as libvirt-qemu: it must reach the FIFOs and console logs in here.
	chmod 0755 "$mode_dir" "$ports"
	ctl_a=$mode_dir/a.ctl ctl_b=$mode_dir/b.ctl log_a=$mode_dir/a.events log_b=$mode_dir/b.events
	agent_listen "$ctl_a" "$log_a"
	agent_listen "$ctl_b" "$log_b"
}

# port_path a|b PORT: the source path of a guest's port.
port_path() { printf '%s/%s.%s' "$ports" "$1" "$2"; }

name_of() { if [ "$1" = a ]; then echo "$ga"; else echo "$gb"; fi; }
ctl_of() { if [ "$1" = a ]; then echo "$ctl_a"; else echo "$ctl_b"; fi; }
log_of() { if [ "$1" = a ]; then echo "$log_a"; else echo "$log_b"; fi; }

# xml_of a|b [TYPE:PORT:PATH...]: prints the XML of guest a or b with all its linked ports as
# pipes; an override "TYPE:PORT:PATH" replaces the entry for PORT.
xml_of() {
	local g=$1 link pa pb port spec specs=()
	shift
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$g" = a ]; then port=$pa; else port=$pb; fi
		spec=pipe:$port:$(port_path "$g" "$port")
		for o; do
			[ "$(cut -d: -f2 <<<"$o")" != "$port" ] || spec=$o
		done
		specs+=("$spec")
	done
	guest_xml "$(name_of "$g")" "$work/initrd.gz" "$(ctl_of "$g")" "${specs[@]}"
}

# start_guests a|b...: starts the guests (together, when more than one) and waits until each agent
# has come up once more than before.
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

stop_guests() {
	local g
	for g; do guest_destroy "$(name_of "$g")" || return 1; done
}
# power_off a|b: the guest powers itself off, so libvirt sees a shutdown from inside.
power_off() {
	agent_say "$(ctl_of "$1")" "poweroff"
	wait_until 60 guest_gone "$(name_of "$1")"
}
