# Shared helpers of the integration tests: a private directory tree, a
# pairs.ini, libvirt-shaped domain XML, and the hook run exactly as libvirt
# runs it (argv + XML on stdin), always under a timeout so that a blocked
# FIFO open or a stuck lock fails a test instead of hanging the suite.
#
# Tests print TAP lines through ok/not_ok/check/skip; tests/run.sh counts them.

set -u
: "${VSERLINK_BIN:?run through tests/run.sh or set VSERLINK_BIN}"
: "${VSERLINK_BUILD:?}"
FIFO_IO=$VSERLINK_BUILD/tests/tools/fifo_io
HOOK_TIMEOUT=${HOOK_TIMEOUT:-20}
tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
# skip DESCRIPTION REASON: a check this machine cannot make (tests/run.sh counts it apart).
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
# check DESCRIPTION [!] COMMAND...: ok when COMMAND succeeds (with !, fails).
check() {
	local d=$1 want=0 rc
	shift
	if [ "$1" = "!" ]; then want=1; shift; fi
	"$@"
	rc=$?
	if { [ $want -eq 0 ] && [ $rc -eq 0 ]; } || { [ $want -eq 1 ] && [ $rc -ne 0 ] && [ $rc -lt 99 ]; }; then
		ok "$d"
	else
		not_ok "$d (exit $rc)"
	fi
}
done_testing() { [ "$tap_failed" -eq 0 ]; }

# A fresh tree: $T/pairs.ini, $T/run (state_dir), $T/p (the FIFOs' directory).
setup() {
	T=$(mktemp -d /tmp/vserlink-test.XXXXXX)
	chmod 755 "$T"
	mkdir -p "$T/p" "$T/run"
	export VSERLINK_CONFIG=$T/pairs.ini
	STATE=$T/run/vserlink
	trap teardown EXIT
}
teardown() {
	local pid
	for pid in ${HOLDERS:-}; do kill "$pid" 2>/dev/null; done
	[ -n "${T:-}" ] && rm -rf "$T"
}

# state_lines: every record line of the state in $STATE (each link's file, then
# a single state file of an earlier version if one is there), magic lines left out.
state_lines() { cat "$STATE"/domains/* "$STATE"/state 2>/dev/null | grep -v '^vserlink-state' || true; }
# state_snapshot: every file of the state, with its content, to compare.
state_snapshot() { (cd "$STATE" && find . -printf '%p %y %l\n' | sort && find . -type f ! -name lock -print0 | sort -z | xargs -0 cat); }

# pairs < LINES: writes pairs.ini with state_dir in $T, then LINES.
pairs() {
	{
		echo "[vserlink]"
		echo "state_dir = $STATE"
		cat
	} >"$T/pairs.ini"
	chmod 644 "$T/pairs.ini"
}

# domain NAME [TYPE:PORT:PATH]...: a libvirt-shaped domain XML on stdout.
# PORT is a virtio channel name or serialN/parallelN/consoleN.
domain() {
	local name=$1 spec type port path src
	shift
	printf '%s\n' "<domain type='kvm' id='1'>" "  <name>$name</name>" \
		"  <memory unit='KiB'>131072</memory>" "  <vcpu placement='static'>1</vcpu>" \
		"  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>" \
		"  <devices>" "    <emulator>/usr/bin/qemu-system-x86_64</emulator>" \
		"    <controller type='virtio-serial' index='0'/>"
	for spec in "$@"; do
		type=${spec%%:*}; spec=${spec#*:}
		port=${spec%%:*}; path=${spec#*:}
		src=""
		[ -n "$path" ] && src="<source path='$path'/>"
		case $port in
		serial*) echo "    <serial type='$type'>$src<target type='isa-serial' port='${port#serial}'/></serial>" ;;
		parallel*) echo "    <parallel type='$type'>$src<target port='${port#parallel}'/></parallel>" ;;
		console*) echo "    <console type='$type'>$src<target type='virtio' port='${port#console}'/></console>" ;;
		*) echo "    <channel type='$type'>$src<target type='virtio' name='$port'/></channel>" ;;
		esac
	done
	printf '%s\n' "  </devices>" "</domain>"
}

# hook DOMAIN OP SUBOP [EXTRA] < xml: runs the hook as libvirt does; stderr in $T/err.
hook() {
	timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" hook "$1" "$2" "$3" "${4:--}" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ -s "$T/out" ]; then
		echo "# the hook wrote to stdout:"; sed 's/^/#   /' "$T/out"
		return 99
	fi
	return $rc
}

# err_has TEXT: the last hook's stderr contains TEXT.
err_has() { grep -qF -- "$1" "$T/err" || { echo "# stderr was:"; sed 's/^/#   /' "$T/err"; return 1; }; }
err_empty() { [ ! -s "$T/err" ] || { echo "# stderr was:"; sed 's/^/#   /' "$T/err"; return 1; }; }

is_fifo() { [ -p "$1" ] && [ ! -L "$1" ]; }
same_file() { [ "$(stat -c %d:%i "$1")" = "$(stat -c %d:%i "$2")" ]; }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# send FROM_OUT TO_IN DATA: DATA written into FROM_OUT comes out of TO_IN.
send() { "$FIFO_IO" send "$1" "$2" "$3" >/dev/null; }
# wired A B: pipe paths A and B (without suffix) form a working null-modem
# cable: bytes cross both ways, and neither end hears itself. What the
# loop checks leave in the pipe is read back out, in case a holder keeps it.
wired() {
	send "$1.out" "$2.in" "a-to-b-$RANDOM" && send "$2.out" "$1.in" "b-to-a-$RANDOM" &&
		! send "$1.out" "$1.in" "loop-a-$RANDOM" && "$FIFO_IO" read "$2.in" >/dev/null &&
		! send "$2.out" "$2.in" "loop-b-$RANDOM" && "$FIFO_IO" read "$1.in" >/dev/null
}

# hold PATH...: keeps PATHs open read-write as QEMU does, until teardown.
hold() {
	local fifo=$T/hold.$RANDOM i
	mkfifo "$fifo"
	"$FIFO_IO" hold "$@" <"$fifo" >"$fifo.out" &
	HOLDERS="${HOLDERS:-} $!"
	exec {hold_fd}>"$fifo"
	for i in $(seq 50); do grep -q held "$fifo.out" 2>/dev/null && return 0; sleep 0.02; done
	return 1
}
