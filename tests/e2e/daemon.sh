# shellcheck shell=bash disable=SC2154 # variables set by the scripts that source this one
# A libvirt daemon of our own: there is no systemd to start one, and the test must restart it with
# another qemu.conf. Started in the background, stopped by its PID. Sourced by lib.sh.

daemon_pid=
virtlogd_pid=

# Prints the PIDs of libvirt daemons that run now (Debian 12 has the monolithic libvirtd; newer
# setups run virtqemud).
daemon_others() {
	pgrep -x libvirtd || true
	pgrep -x virtqemud || true
}

# daemon_start WORKDIR [virtlogd]: starts libvirtd with its log in WORKDIR, and virtlogd first when
# asked (needed unless qemu.conf says stdio_handler = "file"). Waits until virsh gets an answer.
daemon_start() {
	local work=$1 others
	others=$(daemon_others)
	if [ -n "$others" ]; then
		say "a libvirt daemon runs already (PID ${others//$'\n'/ }); stop it first"
		return 1
	fi
	if [ "${2:-}" = virtlogd ] && ! pgrep -x virtlogd >/dev/null; then
		virtlogd >"$work/virtlogd.log" 2>&1 {e2e_lock_fd}>&- &
		virtlogd_pid=$!
	fi
	# Our own libvirtd.conf: a log file in WORKDIR, with the hook runs at debug level, and the
	# user's /etc/libvirt/libvirtd.conf left alone.
	cat >"$work/libvirtd.conf" <<-EOF
		log_filters = "1:util.hook 1:util.command 3:*"
		log_outputs = "1:file:$work/libvirtd.log"
	EOF
	# Without our lock: a daemon left behind must not keep the next run waiting.
	libvirtd --config "$work/libvirtd.conf" --pid-file "$work/libvirtd.pid" >"$work/libvirtd.stderr" 2>&1 \
		{e2e_lock_fd}>&- &
	daemon_pid=$!
	if ! wait_until 60 daemon_answers; then
		say "libvirtd did not answer within 60 s; its stderr:"
		cat "$work/libvirtd.stderr" >&2
		return 1
	fi
}

daemon_answers() {
	kill -0 "$daemon_pid" 2>/dev/null || return 1
	virsh version >/dev/null 2>&1
}

# daemon_stop: stops what daemon_start started, by PID: SIGTERM, then SIGKILL after 20 s.
daemon_stop() {
	local pid
	for pid in $daemon_pid $virtlogd_pid; do
		kill -TERM "$pid" 2>/dev/null || continue
		if ! wait_until 20 pid_gone "$pid"; then
			say "PID $pid ignored SIGTERM for 20 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	daemon_pid="" virtlogd_pid=""
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# daemon_qemu_conf USER: writes /etc/libvirt/qemu.conf so that QEMU runs as USER (root, or
# libvirt-qemu with libvirt's DAC driver handing it the guests' files), with QEMU's output written
# to files directly since we run no virtlogd. Takes effect at the next daemon_start.
daemon_qemu_conf() {
	hostconf_write /etc/libvirt/qemu.conf <<-EOF
		user = "$1"
		group = "$1"
		dynamic_ownership = 1
		remember_owner = 1
		stdio_handler = "file"
	EOF
}
