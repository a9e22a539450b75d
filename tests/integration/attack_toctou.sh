#!/bin/bash
# Attack: the race won every time. The fault-injection build runs an
# attacker's command at an exact step of the hook (VSERLINK_FAULT_RUN, see
# hook/fault.h): after the hook looked at the names and saved its intent,
# just before it acts on them. The hook must notice, or act on the object it
# checked through the directory it holds open, and never follow a symlink,
# nor remove or change a foreign object.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
FAULT_BIN=${VSERLINK_FAULT_BIN:-$VSERLINK_BUILD/fault/vserlink}
setup
P=$T/p
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
INTENT="state_save: after rename"

# race POINT CMD DOMAIN OP SUBOP < xml: the hook, with CMD run at POINT.
race() {
	local point=$1 cmd=$2
	shift 2
	VSERLINK_FAULT_RUN=$point VSERLINK_FAULT_CMD=$cmd VSERLINK_FAULT_TRACE=$T/trace \
		timeout -k 2 "$HOOK_TIMEOUT" "$FAULT_BIN" hook "$@" - >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc -le 1 ] || { echo "# exit $rc"; sed 's/^/#   /' "$T/err"; return 2; }
	return $rc
}
reset() {
	hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
	rm -rf "$P/d" "$P"/b1.* "$T/stash"/* && mkdir "$P/d"
}
snap vault "$T/vault" "$T/vault/secret" "$T/vault/theirs"

# 1. The peer's FIFO is replaced by a hard link to a secret before this end links it.
hook guestb prepare begin <"$T/b.xml"
race "$INTENT" "ln '$T/vault/secret' '$T/stash/x' && mv -f '$T/stash/x' '$P/b1.out'" \
	guesta prepare begin <"$T/a.xml"
check "peer's FIFO swapped for a secret just before the link: prepare fails" [ $? -eq 1 ]
check "  saying the object changed under it" err_has "changed while vserlink worked on it"
check "  the secret's content, owner and mode are unchanged" \
	[ "$(cat "$T/vault/secret")" = "root's secret" ] && [ "$(stat -c %u:%a "$T/vault/secret")" = 0:600 ]
check "  the hook made no name for the secret" [ "$(stat -c %h "$T/vault/secret")" -le 2 ]
check "  and release afterwards leaves the secret's names alone" \
	bash -c "$(declare -f hook); T=$T VSERLINK_BIN=$VSERLINK_BIN HOOK_TIMEOUT=$HOOK_TIMEOUT hook guesta release end <'$T/a.xml'; [ -f '$P/b1.out' ]"
reset
check "  after cleaning up, the vault is as it was" same vault

# 2. A symlink appears at the name just before mkfifo.
race "$INTENT" "ln -s '$T/vault/new' '$P/d/a1.in'" guesta prepare begin <"$T/a.xml"
check "symlink planted just before mkfifo: prepare fails" [ $? -eq 1 ]
check "  nothing was made at the symlink's target" same vault
check "  the symlink is left" [ -L "$P/d/a1.in" ]
rm -f "$P/d/a1.in"; reset

# 3. The pipe's directory is swapped for a symlink to the vault just before mkfifo.
race "$INTENT" "mv -T '$P/d' '$P/d.real' && ln -s '$T/vault' '$P/d'" guesta prepare begin <"$T/a.xml"
rc=$?
check "directory swapped for a symlink just before mkfifo: exits 0 or 1" [ $rc -le 1 ]
check "  nothing was made in the vault (the held directory was used)" same vault
check "  the FIFOs are in the directory that was checked" [ -p "$P/d.real/a1.in" ]
rm -f "$P/d"; mv -T "$P/d.real" "$P/d"; reset

# 4. Release: the end's FIFO is replaced by another user's FIFO after the
#    intent is saved, before the unlink.
hook guesta prepare begin <"$T/a.xml"
race "$INTENT" "ln -f '$T/vault/theirs' '$T/stash/t' && mv -f '$T/stash/t' '$P/d/a1.in'" \
	guesta release end <"$T/a.xml"
check "release with another user's FIFO swapped in before the unlink: exits 0 or 1" [ $? -le 1 ]
check "  that FIFO is left, owner and mode unchanged" \
	[ "$(stat -c %i:%u:%a "$P/d/a1.in")" = "$(stat -c %i "$T/vault/theirs"):65534:666" ]
rm -f "$P/d/a1.in"; reset

# 5. A name the hook keeps is swapped for a hard link to the secret before the
#    hook's second save: nothing is done to it (and the release leaves it).
hook guestb prepare begin <"$T/b.xml"
hook guesta prepare begin <"$T/a.xml"
race "$INTENT" "ln '$T/vault/secret' '$T/stash/s' && mv -f '$T/stash/s' '$P/d/a1.in'" \
	guesta prepare begin <"$T/a.xml"
check "a kept name swapped for a secret mid-run: prepare exits 0 or 1" [ $? -le 1 ]
check "  the secret's name is left, content unchanged" \
	[ "$(stat -c %i "$P/d/a1.in")" = "$(stat -c %i "$T/vault/secret")" ] && [ "$(cat "$T/vault/secret")" = "root's secret" ]
hook guesta release end <"$T/a.xml"
check "  release leaves it too" [ "$(stat -c %i "$P/d/a1.in")" = "$(stat -c %i "$T/vault/secret")" ]
rm -f "$P/d/a1.in"; reset
# 6. Release: the name is swapped for a hard link to the secret after the
#    hook checked it is its FIFO, just before the unlink.
hook guesta prepare begin <"$T/a.xml"
race "release: checked, before unlink" "ln '$T/vault/secret' '$T/stash/s' && mv -f '$T/stash/s' '$P/d/a1.in'" \
	guesta release end <"$T/a.xml"
check "FIFO swapped for a secret between release's check and unlink: exits 0 or 1" [ $? -le 1 ]
check "  the secret's name is not removed" [ "$(stat -c %i "$P/d/a1.in" 2>/dev/null)" = "$(stat -c %i "$T/vault/secret")" ]
check "  and it says so" err_has "changed while vserlink worked on it"
rm -f "$P/d/a1.in"; reset
# 7. The peer's FIFO is swapped for a hard link to the secret after fs_link
#    checked it, just before the link: the FIFO checked is what gets linked.
hook guestb prepare begin <"$T/b.xml"
fifo=$(stat -c %i "$P/b1.out")
# (The attacker keeps the FIFO alive under a name of its own: a FIFO with no
# name left cannot be linked again, and the hook would just refuse.)
race "fs_link: checked, before linkat" \
	"ln '$P/b1.out' '$T/stash/keep' && ln '$T/vault/secret' '$T/stash/x' && mv -f '$T/stash/x' '$P/b1.out'" \
	guesta prepare begin <"$T/a.xml"
check "peer's FIFO swapped for a secret between fs_link's check and the link: exits 0 or 1" [ $? -le 1 ]
check "  the FIFO that was checked is what got linked" [ "$(stat -c %i "$P/d/a1.in")" = "$fifo" ]
check "  the secret got no new name" [ "$(stat -c %h "$T/vault/secret")" = 2 ]
rm -f "$P/b1.out"; reset
# 8. A prepare dies after recording its intent, before mkfifo; user nobody
#    plants a FIFO at the pending name (the directory is sticky): it is not
#    taken for the hook's half-made FIFO, by prepare or by release.
chmod 1777 "$P/d"
(VSERLINK_FAULT_AT=2 timeout -k 2 "$HOOK_TIMEOUT" "$FAULT_BIN" hook guesta prepare begin - \
	<"$T/a.xml" >/dev/null 2>&1; :) 2>/dev/null
setpriv --reuid=nobody --regid=nogroup --clear-groups mkfifo -m 666 "$P/d/a1.in"
snap planted "$P/d/a1.in"
check "a FIFO of nobody at a name pending after a crash: prepare refuses it" \
	refused "$P/d/a1.in: is a FIFO that vserlink did not create" guesta prepare begin <"$T/a.xml"
hook guesta release end <"$T/a.xml"
check "  and release leaves it exactly as it was" same planted
rm -f "$P/d/a1.in"; chmod 755 "$P/d"; reset
check "after all races the vault is as it was" same vault
done_testing
