#!/bin/bash
# vserlink plan: prints exactly the steps the hook then takes, and takes none.
# Each plan is compared with a golden file (tests/golden/plan, $T as T), then
# the hook runs the same event and the disk is shown to match the plan.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
GOLDEN=$VSERLINK_TOP/tests/golden/plan

golden() {
	local want=$GOLDEN/$1.expected got=$T/golden.got
	sed "s|$T|T|g" "$T/pout" >"$got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"; cp "$got" "$want"; return 0
	fi
	diff -u "$want" "$got" >"$T/diff" && return 0
	sed 's/^/# /' "$T/diff"
	return 1
}
# plan ARGS... [< xml]: stdout in $T/pout, stderr in $T/perr.
plan() { timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" plan "$@" >"$T/pout" 2>"$T/perr"; }
perr_has() { grep -qF -- "$1" "$T/perr" || { echo "# stderr was:"; sed 's/^/#   /' "$T/perr"; return 1; }; }
# The whole tree as it is: names, types, inodes, link counts, times.
snapshot() { find "$P" "$T/run" "$T/pairs.ini" -printf '%p %y %i %n %T@\n' | sort; }
unchanged() { snapshot >"$T/snap.after"; diff -q "$T/snap.before" "$T/snap.after" >/dev/null; }
# steps KIND: the paths of the plan's KIND lines, one a line (link: the new name).
steps() { awk -v k="$1" '$1 == k { print $NF }' "$T/pout"; }

pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[console]
guesta = serial1
guestb = serial0
backlog = discard
INI
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:serial1:$P/a-s1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:serial0:$P/b-s0 >"$T/b.xml"
domain guestz pipe:org.linux-kvm.port.1:$P/z1 >"$T/z.xml"

snapshot >"$T/snap.before"
check "plan of the first end exits 0" plan guesta prepare <"$T/a.xml"
check "  and prints a mkfifo for each FIFO" golden first-end
check "  and changes nothing, not even the state directory" unchanged
hook guesta prepare begin <"$T/a.xml"
check "the hook then creates exactly the FIFOs planned" \
	[ "$(steps mkfifo | sort)" = "$(find "$P" -type p | sort)" ]

snapshot >"$T/snap.before"
check "plan of the second end exits 0" plan guestb prepare <"$T/b.xml"
check "  and prints a link to the peer's FIFO for each name" golden second-end
check "  and a drain where the link discards the backlog" [ "$(steps drain)" = "$P/b-s0.in" ]
check "  and changes nothing" unchanged
hook guestb prepare begin <"$T/b.xml"
all_linked() {
	local existing new
	while read -r _ existing new; do
		same_file "$existing" "$new" || return 1
	done < <(grep '^link ' "$T/pout")
}
check "the hook then makes exactly the links planned" all_linked
check "plan of a guest already wired prints nothing" plan guestb prepare <"$T/b.xml"
check "  not a line" [ ! -s "$T/pout" ]

snapshot >"$T/snap.before"
check "plan of a release exits 0" plan guestb release </dev/null
check "  and prints an unlink for each of its names" golden release
check "  and changes nothing" unchanged
hook guestb release end <"$T/b.xml"
check "the hook then removes exactly the names planned" \
	bash -c "! ls -d $(steps unlink | tr '\n' ' ') 2>/dev/null"
check "  and nothing else" [ "$(find "$P" -type p | wc -l)" -eq 4 ]
check "plan of a release needs no XML" plan guestb release </dev/null
check "  and has nothing to do for a released guest" [ ! -s "$T/pout" ]

# Refusals: the hook's messages and status, nothing on stdout.
hook guesta release end <"$T/a.xml"
domain guesta pty:org.linux-kvm.port.1: pipe:serial1:$P/a-s1 >"$T/x.xml"
check "plan of a start the hook refuses exits 1" ! plan guesta prepare <"$T/x.xml"
hook guesta prepare begin <"$T/x.xml"
check "  with exactly the hook's messages" diff "$T/err" "$T/perr"
check "  and no step" [ ! -s "$T/pout" ]
check "plan of another guest's XML fails" ! plan guesta prepare <"$T/b.xml"
check "  saying whose it is" perr_has "vserlink: guest guesta: the domain XML on stdin is guest guestb's"
echo "<domain><name>guesta" >"$T/x.xml"
check "plan of malformed XML fails" ! plan guesta prepare <"$T/x.xml"
check "  as the hook does" perr_has "vserlink: guest guesta: domain XML line"
check "plan with a directory on stdin fails" ! plan guesta prepare <"$P"
check "  saying why" perr_has "vserlink: guest guesta: cannot read the domain XML from stdin: Is a directory"
# script(1) gives plan a terminal; only its output goes to perr, not check's line.
plan_on_tty() { script -qec "'$VSERLINK_BIN' plan guesta prepare" /dev/null >"$T/perr" 2>&1; }
check "plan with a terminal on stdin fails" ! plan_on_tty
check "  saying that it expects the XML there" perr_has "vserlink: guest guesta: expects the domain XML on stdin"

# Nothing to do.
check "plan of a guest pairs.ini does not link exits 0" plan guestz prepare <"$T/z.xml"
check "  says the hook does nothing" perr_has "vserlink: guest guestz: $T/pairs.ini has no link for it; the hook does nothing"
check "  and prints no step" [ ! -s "$T/pout" ]
check "plan without pairs.ini exits 0" plan -c "$T/none.ini" guesta prepare <"$T/a.xml"
check "  says the hook does nothing" perr_has "vserlink: guest guesta: $T/none.ini does not exist; the hook does nothing"
check "plan when pairs.ini cannot be opened fails" ! plan -c "$T/pairs.ini/x" guesta prepare <"$T/a.xml"
check "  saying why" perr_has "vserlink: $T/pairs.ini/x: Not a directory"

# Usage.
check "plan without an event fails" ! plan guesta
check "  with a usage message" perr_has "vserlink: plan: expects DOMAIN and prepare or release; see vserlink plan --help"
check "plan of another event fails" ! plan guesta start
check "  with a usage message" perr_has "vserlink: plan: the event is prepare or release; see vserlink plan --help"
check "plan -c FILE reads that file" plan -c "$T/pairs.ini" guesta prepare <"$T/a.xml"
check "  and so does --config=FILE" plan --config="$T/pairs.ini" guesta prepare <"$T/a.xml"
check "  and a guest named like an option follows --" plan -- -x prepare <"$T/z.xml"
check "  which the hook has no link for" perr_has "guest -x: $T/pairs.ini has no link for it"
done_testing
