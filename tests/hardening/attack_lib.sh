# Helpers of the attack tests (tests/integration/attack_*.sh), on top of
# tests/lib.sh: fingerprints of objects that are not the hook's, and a
# refusal that must be a clean "exit 1 with a message", never a timeout,
# a crash or a signal.

# fp PATH...: everything that must not change about someone else's object:
# type, inode, owner, group, mode, link count, size, mtime, content or target.
fp() {
	local f
	for f; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			stat -c '%n %F %i %u %g %a %h %s %Y' -- "$f"
			if [ -L "$f" ]; then readlink -- "$f"
			elif [ -f "$f" ]; then md5sum <"$f"
			fi
		else
			echo "$f absent"
		fi
	done
}

# snap NAME PATH...: remembers fp of PATHs; same NAME: they still match.
snap() { local n=$1; shift; eval "snap_paths_$n=\$(printf '%q ' \"\$@\")"; fp "$@" >"$T/snap.$n"; }
same() {
	local paths out
	eval "paths=\$snap_paths_$1"
	out=$(eval "fp $paths" | diff "$T/snap.$1" -) && return 0
	echo "$out" | sed 's/^/# changed: /'
	return 1
}

# refused MESSAGE DOMAIN OP SUBOP < xml: the hook exits exactly 1 and says MESSAGE.
refused() {
	local msg=$1 rc
	shift
	hook "$@"
	rc=$?
	[ $rc -eq 1 ] || { echo "# exit $rc, want 1"; sed 's/^/#   /' "$T/err"; return 1; }
	err_has "$msg"
}

# calm DOMAIN OP SUBOP < xml: the hook ends by itself with 0 or 1: no timeout,
# no signal, no sanitizer report (those exit otherwise).
calm() {
	local rc
	hook "$@"
	rc=$?
	[ $rc -le 1 ] || { echo "# exit $rc"; sed 's/^/#   /' "$T/err" | head -5; return 1; }
}

# nothing_under DIR: no FIFO was made in DIR (or anywhere under it).
nothing_under() { [ -z "$(find "$1" -type p 2>/dev/null)" ]; }
