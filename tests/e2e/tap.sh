# shellcheck shell=bash
# TAP output for the end-to-end test: numbered "ok N - ... (T s)" / "not ok N - ..." lines, diagnostics as
# "# ..." lines, and a closing "N passed, N failed". Sourced by run.sh.

tap_n=0 tap_pass=0 tap_fail=0 tap_diag_file='' tap_desc='' tap_done=0 tap_last=0

# tap_result STATUS DESCRIPTION: records one check, passed when STATUS is 0.
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		tap_pass=$((tap_pass + 1))
		printf 'ok %d - %s\n' "$tap_n" "$2"
	else
		tap_fail=$((tap_fail + 1))
		printf 'not ok %d - %s\n' "$tap_n" "$2"
	fi
}

# check DESCRIPTION COMMAND...: runs COMMAND (with set -e off inside it, as for any condition) and
# records whether it succeeded; "passed" then tells. Returns 0 either way, so that a failed check
# doesn't end a script running under set -e. What COMMAND prints to stderr becomes diagnostics, printed before the
# result line. (A file, not a pipe: a daemon started by COMMAND would hold a pipe open for ever.)
check() {
	local status=0 t0=$SECONDS
	tap_desc=$1
	shift
	tap_diag_file=$(mktemp)
	"$@" 2>"$tap_diag_file" || status=$?
	tap_diag <"$tap_diag_file"
	rm -f "$tap_diag_file"
	tap_diag_file=
	# The time each check took, to see where a slow run spends it.
	tap_result "$status" "$tap_desc ($((SECONDS - t0)) s)"
	tap_last=$status
}

# passed: the last check succeeded (for checks that only make sense after another).
passed() { [ "$tap_last" = 0 ]; }

tap_diag() {
	sed 's/^/# /'
}

# tap_died: at exit, if the script ends before tap_end (set -e, a signal), says what it was doing as
# a failure, so that a run that dies is never mistaken for a short one that passed.
tap_died() {
	[ "$tap_done" = 0 ] || return 0
	if [ -n "$tap_diag_file" ]; then
		tap_diag <"$tap_diag_file"
		rm -f "$tap_diag_file"
		tap_result 1 "$tap_desc (the test script died here)"
	else
		tap_result 1 "the test script died between checks"
	fi
	tap_end || true
}

# tap_end: prints the plan and the totals; status 1 when anything failed or nothing ran.
tap_end() {
	tap_done=1
	printf '1..%d\n' "$tap_n"
	printf '%d passed, %d failed\n' "$tap_pass" "$tap_fail"
	[ "$tap_fail" = 0 ] && [ "$tap_n" -gt 0 ]
}
