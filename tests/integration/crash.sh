#!/bin/bash
# Crash recovery: the hook killed with SIGKILL at every fault point of its
# work (hook/fault.h; the fault-injection build in BUILD/fault), then run
# again, always converges: the wiring is right, nothing stale is left, no
# user file is lost or changed, and no lock is left held.
#
# For each scenario below the victim run is first traced to learn how many
# fault points it passes; then, for every point N and every way libvirt may
# carry on after a failed event, a fresh tree is built, the victim is killed
# at N, and the recovery is checked. CRASH_BACKLOGS (default "keep discard")
# chooses the backlog settings to run with.
. "$(dirname "$0")/../lib.sh"
FAULT_BIN=${VSERLINK_FAULT_BIN:-$VSERLINK_BUILD/fault/vserlink}
setup
P=$T/p
[ -x "$FAULT_BIN" ] || { not_ok "the fault-injection build $FAULT_BIN exists (make builds it with check)"; exit 1; }
check "the production binary has no fault-injection code" ! grep -q VSERLINK_FAULT_AT "$VSERLINK_BIN"

points_total=0
runs_total=0

# fhook N DOMAIN OP SUBOP < xml: the fault build, killed at point N (0: never).
fhook() {
	(VSERLINK_FAULT_AT=$1 VSERLINK_FAULT_TRACE=${TRACE:-} \
		timeout -k 2 "$HOOK_TIMEOUT" "$FAULT_BIN" hook "$2" "$3" "$4" - >"$T/out" 2>"$T/err") 2>/dev/null
}

# A fresh tree: pairs.ini with two links, XML, and the user's own files.
fresh() {
	local pid
	for pid in ${HOLDERS:-}; do kill "$pid" 2>/dev/null; done
	HOLDERS=
	wait 2>/dev/null
	rm -rf "$P" "$T/run" "$T/user"
	mkdir -p "$P" "$T/run" "$T/user"
	pairs <<-INI
	[vserlink]
	backlog = ${BACKLOG:-keep}
	[port1]
	guesta = org.linux-kvm.port.1
	guestb = org.linux-kvm.port.1
	[port2]
	guesta = serial0
	guestb = org.linux-kvm.port.2
	INI
	domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:serial0:$P/a2 >"$T/a.xml"
	domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/b.xml"
	echo "the admin's notes" >"$P/notes.txt"
	mkfifo "$P/other.fifo" && chown nobody "$P/other.fifo"
	echo secret >"$T/user/secret" && ln "$T/user/secret" "$P/secret.link"
	USER_BEFORE=$(user_files)
}

# What must survive any crash: the user's objects, their inodes and contents.
user_files() {
	find "$P" "$T/user" -not -name '*.in' -not -name '*.out' -printf '%p %i %U %m %n %s\n' | sort
	md5sum "$P/notes.txt" "$T/user/secret"
}

xml() { echo "$T/${1#guest}.xml"; }
other() { [ "$1" = guesta ] && echo guestb || echo guesta; }

# op DOMAIN prepare|release: the production binary, as libvirt runs it.
op() {
	case $2 in
	prepare) hook "$1" prepare begin <"$(xml "$1")" ;;
	release) hook "$1" release end <"$(xml "$1")" ;;
	esac
}

# The wiring is right for the guests in "$@" being up: bytes cross both
# links when both are, the FIFOs of an end that is up exist, and the names
# of an end that is down are gone.
right_for() {
	local up=" $* " g
	for g in guesta guestb; do
		case $up in
		*" $g "*)
			is_fifo "$P/${g#guest}1.in" && is_fifo "$P/${g#guest}1.out" &&
				is_fifo "$P/${g#guest}2.in" && is_fifo "$P/${g#guest}2.out" ||
				{ echo "# $g is up but its FIFOs are not all there"; ls -li "$P" | sed 's/^/#   /'; return 1; } ;;
		*)
			absent "$P/${g#guest}1.in" && absent "$P/${g#guest}1.out" &&
				absent "$P/${g#guest}2.in" && absent "$P/${g#guest}2.out" ||
				{ echo "# $g is down but names of it remain"; ls -li "$P" | sed 's/^/#   /'; return 1; } ;;
		esac
	done
	case $up in
	*" guesta "*" guestb "*)
		wired "$P/a1" "$P/b1" && wired "$P/a2" "$P/b2" ||
			{ echo "# both are up but bytes do not cross"; ls -li "$P" | sed 's/^/#   /'; return 1; } ;;
	esac
}

# Nothing is left behind: no name, no record, no temporary file, no lock.
clean() {
	[ -z "$(find "$P" -name '*.in' -o -name '*.out')" ] &&
		[ -z "$(state_lines)" ] &&
		absent "$STATE/state.new" && absent "$STATE/intent" &&
		flock -n "$STATE/lock" true ||
		{ echo "# left behind:"; ls -la "$P" "$STATE" | sed 's/^/#   /';
		  state_lines | sed 's/^/#   state: /'; return 1; }
}

# Every FIFO the state calls ours is still there under a recorded name. A
# record that outlives its FIFO would, once the inode number is reused (ext4
# hands a freed inode out again at once), make someone else's FIFO "ours".
records_live() {
	local kind ino_in ino_out ino
	# end LINK GUEST PATH DIR_DEV DIR_INO, then DEV INO SEC NSEC for .in and .out
	while read -r kind _ _ _ _ _ _ ino_in _ _ _ ino_out _; do
		[ "$kind" = end ] || continue
		for ino in $ino_in $ino_out; do
			[ "$ino" = 0 ] || [ -n "$(find "$P" -inum "$ino" -type p)" ] ||
				{ echo "# the state records FIFO $ino, which no longer exists"; return 1; }
		done
	done < <(state_lines)
}

users_intact() {
	[ "$(user_files)" = "$USER_BEFORE" ] ||
		{ echo "# user files changed:"; diff <(echo "$USER_BEFORE") <(user_files) | sed 's/^/#   /'; return 1; }
}

# Scenarios: the events before the victim, and the victim event.
# name | before (DOMAIN:OP ...) | held FIFOs (QEMU of an end that is up) | victim
scenarios=(
	"first end starts|-|-|guesta:prepare"
	"second end joins a running peer|guesta:prepare|a|guestb:prepare"
	"second end starts, peer down|guesta:prepare guesta:release|-|guestb:prepare"
	"one end stops, peer running|guesta:prepare guestb:prepare|b|guesta:release"
	"last end stops|guesta:prepare guestb:prepare guesta:release|-|guestb:release"
	"an end restarts with both ends recorded|guesta:prepare guestb:prepare|b|guesta:prepare"
	# Killed after its first mkfifo, guesta leaves a FIFO the peer will not
	# join; the peer makes its own; guesta's next start adopts its FIFO and
	# replaces it with a name of the peer's.
	"an end replaces a FIFO of its own with the peer's|guesta:prepare@3 guestb:prepare|b|guesta:prepare"
)

# before_steps STEPS HELD: replays the events before the victim.
before_steps() {
	local s
	[ "$1" = - ] && return 0
	for s in $1; do
		case $s in
		*@*)	# DOMAIN:prepare@N: killed at point N
			fhook "${s#*@}" "${s%%:*}" prepare begin <"$(xml "${s%%:*}")"
			[ $? -eq 137 ] || { echo "# setup step $s was not killed"; return 1; } ;;
		*)	op "${s%%:*}" "${s#*:}" || { echo "# setup step $s failed:"; sed 's/^/#   /' "$T/err"; return 1; } ;;
		esac
	done
	case $2 in
	a) hold "$P/a1.in" "$P/a1.out" "$P/a2.in" "$P/a2.out" ;;
	b) hold "$P/b1.in" "$P/b1.out" "$P/b2.in" "$P/b2.out" ;;
	esac
}

# up_after STEPS VICTIM: the guests up once the events, victim included, are done.
up_after() {
	local s up=""
	for s in $1 $2; do
		[ "$s" = - ] && continue
		case ${s#*:} in
		prepare) up="${up/ ${s%%:*}/} ${s%%:*}" ;;
		release) up="${up/ ${s%%:*}/}" ;;
		esac
	done
	echo $up
}

# recover HOW VDOM VOP UP: what libvirt does next, and the checks.
#   again:   the same event again (an admin retries);
#   release: after a failed prepare libvirt runs release; then the guest starts;
#   peer:    the other guest's event comes first, then the victim's again.
recover() {
	local how=$1 vd=$2 vo=$3 up=$4 peer
	peer=$(other "$vd")
	case $how in
	again)
		op "$vd" "$vo" || { echo "# $vd $vo again failed:"; sed 's/^/#   /' "$T/err"; return 1; } ;;
	release)
		op "$vd" release || { echo "# release after the failed start failed:"; sed 's/^/#   /' "$T/err"; return 1; }
		right_for ${up/$vd/} || return 1
		op "$vd" prepare || { echo "# the start after it failed:"; sed 's/^/#   /' "$T/err"; return 1; } ;;
	peer)
		case " $up " in
		*" $peer "*) op "$peer" release && op "$peer" prepare ;;
		*) op "$peer" prepare && op "$peer" release ;;
		esac || { echo "# the peer's events failed:"; sed 's/^/#   /' "$T/err"; return 1; }
		op "$vd" "$vo" || { echo "# $vd $vo after the peer's failed:"; sed 's/^/#   /' "$T/err"; return 1; } ;;
	esac
	right_for $up && records_live || return 1
	# Then both guests run, then both stop: every trace of the crash is gone.
	op guesta prepare && op guestb prepare && right_for guesta guestb &&
		op guesta release && op guestb release && right_for &&
		clean && users_intact
}

for backlog in ${CRASH_BACKLOGS:-keep discard}; do
	BACKLOG=$backlog
	for sc in "${scenarios[@]}"; do
		IFS='|' read -r name before held victim <<<"$sc"
		vd=${victim%%:*} vo=${victim#*:}
		up=$(up_after "$before" "$victim")
		# How many fault points does the victim pass?
		fresh
		before_steps "$before" "$held" || { not_ok "$name: the events before it run"; continue; }
		TRACE=$T/trace
		rm -f "$TRACE"
		sub=begin; [ "$vo" = release ] && sub=end
		fhook 0 "$vd" "$vo" $sub <"$(xml "$vd")"
		TRACE=
		npoints=$(wc -l <"$T/trace" 2>/dev/null || echo 0)
		[ "$backlog" = keep ] && echo "# $name: $npoints fault points: $(cut -d' ' -f2- "$T/trace" | tr '\n' ',' )"
		check "$name (backlog $backlog): the victim passes fault points" [ "$npoints" -gt 0 ]
		points_total=$((points_total + npoints))
		hows="again peer"
		[ "$vo" = prepare ] && hows="again release peer"
		for how in $hows; do
			bad=""
			for n in $(seq 1 "$npoints"); do
				fresh
				before_steps "$before" "$held" >"$T/log" || { bad="$bad $n(setup)"; continue; }
				fhook "$n" "$vd" "$vo" $sub <"$(xml "$vd")"
				rc=$?
				runs_total=$((runs_total + 1))
				if [ $rc -ne 137 ]; then
					bad="$bad $n(not killed: exit $rc)"
					continue
				fi
				recover "$how" "$vd" "$vo" "$up" >"$T/log" 2>&1 || { bad="$bad $n"; sed "s/^/# at $n: /" "$T/log" | head -20; }
			done
			if [ -z "$bad" ]; then
				ok "$name (backlog $backlog): killed at each of $npoints points, then '$how': wiring right, nothing stale, user files intact"
			else
				not_ok "$name (backlog $backlog): killed at point(s)$bad, then '$how', did not converge"
			fi
		done
	done
done
# A run killed after its intent and its first FIFO leaves the intent for the
# next event, any guest's, to put back in the guests' files: guesta's names
# are then pending, and its release removes the FIFO it made.
BACKLOG=keep
fresh
TRACE=$T/trace
rm -f "$TRACE"
fhook 0 guesta prepare begin <"$(xml guesta)"
TRACE=
n=$(grep -n ' prepare: after mkfifo, owner and mode$' "$T/trace" | head -1 | cut -d: -f1)
fresh
fhook "$n" guesta prepare begin <"$(xml guesta)"
check "a run killed after its first mkfifo is killed" [ $? -eq 137 ]
made=$(find "$P" -type p -name 'a*')
check "... and leaves its intent" [ -f "$STATE/intent" ]
check "... and one FIFO" [ "$(echo "$made" | wc -w)" -eq 1 ]
op guestb prepare
check "the next event, another guest's, puts the intent back in the guests' files" absent "$STATE/intent"
check "... where the names of the killed run are pending" grep -q "^pending guesta $made$" "$STATE"/domains/*
op guestb release && op guesta release
check "... so that its release removes the FIFO it made" absent "$made"
check "... and nothing is left" clean

echo "# crash recovery: $points_total fault points over the scenarios, $runs_total killed runs"
done_testing
