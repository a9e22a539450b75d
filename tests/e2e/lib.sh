# shellcheck shell=bash
# Shared helpers of the end-to-end test (tests/e2e/run.sh) and the demo (install/demo.sh), sourced,
# not run. They drive a real libvirt daemon and real QEMU guests, as root.
#   lib.sh        this file: messages, waiting, and undo-at-exit
#   hostconf.sh   host settings we change for a while and put back (/etc files, /dev/kvm's mode)
#   daemon.sh     a libvirt daemon of our own, started and stopped by PID
#   guests.sh     the guests: initramfs, domain XML, start and stop, talking to their agent

e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The guest kernel that install/deps.sh --kernel fetched.
e2e_cache=${VSERLINK_CACHE:-/var/cache/vserlink-e2e}
# virsh talks to the system daemon, whatever LIBVIRT_DEFAULT_URI the caller has.
virsh() { command virsh -q -c qemu:///system "$@"; }

say() { printf '%s\n' "$*" >&2; }
die() { say "$(basename "$0"): $*"; exit 1; }

# wait_until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (status 0) or SECONDS
# have passed (status 1).
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# at_exit COMMAND...: runs COMMAND when the script exits, however it exits; the last one registered
# runs first, so undoing happens in the reverse order of doing.
e2e_undo=()
at_exit() {
	local q
	printf -v q '%q ' "$@"
	e2e_undo+=("$q")
}
e2e_run_undo() {
	local i
	for ((i = ${#e2e_undo[@]} - 1; i >= 0; i--)); do
		eval "${e2e_undo[i]}" || say "cleanup failed: ${e2e_undo[i]}"
	done
	e2e_undo=()
}
trap 'e2e_run_undo' EXIT
# On a signal, exit (which runs the EXIT trap) instead of dying with the undo list unrun.
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# e2e_lock: waits until no other end-to-end run or demo is using this machine's libvirt and /etc
# files, and keeps them for this script until it exits. Call it first: the helpers that start
# background processes close its descriptor in them.
e2e_lock() {
	exec {e2e_lock_fd}>/run/vserlink-e2e.lock
	if ! flock -n "$e2e_lock_fd"; then
		say "waiting for another end-to-end run or demo to finish"
		flock -w 1800 "$e2e_lock_fd" || die "gave up waiting for /run/vserlink-e2e.lock"
	fi
}

# shellcheck source=tests/e2e/hostconf.sh
. "$e2e_dir/hostconf.sh"
# shellcheck source=tests/e2e/daemon.sh
. "$e2e_dir/daemon.sh"
# shellcheck source=tests/e2e/guests.sh
. "$e2e_dir/guests.sh"
