#!/bin/bash
# Attack: objects that are not the hook's, planted where it works as root: a
# hard link to a secret file at a FIFO name, a FIFO of another user, such
# objects swapped in between prepare and release, and directories that others
# could write to. Each gets a clear refusal or is left alone, and keeps its
# inode, owner, mode, link count and content.
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
mkfifo -m 666 "$T/vault/theirs" && chown nobody:nogroup "$T/vault/theirs"
domain guesta pipe:org.linux-kvm.port.1:$P/a1 >"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
snap vault "$T/vault" "$T/vault/secret" "$T/vault/theirs"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# Planted before prepare.
ln "$T/vault/secret" "$P/a1.in"
snap secret "$T/vault/secret"
check "a hard link to a secret file at P.in: refused" \
	refused "$P/a1.in: exists and is a regular file, not a FIFO" guesta prepare begin <"$T/a.xml"
check "  the secret keeps inode, mode, owner, links and content" same secret
check "  nothing was made" absent "$P/a1.out"
rm "$P/a1.in"
ln "$T/vault/theirs" "$P/a1.out"
snap theirs "$T/vault/theirs"
check "a hard link to another user's FIFO at P.out: refused" \
	refused "$P/a1.out: is a FIFO that vserlink did not create" guesta prepare begin <"$T/a.xml"
check "  that FIFO keeps its owner, mode and links" same theirs
rm "$P/a1.out"
chmod 1777 "$P"
as_nobody mkfifo -m 666 "$P/a1.in"
snap planted "$P/a1.in"
check "a FIFO made by user nobody at P.in of a sticky directory: refused" \
	refused "$P/a1.in: is a FIFO that vserlink did not create" guesta prepare begin <"$T/a.xml"
check "  it keeps its owner nobody, mode 0666 and inode" same planted
check "  the peer starting later does not adopt it either" \
	refused "$P/a1.in: is a FIFO that vserlink did not create" guesta prepare begin <"$T/a.xml"
rm -f "$P/a1.in"
chmod 755 "$P"

# Swapped in between prepare and release.
for what in secret theirs; do
	check "prepare works ($what swapped in next)" hook guesta prepare begin <"$T/a.xml"
	rm "$P/a1.in" && ln "$T/vault/$what" "$P/a1.in"
	snap planted "$P/a1.in" "$T/vault/$what"
	check "release with a hard link to the $what at P.in exits 0" hook guesta release end <"$T/a.xml"
	check "  warns that it leaves it alone" err_has "$P/a1.in"
	check "  leaves it exactly as it was" same planted
	check "  removes its own P.out" absent "$P/a1.out"
	rm "$P/a1.in"
done
check "prepare works (a FIFO of nobody swapped in next)" hook guesta prepare begin <"$T/a.xml"
# The new FIFO often gets the freed inode number; it is still not the hook's.
rm "$P/a1.out" && mkfifo -m 600 "$P/a1.out" && chown nobody "$P/a1.out"
snap planted "$P/a1.out"
check "release with another FIFO of the same name exits 0" hook guesta release end <"$T/a.xml"
check "  leaves that FIFO exactly as it was" same planted
rm "$P/a1.out"

# The peer's names replaced while the peer runs: not joined.
check "peer prepares" hook guestb prepare begin <"$T/b.xml"
rm "$P/b1.out" && ln "$T/vault/secret" "$P/b1.out"
snap planted "$P/b1.out" "$T/vault/secret"
check "an end whose peer's P.out is now a hard link to a secret still starts" \
	hook guesta prepare begin <"$T/a.xml"
check "  with a warning that it does not join it" err_has "not joining it"
check "  the secret is not linked to a further name" same planted
check "  this end's P.in is a FIFO of its own" [ -p "$P/a1.in" ] && [ "$(stat -c %h "$P/a1.in")" = 1 ]
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
check "  and the peer's release leaves the secret's link alone" same planted
rm -f "$P/b1.out"

# Directories others could write to.
dir_case() {
	local desc=$1 msg=$2 dir=$3
	domain guesta pipe:org.linux-kvm.port.1:$dir/a1 >"$T/x.xml"
	check "$desc: refused" refused "$msg" guesta prepare begin <"$T/x.xml"
	check "  nothing was made in it" nothing_under "$dir"
}
mkdir "$T/d1" && chmod 777 "$T/d1"
dir_case "pipe directory writable by others" "$T/d1: is writable by others and not sticky" "$T/d1"
mkdir "$T/d2" && chgrp nogroup "$T/d2" && chmod 775 "$T/d2"
dir_case "pipe directory writable by a group other than root" \
	"$T/d2: is writable by a group other than root and not sticky" "$T/d2"
mkdir "$T/d3" && chown nobody "$T/d3" && chmod 755 "$T/d3"
dir_case "pipe directory owned by user nobody" "$T/d3: is not owned by root" "$T/d3"
mkdir -p "$T/d4/sub" && chmod 777 "$T/d4"
dir_case "a directory above the pipe's writable by others" "$T/d4: is writable by others and not sticky" "$T/d4/sub"
mkdir "$T/d5" && chmod 1777 "$T/d5"
domain guesta pipe:org.linux-kvm.port.1:$T/d5/a1 >"$T/x.xml"
check "a sticky directory writable by all (like /tmp) is accepted" hook guesta prepare begin <"$T/x.xml"
check "  user nobody cannot remove the hook's FIFO there" ! as_nobody sh -c "rm -f '$T/d5/a1.in' 2>/dev/null"
check "  nor rename another object over it" ! as_nobody sh -c "mkfifo '$T/d5/x' && mv -f '$T/d5/x' '$T/d5/a1.in' 2>/dev/null"
rm -f "$T/d5/x"
check "  release there works" hook guesta release end <"$T/x.xml"
check "  and leaves nothing" absent "$T/d5/a1.in"
check "the vault is exactly as it was after all of it" same vault
done_testing
