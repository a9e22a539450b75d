#!/bin/bash
# Attack: a pairs.ini or a state directory that others could have written:
# a symlink, writable by others or its group, owned by another user, a FIFO,
# a directory, a device, too large; and state_dir, state, lock as the wrong
# kind of object, or the lock held by a stuck hook. Each is refused with a
# clear message, in time (a FIFO or a held lock never hangs the hook), and
# nothing is made.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
cp "$T/pairs.ini" "$T/good.ini"
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestc pipe:org.linux-kvm.port.1:$P/c1 >"$T/c.xml"

# A stuck hook holds the lock of a second state directory for longer than the
# hook waits (30 s); measured in the background while the rest runs.
mkdir -p -m 700 "$T/run2"
sed "s|^state_dir = .*|state_dir = $T/run2|" "$T/good.ini" >"$T/locked.ini"
flock --no-fork "$T/run2/lock" sleep 45 >/dev/null 2>&1 </dev/null &
locker=$!
sleep 0.2
(
	start=$(date +%s)
	VSERLINK_CONFIG=$T/locked.ini timeout -k 2 40 "$VSERLINK_BIN" hook guesta prepare begin - \
		<"$T/a.xml" >"$T/locked.out" 2>"$T/locked.err"
	echo "$? $(($(date +%s) - start))" >"$T/locked.rc"
) &
waiter=$!

cfg_case() {
	local desc=$1 msg=$2
	check "pairs.ini $desc: the guest it links is refused" refused "$msg" guesta prepare begin <"$T/a.xml"
	check "  nothing was made" nothing_under "$P"
	check "  a guest it does not name still starts (exit 0)" hook guestc prepare begin <"$T/c.xml"
}
mv "$T/pairs.ini" "$T/real.ini" && ln -s "$T/real.ini" "$T/pairs.ini"
cfg_case "that is a symlink" "$T/pairs.ini: is a symbolic link; refusing to use it"
rm "$T/pairs.ini" && mv "$T/real.ini" "$T/pairs.ini"
chmod 666 "$T/pairs.ini"
cfg_case "writable by others" "$T/pairs.ini: is writable by others; refusing to use it"
chmod 664 "$T/pairs.ini"
cfg_case "writable by its group" "$T/pairs.ini: is writable by its group; refusing to use it"
chmod 644 "$T/pairs.ini" && chown nobody "$T/pairs.ini"
cfg_case "owned by user nobody" "is owned by uid 65534, not root; refusing to use it"
chown root "$T/pairs.ini"
rm "$T/pairs.ini" && mkfifo "$T/pairs.ini"
check "pairs.ini that is a FIFO with no writer: prepare ends in time" calm guesta prepare begin <"$T/a.xml"
check "  nothing was made" nothing_under "$P"
rm "$T/pairs.ini" && ln -s /dev/zero "$T/pairs.ini"
check "pairs.ini that is a symlink to /dev/zero: prepare ends in time" calm guesta prepare begin <"$T/a.xml"
rm "$T/pairs.ini" && mkdir "$T/pairs.ini"
check "pairs.ini that is a directory: prepare ends in time" calm guesta prepare begin <"$T/a.xml"
rmdir "$T/pairs.ini"
{ cat "$T/good.ini"; head -c 20000000 /dev/zero | tr '\0' ';'; } >"$T/pairs.ini"
check "pairs.ini of 20 MB: prepare ends in time" calm guesta prepare begin <"$T/a.xml"
check "  nothing was made" nothing_under "$P"
# A section name longer than inih keeps (49 bytes) must not be read as a shorter one.
{ cat "$T/good.ini"; echo "[port1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]"; echo "guesta = serial0"; } >"$T/pairs.ini"
check "a long section name: refused, never read truncated" refused "invalid link name" guesta prepare begin <"$T/a.xml"
{ cat "$T/good.ini"; printf 'guestz = %0300d\n' 0; } >"$T/pairs.ini"
check "a line over inih's 200 bytes: refused, its tail never read as a line" refused "line is longer than" guesta prepare begin <"$T/a.xml"
{ cat "$T/good.ini"; printf 'guestz = a\0b\n'; } >"$T/pairs.ini"
check "a NUL byte in pairs.ini: refused" refused "line contains a NUL byte" guesta prepare begin <"$T/a.xml"
check "  nothing was made by any of these" nothing_under "$P"
cp "$T/good.ini" "$T/pairs.ini"

# The state directory and its files.
mkdir -p "$T/run"
state_case() {
	local desc=$1 msg=$2
	check "$desc: refused" refused "$msg" guesta prepare begin <"$T/a.xml"
	check "  nothing was made" nothing_under "$P"
}
mkdir -p "$STATE" && chmod 777 "$STATE"
state_case "state_dir writable by others" "$STATE: is writable by others and not sticky"
chmod 700 "$STATE" && chown nobody "$STATE"
state_case "state_dir owned by user nobody" "$STATE: is not owned by root"
chown root "$STATE" && chmod 777 "$T/run"
state_case "state_dir's parent writable by others" "$T/run: is writable by others and not sticky"
chmod 755 "$T/run"
rm -rf "$STATE" && touch "$STATE"
state_case "state_dir that is a file" "$STATE"
rm -f "$STATE" && mkdir -m 700 "$STATE"
mkfifo "$STATE/state"
state_case "a FIFO as the state file" "$STATE/state: is not a regular file"
rm -f "$STATE/state" "$STATE/lock" && mkfifo "$STATE/lock"
state_case "a FIFO as the lock file" "$STATE/lock: is not a regular file"
rm "$STATE/lock" && mkdir "$STATE/state.new"
state_case "a directory as the temporary state file" "$STATE/state.new"
rmdir "$STATE/state.new"
printf 'vserlink-state 2\nend port1 guesta /etc/passwd 1 2 0 0 0 0 0 0 0 0\npending guesta /etc/passwd\nrm -rf /\n' >"$STATE/state"
state_case "a state file with lines vserlink never wrote" "$STATE/state:4: not a line vserlink wrote"
truncate -s 70M "$STATE/state"
state_case "a state file of 70 MB" "$STATE/state: is not a regular file of sane size"
rm "$STATE/state"
# The same of a guest's own file (domains/GUEST).
mkdir -m 700 "$STATE/domains"
printf 'vserlink-state 2\nend port1 guesta /etc/passwd 1 2 0 0 0 0 0 0 0 0\nrm -rf /\n' >"$STATE/domains/guesta"
state_case "a guest's state file with lines vserlink never wrote" "$STATE/domains/guesta:3: not a line vserlink wrote"
rm "$STATE/domains/guesta" && mkfifo "$STATE/domains/guesta"
state_case "a FIFO as a guest's state file" "$STATE/domains/guesta: is not a regular file"
rm "$STATE/domains/guesta" && ln -s /etc/passwd "$STATE/domains/guesta"
state_case "a symbolic link as a guest's state file" "$STATE/domains/guesta: "
rm "$STATE/domains/guesta"
# The layout of before, a file per link (links/LINK), is read to be moved.
mkdir -m 700 "$STATE/links"
printf 'vserlink-state 2\nend port1 guesta %s 1 2 0 0 0 0 0 0 0 0\nrm -rf /\n' "$P/a1" >"$STATE/links/port1"
state_case "a link's state file of before with lines vserlink never wrote" "$STATE/links/port1:3: not a line vserlink wrote"
check "  and it is left as it was" grep -q '^rm -rf /$' "$STATE/links/port1"
rm -r "$STATE/links"
# Another guest's file is read only when a name of this end holds a FIFO that
# the files of the guest and its peers do not record.
printf 'vserlink-state 2\nrm -rf /\n' >"$STATE/domains/other"
check "another guest's file that cannot be read: a guest whose names are in order starts (exit 0)" \
	hook guesta prepare begin <"$T/a.xml"
check "  and stops" hook guesta release end <"$T/a.xml"
mkfifo "$P/a1.in"
check "  a FIFO at its name that its link does not record: every guest's file is read, and the start refused naming that one" \
	refused "$STATE/domains/other:2: not a line vserlink wrote" guesta prepare begin <"$T/a.xml"
check "  and the FIFO too" err_has "$P/a1.in: is a FIFO that vserlink did not create"
rm "$P/a1.in" "$STATE/domains/other"
check "after all of it the guest starts" hook guesta prepare begin <"$T/a.xml"
hook guesta release end <"$T/a.xml"

wait $waiter
read -r rc secs <"$T/locked.rc"
check "a lock held by a stuck hook: refused after the time limit, not hung (exit $rc after $secs s)" \
	[ "$rc" = 1 ] && [ "$secs" -ge 25 ] && [ "$secs" -le 35 ]
check "  with a message saying so" grep -q "still locked by another vserlink after the time limit" "$T/locked.err"
kill $locker 2>/dev/null; wait $locker 2>/dev/null
done_testing
