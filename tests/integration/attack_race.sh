#!/bin/bash
# Attack: names swapped between the hook's checks and its acts. While a loop
# keeps replacing P.in and P.out (nothing, a symlink to a secret, a hard link
# to it, another user's FIFO) and another keeps swapping the pipe's directory
# with a symlink to a vault, the hook prepares and releases again and again.
# It must never follow a symlink, never change or remove a foreign object,
# never hang, never crash; and once the swapping stops, the wiring works.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
P=$T/p
ROUNDS=${RACE_ROUNDS:-150}
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
mkdir -m 700 "$T/vault" "$T/stash"
echo "root's secret" >"$T/vault/secret" && chmod 600 "$T/vault/secret"
mkfifo -m 666 "$T/vault/theirs" && chown nobody "$T/vault/theirs"
mkdir "$P/d"
domain guesta pipe:org.linux-kvm.port.1:$P/d/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"

# The swapper: an atomic rename of a prepared object over each name, in turn.
swap_names() {
	local i=0 f
	while [ ! -e "$T/stop" ]; do
		for f in a1.in a1.out; do
			case $((i % 4)) in
			0) rm -f "$P/d/$f" ;;
			1) ln -sfn "$T/vault/secret" "$T/stash/$f" && mv -fT "$T/stash/$f" "$P/d/$f" ;;
			2) ln -f "$T/vault/secret" "$T/stash/$f" && mv -fT "$T/stash/$f" "$P/d/$f" ;;
			3) ln -f "$T/vault/theirs" "$T/stash/$f" && mv -fT "$T/stash/$f" "$P/d/$f" ;;
			esac
		done
		i=$((i + 1))
	done 2>/dev/null
}
swap_dir() {
	while [ ! -e "$T/stop" ]; do
		mv -T "$P/d" "$P/d.real" && ln -s "$T/vault" "$P/d" && rm -f "$P/d" && mv -T "$P/d.real" "$P/d"
	done 2>/dev/null
}

calm_runs=0
bad=""
race() {
	local what=$1 i pid
	"$what" & pid=$!
	for i in $(seq "$ROUNDS"); do
		for step in "guestb prepare begin b" "guesta prepare begin a" "guesta release end a" \
			"guestb release end b"; do
			set -- $step
			calm "$1" "$2" "$3" <"$T/$4.xml" >"$T/calm.log" || bad="$bad $what:$i:$2:$(head -c 200 "$T/calm.log")"
			calm_runs=$((calm_runs + 1))
		done
	done
	# A flag, not a signal: a killed loop's last mv could land after the clean-up.
	touch "$T/stop"; wait $pid 2>/dev/null; rm -f "$T/stop"
	# Put the directory back if the swap was stopped half way.
	[ -L "$P/d" ] && rm -f "$P/d"
	[ -d "$P/d.real" ] && mv -T "$P/d.real" "$P/d"
	rm -f "$P/d/a1.in" "$P/d/a1.out" "$T/stash/"*
}

snap vault "$T/vault" "$T/vault/secret" "$T/vault/theirs"
race swap_names
check "while P.in and P.out are swapped ($ROUNDS rounds), every hook exits 0 or 1 in time" [ -z "$bad" ]
check "  the secret, the other user's FIFO and the vault are as they were" same vault
race swap_dir
check "while the directory is swapped with a symlink ($ROUNDS rounds), every hook exits 0 or 1 in time" [ -z "$bad" ]
check "  nothing was made, changed or removed in the vault" same vault
[ -n "$bad" ] && echo "# $bad" | head -c 2000
# Whatever the races left in the state, the guests start and stop cleanly now.
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
check "after the races both guests start" hook guestb prepare begin <"$T/b.xml"
check "  the second one too" hook guesta prepare begin <"$T/a.xml"
check "  and the link works" wired "$P/d/a1" "$P/b1"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
check "  and both stop leaving nothing" [ -z "$(find "$P" -type p)" ]
echo "# race: $calm_runs hook runs against swapping names"
done_testing
