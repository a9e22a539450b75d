# shellcheck shell=bash
# TAP output for the end-to-end test: numbered "ok N - ... (T s)" / "not ok N - ..." lines, diagnostics as
# "# ..." lines, and a closing "N passed, N failed". Sourced by run.sh.

tap_n=0 tap_pass=0 tap_fail=0

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
# records whether it succeeded. What COMMAND prints to stderr becomes diagnostics, printed before the
# result line. (A file, not a pipe: a daemon started by COMMAND would hold a pipe open for ever.)
check() {
	local desc=$1 status=0 diag t0=$SECONDS
	shift
	diag=$(mktemp)
	"$@" 2>"$diag" || status=$?
	tap_diag <"$diag"
	rm -f "$diag"
	# The time each check took, to see where a slow run spends it.
	tap_result "$status" "$desc ($((SECONDS - t0)) s)"
	return "$status"
}

tap_diag() {
	sed 's/^/# /'
}

# tap_end: prints the plan and the totals; status 1 when anything failed or nothing ran.
tap_end() {
	printf '1..%d\n' "$tap_n"
	printf '%d passed, %d failed\n' "$tap_pass" "$tap_fail"
	[ "$tap_fail" = 0 ] && [ "$tap_n" -gt 0 ]
}
