#!/bin/bash
# Attack: symlinks planted where the hook works as root. At P.in and P.out,
# at the pipe's directory and at a directory above it, at state_dir and at
# the state, temporary state and lock files, before prepare and between
# prepare and release. Never is a symlink followed: the hook refuses with a
# clear message or leaves the link alone, and the link, its target and the
# target's directory are exactly as they were.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
mkdir -m 700 "$T/vault"
echo "root's secret" >"$T/vault/secret" && chmod 600 "$T/vault/secret"
mkfifo -m 600 "$T/vault/fifo"
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
snap vault "$T/vault" "$T/vault/secret" "$T/vault/fifo"

# At the FIFO names.
ln -s "$T/vault/secret" "$P/a1.in"
snap planted "$P/a1.in"
check "symlink at P.in to a secret file: refused" refused "$P/a1.in: is a symbolic link" guesta prepare begin <"$T/a.xml"
check "  the symlink is as it was" same planted
check "  its target and the target's directory are as they were" same vault
check "  nothing was made" absent "$P/a1.out"
rm "$P/a1.in"
ln -s "$T/vault/new" "$P/a1.out"
check "dangling symlink at P.out (would create the FIFO elsewhere): refused" \
	refused "$P/a1.out: is a symbolic link" guesta prepare begin <"$T/a.xml"
check "  nothing appeared at its target" same vault
rm "$P/a1.out"
ln -s "$T/vault/fifo" "$P/a1.in"
check "symlink at P.in to a FIFO elsewhere: refused" refused "$P/a1.in: is a symbolic link" guesta prepare begin <"$T/a.xml"
check "  the FIFO elsewhere is as it was" same vault
rm "$P/a1.in"

# At directories of the path.
ln -s "$T/vault" "$T/plink"
domain guesta pipe:org.linux-kvm.port.1:$T/plink/a1 >"$T/x.xml"
check "the pipe's directory is a symlink: refused" \
	refused "$T/plink: is a symbolic link; vserlink never follows symlinks" guesta prepare begin <"$T/x.xml"
check "  nothing was made in its target" same vault
ln -s "$T" "$T/up"
domain guesta pipe:org.linux-kvm.port.1:$T/up/vault/a1 >"$T/x.xml"
check "a directory above it is a symlink: refused" \
	refused "$T/up: is a symbolic link; vserlink never follows symlinks" guesta prepare begin <"$T/x.xml"
check "  nothing was made below it" same vault
domain guesta pipe:org.linux-kvm.port.1:/proc/self/root$T/vault/a1 >"$T/x.xml"
check "a path through /proc/self (a symlink): refused" \
	refused "/proc/self: is a symbolic link" guesta prepare begin <"$T/x.xml"
check "  nothing was made" same vault

# At the state directory and its files.
pairs_with_state() { sed -i "s|^state_dir = .*|state_dir = $1|" "$T/pairs.ini"; }
ln -s "$T/vault" "$T/run/statelink"
pairs_with_state "$T/run/statelink"
check "state_dir is a symlink: refused" refused "$T/run/statelink: is a symbolic link" guesta prepare begin <"$T/a.xml"
check "  nothing was made in its target, nor at the pipe path" same vault
check "  no FIFO was made" absent "$P/a1.in"
pairs_with_state "$STATE"
mkdir -p -m 700 "$STATE"
for f in state state.new lock; do
	rm -f "$STATE/$f"; ln -s "$T/vault/secret" "$STATE/$f"
	check "the state directory's $f is a symlink to a secret: refused" calm guesta prepare begin <"$T/a.xml"
	check "  with a message naming it" err_has "$STATE/$f"
	check "  the secret is as it was" same vault
	check "  no FIFO was made" absent "$P/a1.in"
	rm "$STATE/$f"
done
# The guests' files are read and written below domains/: never through a symlink.
hook guestb prepare begin <"$T/b.xml"
mv "$STATE/domains" "$T/domains.real" && ln -s "$T/vault" "$STATE/domains"
check "the state directory's domains/ is a symlink to a directory: prepare refused" \
	refused "$STATE/domains" guesta prepare begin <"$T/a.xml"
check "  nothing was read or written in its target" same vault
check "  no FIFO was made" absent "$P/a1.in"
check "  and the peer's release, refused too, removes nothing" \
	refused "$STATE/domains" guestb release end <"$T/b.xml"
check "  the peer's FIFO is still there" is_fifo "$P/b1.in"
rm "$STATE/domains" && mv "$T/domains.real" "$STATE/domains"
hook guestb release end <"$T/b.xml"

# Planted between prepare and release: release leaves what is not its own.
check "prepare of a clean end works" hook guesta prepare begin <"$T/a.xml"
rm "$P/a1.in" && ln -s "$T/vault/fifo" "$P/a1.in"
snap planted "$P/a1.in"
check "release with a symlink swapped in at P.in exits 0" hook guesta release end <"$T/a.xml"
check "  the symlink is left as it was" same planted
check "  its target is as it was" same vault
check "  the end's own P.out is removed" absent "$P/a1.out"
rm "$P/a1.in"

# The peer's directory becomes a symlink while the peer runs.
mkdir "$T/bdir"
domain guestb pipe:org.linux-kvm.port.1:$T/bdir/b1 >"$T/b.xml"
check "peer prepares in its directory" hook guestb prepare begin <"$T/b.xml"
mv "$T/bdir" "$T/bdir.real" && ln -s "$T/vault" "$T/bdir"
check "an end whose peer's directory became a symlink still starts" hook guesta prepare begin <"$T/a.xml"
check "  with a warning naming the symlink" err_has "$T/bdir: is a symbolic link"
check "  and nothing is made or linked in the symlink's target" same vault
check "  its own FIFOs are new ones" [ "$(stat -c %h "$P/a1.in")" = 1 ]
hook guesta release end <"$T/a.xml"
check "release of the peer through the symlinked directory exits 0" hook guestb release end <"$T/b.xml"
check "  with one warning for both its names, naming the symlink" \
	[ "$(grep -c "$T/bdir: is a symbolic link" "$T/err")" = 1 ]
check "  and removes nothing in the target" same vault
done_testing
