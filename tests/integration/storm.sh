#!/bin/bash
# Concurrency storm: 8 guests joined by 12 links (a ring and its diagonals,
# three ports each), and for hundreds of rounds a random half of them start
# or stop at the same moment, their hooks launched concurrently in a random
# order, some events doubled (libvirt may repeat one). A running guest's
# FIFOs are held open as its QEMU would. After every round the wiring is
# exactly right: bytes cross every link whose two ends run, each end that runs
# has its own two FIFOs, shared with nothing else, no name of a stopped guest
# remains, the state records exactly what exists, and the lock is free.
#
# STORM_ROUNDS (default 200) and STORM_SEED (default: random, printed) may be
# set to run longer or to replay a sequence.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
ROUNDS=${STORM_ROUNDS:-200}
SEED=${STORM_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
echo "# $ROUNDS rounds, seed $SEED"

NG=8
links=()	# "i j": link k joins guests i and j
for i in $(seq 0 $((NG - 1))); do links+=("$i $(((i + 1) % NG))"); done
for i in $(seq 0 $((NG / 2 - 1))); do links+=("$i $((i + NG / 2))"); done
NL=${#links[@]}

{
	for k in $(seq 0 $((NL - 1))); do
		set -- ${links[$k]}
		echo "[l$k]"
		echo "g$1 = org.vserlink.$k"
		echo "g$2 = org.vserlink.$k"
	done
} | pairs
for g in $(seq 0 $((NG - 1))); do
	specs=()
	for k in $(seq 0 $((NL - 1))); do
		set -- ${links[$k]}
		{ [ "$1" = "$g" ] || [ "$2" = "$g" ]; } && specs+=("pipe:org.vserlink.$k:$P/g$g-$k")
	done
	domain "g$g" "${specs[@]}" >"$T/g$g.xml"
done

declare -A up=() holder=()
events=0
failures=0

# ev GUEST prepare|release: one hook process, as libvirt starts it.
ev() {
	local g=$1 op=$2 sub=begin
	[ "$op" = release ] && sub=end
	timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" hook "g$g" "$op" "$sub" - \
		<"$T/g$g.xml" >"$T/out.$g.$3" 2>"$T/err.$g.$3"
	echo $? >"$T/rc.$g.$3"
}

# The FIFO names of guest g, and of one link.
names_of() {
	local g=$1 k
	for k in $(seq 0 $((NL - 1))); do
		set -- ${links[$k]}
		{ [ "$1" = "$g" ] || [ "$2" = "$g" ]; } && echo "$P/g$g-$k.in $P/g$g-$k.out"
	done
}

start_holder() {
	local fifo=$T/hold.$1
	rm -f "$fifo" "$fifo.out"
	mkfifo "$fifo"
	"$FIFO_IO" hold $(names_of "$1") <"$fifo" >"$fifo.out" 2>&1 &
	holder[$1]=$!
	exec {hold_fd}>"$fifo"
	eval "hold_fd_$1=$hold_fd"
	local i
	for i in $(seq 100); do grep -q held "$fifo.out" 2>/dev/null && return 0; sleep 0.01; done
	echo "# could not hold the FIFOs of g$1:"; sed 's/^/#   /' "$fifo.out"
	return 1
}

stop_holder() {
	local fd
	eval "fd=\${hold_fd_$1:-}"
	[ -n "$fd" ] && exec {fd}>&-
	kill "${holder[$1]}" 2>/dev/null
	wait "${holder[$1]}" 2>/dev/null
	unset "holder[$1]"
}

# verify ROUND: everything that must hold after a round; prints why not.
verify() {
	local r=$1 k a b ia oa ib ob line why=""
	declare -A ino=() nl=() typ=()
	while read -r name i n y; do
		ino[$name]=$i; nl[$name]=$n; typ[$name]=$y
	done < <(find "$P" -mindepth 1 -printf '%f %i %n %y\n')
	local nfifos=0 nends=0
	declare -A seen=()
	for k in $(seq 0 $((NL - 1))); do
		set -- ${links[$k]}
		a=$1 b=$2
		for g in $a $b; do
			if [ -n "${up[$g]:-}" ]; then
				for s in in out; do
					[ "${typ[g$g-$k.$s]:-}" = p ] || why="$why g$g-$k.$s is missing or not a FIFO;"
				done
				nends=$((nends + 1))
			else
				for s in in out; do
					[ -z "${typ[g$g-$k.$s]:-}" ] && continue
					why="$why g$g-$k.$s of stopped g$g remains;"
				done
			fi
		done
		ia=${ino[g$a-$k.in]:-} oa=${ino[g$a-$k.out]:-}
		ib=${ino[g$b-$k.in]:-} ob=${ino[g$b-$k.out]:-}
		if [ -n "${up[$a]:-}" ] && [ -n "${up[$b]:-}" ]; then
			[ "$ia" = "$ob" ] && [ "$oa" = "$ib" ] && [ "$ia" != "$oa" ] ||
				why="$why link l$k: g$a and g$b do not share their FIFOs crosswise;"
			"$FIFO_IO" send "$P/g$a-$k.out" "$P/g$b-$k.in" "r$r-l$k-ab" >/dev/null 2>&1 ||
				why="$why link l$k: bytes from g$a do not reach g$b;"
			"$FIFO_IO" send "$P/g$b-$k.out" "$P/g$a-$k.in" "r$r-l$k-ba" >/dev/null 2>&1 ||
				why="$why link l$k: bytes from g$b do not reach g$a;"
			nfifos=$((nfifos + 2))
		elif [ -n "${up[$a]:-}" ] || [ -n "${up[$b]:-}" ]; then
			nfifos=$((nfifos + 2))
		fi
	done
	# No FIFO is shared between links: each inode has at most the two names of its link.
	for name in "${!ino[@]}"; do
		case $name in *.in|*.out) ;; *) continue ;; esac
		k=${name#*-}; k=${k%.*}
		if [ -n "${seen[${ino[$name]}]:-}" ] && [ "${seen[${ino[$name]}]}" != "$k" ]; then
			why="$why $name shares its FIFO with link l${seen[${ino[$name]}]};"
		fi
		seen[${ino[$name]}]=$k
	done
	[ "${#seen[@]}" -eq "$nfifos" ] || why="$why ${#seen[@]} FIFOs exist, $nfifos expected;"
	# The state records exactly that.
	local sf se sp
	# end LINK GUEST PATH DIR_DEV DIR_INO, then DEV INO SEC NSEC for .in and .out
	sf=$(awk '$1 == "end" {
		if ($8 && !(($7 ":" $8) in f)) { f[$7 ":" $8] = 1; n++ }
		if ($12 && !(($11 ":" $12) in f)) { f[$11 ":" $12] = 1; n++ }
	} END { print n + 0 }' <(state_lines))
	se=$(state_lines | grep -c '^end ')
	sp=$(state_lines | grep -c '^pending ')
	[ "$sf" -eq "$nfifos" ] || why="$why state records $sf FIFOs, $nfifos exist;"
	[ "$se" -eq "$nends" ] || why="$why state records $se ends, $nends are up;"
	[ "$sp" -eq 0 ] || why="$why state has $sp pending names;"
	absent "$STATE/state.new" || why="$why state.new left behind;"
	flock -n "$STATE/lock" true || why="$why the lock is still held;"
	if [ -n "$why" ]; then
		echo "# round $r:$why"
		ls -li "$P" | sed 's/^/#   /' | head -60
		state_lines | sed 's/^/#   state: /' | head -60
		return 1
	fi
}

bad_rounds=""
for r in $(seq 1 "$ROUNDS"); do
	# Who changes this round, and in which order their hooks start.
	movers=()
	for g in $(seq 0 $((NG - 1))); do
		[ $((RANDOM % 2)) -eq 0 ] && movers+=("$g")
	done
	[ ${#movers[@]} -eq 0 ] && movers=($((RANDOM % NG)))
	jobs_list=()
	for g in "${movers[@]}"; do
		if [ -n "${up[$g]:-}" ]; then op=release; else op=prepare; fi
		jobs_list+=("$g $op 0")
		# Sometimes libvirt's event comes twice.
		[ $((RANDOM % 8)) -eq 0 ] && jobs_list+=("$g $op 1")
	done
	# QEMU of a stopping guest is gone before its release.
	for g in "${movers[@]}"; do
		[ -n "${up[$g]:-}" ] && stop_holder "$g"
	done
	# Fisher-Yates: a random start order.
	for ((i = ${#jobs_list[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		tmp=${jobs_list[$i]}; jobs_list[$i]=${jobs_list[$j]}; jobs_list[$j]=$tmp
	done
	pids=()
	for jb in "${jobs_list[@]}"; do
		set -- $jb
		ev "$1" "$2" "$3" &
		pids+=($!)
		events=$((events + 1))
	done
	wait "${pids[@]}"
	why=""
	for jb in "${jobs_list[@]}"; do
		set -- $jb
		rc=$(cat "$T/rc.$1.$3")
		[ "$rc" = 0 ] || why="$why g$1 $2 exited $rc ($(head -c 300 "$T/err.$1.$3"));"
		[ -s "$T/out.$1.$3" ] && why="$why g$1 $2 wrote to stdout;"
		[ -s "$T/err.$1.$3" ] && [ "$rc" = 0 ] && why="$why g$1 $2 said: $(head -c 300 "$T/err.$1.$3");"
	done
	for g in "${movers[@]}"; do
		if [ -n "${up[$g]:-}" ]; then unset "up[$g]"; else up[$g]=1; fi
	done
	if [ -n "$why" ]; then
		echo "# round $r:$why"
		bad_rounds="$bad_rounds $r"
	elif ! verify "$r"; then
		bad_rounds="$bad_rounds $r"
	fi
	# QEMU of a started guest opens its FIFOs.
	for g in "${movers[@]}"; do
		if [ -n "${up[$g]:-}" ]; then start_holder "$g" || bad_rounds="$bad_rounds $r(hold)"; fi
	done
	[ -n "$bad_rounds" ] && [ "${STORM_KEEP_GOING:-0}" = 0 ] && break
done

if [ -z "$bad_rounds" ]; then
	ok "$ROUNDS rounds, $events concurrent hook events among $NG guests and $NL links: every round wired exactly right"
else
	not_ok "storm (seed $SEED): wrong after round(s)$bad_rounds"
fi
for g in "${!holder[@]}"; do stop_holder "$g"; done
# Finally every guest stops: nothing at all is left.
for g in $(seq 0 $((NG - 1))); do
	[ -n "${up[$g]:-}" ] && { ev "$g" release 0; unset "up[$g]"; }
done
check "after the storm every guest stops and nothing is left" verify final
echo "# storm: $ROUNDS rounds, $events hook events"
done_testing
