#!/bin/bash
# make valgrind: the integration tests that run the hook, with every hook
# process under valgrind, then every valgrind report collected. Storm and
# race run shorter (valgrind is some 30 times slower); the crash test is left
# out (its victims are the fault-injection build, killed on purpose). make
# valgrind builds BUILD_DIR dynamically linked: valgrind cannot follow the
# malloc of the static glibc the production binary carries.
#
# usage: tests/hardening/valgrind.sh BUILD_DIR
set -u
build=${1:?usage: valgrind.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
export VSERLINK_VALGRIND_BIN=$top/$build/vserlink
export VSERLINK_VALGRIND_DIR=$(mktemp -d /tmp/vserlink-valgrind.XXXXXX)
export VSERLINK_BIN=$top/tests/hardening/valgrind-hook
export VSERLINK_BUILD=$top/$build VSERLINK_TOP=$top
export HOOK_TIMEOUT=120 STORM_ROUNDS=${STORM_ROUNDS:-15} RACE_ROUNDS=${RACE_ROUNDS:-5}
passed=0 failed=0
for t in wiring events refusals config recovery attack_symlinks attack_files attack_input \
	attack_config attack_race storm; do
	[ -f "tests/integration/$t.sh" ] || continue
	out=$(bash "tests/integration/$t.sh" 2>&1)
	ok=$(grep -c '^ok ' <<<"$out"); bad=$(grep -c '^not ok ' <<<"$out")
	grep '^not ok ' <<<"$out" | sed "s|^|$t: |"
	echo "$t: $ok passed, $bad failed"
	passed=$((passed + ok)); failed=$((failed + bad))
done
runs=$(ls "$VSERLINK_VALGRIND_DIR" | grep -c "^vg\.")
reports=0
for f in "$VSERLINK_VALGRIND_DIR"/vg.*; do
	[ -s "$f" ] || continue
	reports=$((reports + 1))
	echo "valgrind report $f:"; head -40 "$f" | sed 's/^/    /'
done
echo "valgrind: $runs hook processes, $reports with a report; tests $passed passed, $failed failed"
[ "$reports" -eq 0 ] && [ "$failed" -eq 0 ] && rm -rf "$VSERLINK_VALGRIND_DIR"
[ "$reports" -eq 0 ] && [ "$failed" -eq 0 ]
