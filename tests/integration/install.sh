#!/bin/bash
# make install and make uninstall, each case into a DESTDIR: a fresh host, an
# upgrade, a foreign hook (script, binary or symlink) left untouched with
# vserlink beside it in qemu.d/, a user's pairs.ini left untouched, and an
# uninstall that removes only what is vserlink's.
. "$(dirname "$0")/../lib.sh"
setup
INSTALL=$VSERLINK_TOP/install/install.sh
EXAMPLE=$VSERLINK_TOP/install/pairs.ini.example
BIN=$VSERLINK_BIN

# inst ROOT install|uninstall [BINARY]: as the Makefile runs it, with its defaults.
inst() {
	local root=$1
	shift
	DESTDIR=$root SBINDIR=/usr/local/sbin SYSCONFDIR=${SYSCONFDIR:-/etc} HOOKDIR=/etc/libvirt/hooks \
		MANDIR=/usr/local/share/man TMPFILESDIR=/usr/local/lib/tmpfiles.d \
		PIPEDIR=/run/vserlink-pipes sh "$INSTALL" "$@" >"$T/out" 2>"$T/err"
}
said() { grep -qF -- "$1" "$T/out" || { echo "# it said:"; sed 's/^/#   /' "$T/out" "$T/err"; return 1; }; }
not_said() { ! grep -qF -- "$1" "$T/out"; }
mode_is() { [ "$(stat -c %a "$2")" = "$1" ] || { echo "# $2 is $(stat -c %a "$2")"; return 1; }; }
no_temp_files() { [ -z "$(find "$1" -name '.*.new.*')" ]; }

# --- a fresh host ---
R=$T/fresh
check "install on a fresh host exits 0" inst "$R" install "$BIN"
check "the binary is on PATH, 0755" mode_is 755 "$R/usr/local/sbin/vserlink"
check "  and is the built one" cmp -s "$BIN" "$R/usr/local/sbin/vserlink"
check "the hook is /etc/libvirt/hooks/qemu, 0755" mode_is 755 "$R/etc/libvirt/hooks/qemu"
check "  a copy of the binary" cmp -s "$BIN" "$R/etc/libvirt/hooks/qemu"
check "  and nothing goes to qemu.d" absent "$R/etc/libvirt/hooks/qemu.d"
check "the example pairs.ini is installed as pairs.ini, 0644" mode_is 644 "$R/etc/vserlink/pairs.ini"
check "  unchanged" cmp -s "$EXAMPLE" "$R/etc/vserlink/pairs.ini"
check "vserlink(8) is installed" [ -f "$R/usr/local/share/man/man8/vserlink.8" ]
check "vserlink-pairs.ini(5) is installed" [ -f "$R/usr/local/share/man/man5/vserlink-pairs.ini.5" ]
check "the pipes' directory is made, 0755" mode_is 755 "$R/run/vserlink-pipes"
check "  and a tmpfiles.d entry makes it at boot" \
	[ "$(cat "$R/usr/local/lib/tmpfiles.d/vserlink.conf")" = "d /run/vserlink-pipes 0755 root root -" ]
check "it says where the hook went" said "installed the hook $R/etc/libvirt/hooks/qemu"
check "  and that libvirt must be restarted or sent SIGHUP" said "libvirt looks for hooks when it starts: restart it, or send it SIGHUP"
check "  naming both daemons" said "systemctl restart libvirtd    (or virtqemud"
check "no temporary file is left" no_temp_files "$R"
check "the installed hook is the hook (argv[0] is qemu)" \
	bash -c "VSERLINK_CONFIG='$T/none.ini' '$R/etc/libvirt/hooks/qemu' g1 start begin - </dev/null >'$T/hout' 2>&1"
check "  and writes nothing" [ ! -s "$T/hout" ]
check "the installed binary answers --version" \
	[ "$("$R/usr/local/sbin/vserlink" --version)" = "$("$BIN" --version)" ]

# --- an upgrade over it ---
echo "; my links" >>"$R/etc/vserlink/pairs.ini"
cp "$R/etc/vserlink/pairs.ini" "$T/user.ini"
check "install over an install exits 0" inst "$R" install "$BIN"
check "  updates the hook in place" said "updated the hook $R/etc/libvirt/hooks/qemu"
check "  does not ask for a restart" not_said "restart"
check "  still puts nothing in qemu.d" absent "$R/etc/libvirt/hooks/qemu.d"
check "  leaves the user's pairs.ini as it was" cmp -s "$T/user.ini" "$R/etc/vserlink/pairs.ini"
check "  installs the example beside it" cmp -s "$EXAMPLE" "$R/etc/vserlink/pairs.ini.example"
check "  and says so" said "$R/etc/vserlink/pairs.ini exists and was left as it is; the example is $R/etc/vserlink/pairs.ini.example"
# An older vserlink: another binary with the same ident string.
{ cat "$BIN"; echo "an older build"; } >"$R/etc/libvirt/hooks/qemu"
check "install over an older vserlink hook exits 0" inst "$R" install "$BIN"
check "  replaces it with this one" cmp -s "$BIN" "$R/etc/libvirt/hooks/qemu"
check "  in place" absent "$R/etc/libvirt/hooks/qemu.d"

# --- foreign hooks are never replaced ---
foreign() {
	local name=$1 what=$2 before mtime
	R=$T/$name
	mkdir -p "$R/etc/libvirt/hooks"
	"$what" "$R/etc/libvirt/hooks/qemu"
	if [ -L "$R/etc/libvirt/hooks/qemu" ]; then
		before=$(readlink "$R/etc/libvirt/hooks/qemu")
	else
		before=$(md5sum <"$R/etc/libvirt/hooks/qemu")
	fi
	mtime=$(stat -c %Y "$R/etc/libvirt/hooks/qemu")
	check "$name: install exits 0" inst "$R" install "$BIN"
	if [ -L "$R/etc/libvirt/hooks/qemu" ]; then
		check "$name: the foreign hook is untouched" [ "$(readlink "$R/etc/libvirt/hooks/qemu")" = "$before" ]
	else
		check "$name: the foreign hook is untouched" [ "$(md5sum <"$R/etc/libvirt/hooks/qemu")" = "$before" ]
	fi
	check "$name:   not even its time" [ "$(stat -c %Y "$R/etc/libvirt/hooks/qemu")" = "$mtime" ]
	check "$name: vserlink's hook goes to qemu.d/vserlink" cmp -s "$BIN" "$R/etc/libvirt/hooks/qemu.d/vserlink"
	check "$name:   0755" mode_is 755 "$R/etc/libvirt/hooks/qemu.d/vserlink"
	check "$name: it says so" said "$R/etc/libvirt/hooks/qemu is another program's hook and was left as it is;"
	check "$name:   and where vserlink went" said "installed vserlink's hook as $R/etc/libvirt/hooks/qemu.d/vserlink (libvirt 6.5 and later run every hook in qemu.d)"
	check "$name:   and asks for a restart" said "restart it, or send it SIGHUP"
}
script_hook() { printf '#!/bin/sh\n# my own hook; it mentions vserlink, and is still mine\nexit 0\n' >"$1"; chmod 755 "$1"; }
binary_hook() { cp /bin/true "$1"; }
other_link() { ln -s /usr/local/bin/myhook "$1"; }
foreign script-hook script_hook
check "script-hook: qemu.d holds vserlink alone: no temporary name libvirt would run" \
	[ "$(ls -A "$R/etc/libvirt/hooks/qemu.d")" = vserlink ]
check "script-hook: no temporary file is left" no_temp_files "$R"
cp "$R/etc/libvirt/hooks/qemu" "$T/foreign.saved"
check "script-hook: install again exits 0" inst "$R" install "$BIN"
check "script-hook:   updates qemu.d/vserlink" said "updated the hook $R/etc/libvirt/hooks/qemu.d/vserlink"
check "script-hook:   leaves the foreign hook as it was" cmp -s "$T/foreign.saved" "$R/etc/libvirt/hooks/qemu"
check "script-hook:   asks for no restart" not_said "restart"
rm "$R/etc/libvirt/hooks/qemu"
check "script-hook: once the foreign hook is gone, install keeps to qemu.d" inst "$R" install "$BIN"
check "script-hook:   and makes no second hook that would run twice" absent "$R/etc/libvirt/hooks/qemu"
foreign binary-hook binary_hook
foreign other-symlink other_link

R=$T/our-symlink
mkdir -p "$R/etc/libvirt/hooks"
ln -s /usr/local/sbin/vserlink "$R/etc/libvirt/hooks/qemu"
check "our-symlink: install exits 0" inst "$R" install "$BIN"
check "our-symlink: a symlink to the installed binary is vserlink's, left as it is" \
	[ "$(readlink "$R/etc/libvirt/hooks/qemu")" = /usr/local/sbin/vserlink ]
check "our-symlink: and says so" said "the hook $R/etc/libvirt/hooks/qemu is a symbolic link to /usr/local/sbin/vserlink; left as it is"
check "our-symlink: nothing goes to qemu.d" absent "$R/etc/libvirt/hooks/qemu.d"

R=$T/taken
mkdir -p "$R/etc/libvirt/hooks/qemu.d"
script_hook "$R/etc/libvirt/hooks/qemu"
script_hook "$R/etc/libvirt/hooks/qemu.d/vserlink"
cp "$R/etc/libvirt/hooks/qemu.d/vserlink" "$T/taken.saved"
check "install fails when qemu.d/vserlink is someone else's" ! inst "$R" install "$BIN"
check "  saying so" grep -qxF "vserlink install: $R/etc/libvirt/hooks/qemu.d/vserlink exists and is not vserlink; move it away first" "$T/err"
check "  and leaves it as it was" cmp -s "$T/taken.saved" "$R/etc/libvirt/hooks/qemu.d/vserlink"

R=$T/elsewhere
inst_elsewhere() { SYSCONFDIR=/opt/etc inst "$@"; }
check "install refuses a binary built for another SYSCONFDIR" ! inst_elsewhere "$R" install "$BIN"
check "  saying what to do" grep -qxF "vserlink install: $BIN was built for another SYSCONFDIR than /opt/etc; run make clean, then make install with the SYSCONFDIR you want" "$T/err"
check "  and installs nothing" absent "$R"

R=$T/twice
inst "$R" install "$BIN"
mkdir -p "$R/etc/libvirt/hooks/qemu.d"
cp "$BIN" "$R/etc/libvirt/hooks/qemu.d/vserlink"
check "install where both hook places hold vserlink exits 0" inst "$R" install "$BIN"
check "  and says every event would run it twice" \
	said "note: $R/etc/libvirt/hooks/qemu is vserlink too; remove one of them, or every event runs it twice"
R=$T/open-pipes
mkdir -p "$R/run/vserlink-pipes"; chmod 777 "$R/run/vserlink-pipes"
check "install beside a pipes' directory others can write exits 0" inst "$R" install "$BIN"
check "  and warns that the hook refuses it" \
	said "warning: $R/run/vserlink-pipes is not root's or is writable by others; the hook refuses such a directory"
check "  and leaves its mode to the administrator" mode_is 777 "$R/run/vserlink-pipes"
check "install.sh without a binary fails" ! inst "$T/none" install
check "  with its usage" grep -qxF "vserlink install: usage: install.sh install BINARY" "$T/err"
check "install.sh without a command fails" ! inst "$T/none"
check "  with its usage" grep -qxF "vserlink install: usage: install.sh install BINARY | uninstall" "$T/err"

# --- uninstall ---
R=$T/fresh
check "uninstall exits 0" inst "$R" uninstall
check "  removes the binary" absent "$R/usr/local/sbin/vserlink"
check "  removes the hook" absent "$R/etc/libvirt/hooks/qemu"
check "  removes the manual pages" absent "$R/usr/local/share/man/man8/vserlink.8"
check "  and vserlink-pairs.ini(5)" absent "$R/usr/local/share/man/man5/vserlink-pairs.ini.5"
check "  removes the tmpfiles.d entry" absent "$R/usr/local/lib/tmpfiles.d/vserlink.conf"
check "  removes the empty pipes' directory" absent "$R/run/vserlink-pipes"
check "  removes the unmodified example" absent "$R/etc/vserlink/pairs.ini.example"
check "  leaves the user's pairs.ini" cmp -s "$T/user.ini" "$R/etc/vserlink/pairs.ini"
check "  and says so" said "$R/etc/vserlink/pairs.ini was modified; left as it is"
check "uninstall again exits 0" inst "$R" uninstall
R=$T/script-hook
inst "$R" install "$BIN"
script_hook "$R/etc/libvirt/hooks/qemu"
cp "$R/etc/libvirt/hooks/qemu" "$T/foreign.saved"
script_hook "$R/etc/libvirt/hooks/qemu.d/10-other"
mkfifo "$R/run/vserlink-pipes/link.guest.in"
check "uninstall beside a foreign hook exits 0" inst "$R" uninstall
check "  removes qemu.d/vserlink" absent "$R/etc/libvirt/hooks/qemu.d/vserlink"
check "  leaves the foreign hook" cmp -s "$T/foreign.saved" "$R/etc/libvirt/hooks/qemu"
check "  and says it is not vserlink's" said "$R/etc/libvirt/hooks/qemu is not vserlink's; left as it is"
check "  leaves the other hooks in qemu.d" [ -x "$R/etc/libvirt/hooks/qemu.d/10-other" ]
check "  removes the unmodified example pairs.ini" absent "$R/etc/vserlink/pairs.ini"
check "  leaves a pipes' directory in use" [ -p "$R/run/vserlink-pipes/link.guest.in" ]
check "  and says so" said "$R/run/vserlink-pipes is not empty (a linked guest runs?); left as it is"
R=$T/our-symlink
check "uninstall removes a symlink hook to the binary" inst "$R" uninstall
check "  the symlink" absent "$R/etc/libvirt/hooks/qemu"
R=$T/other-symlink
check "uninstall leaves a foreign symlink hook" inst "$R" uninstall
check "  pointing where it did" [ "$(readlink "$R/etc/libvirt/hooks/qemu")" = /usr/local/bin/myhook ]

# --- the Makefile passes PREFIX, SYSCONFDIR and DESTDIR to every path ---
mk() { make -s -n -C "$VSERLINK_TOP" "$@" 2>/dev/null | grep 'install/install.sh'; }
line=$(mk install PREFIX=/opt/vs SYSCONFDIR=/opt/vs/etc DESTDIR=/stage)
for want in "DESTDIR='/stage'" "SBINDIR='/opt/vs/sbin'" "SYSCONFDIR='/opt/vs/etc'" \
	"HOOKDIR='/opt/vs/etc/libvirt/hooks'" "MANDIR='/opt/vs/share/man'" \
	"TMPFILESDIR='/opt/vs/lib/tmpfiles.d'" "PIPEDIR='/run/vserlink-pipes'"; do
	check "make install passes $want" grep -qF -- "$want" <<<"$line"
done
check "make uninstall passes the same paths" \
	grep -qF "SBINDIR='/opt/vs/sbin'" <<<"$(mk uninstall PREFIX=/opt/vs DESTDIR=/stage)"
# A real make install of the binary under test: BIN names it and -o keeps
# make from rebuilding it (this test builds nothing).
rel=${BIN#"$VSERLINK_TOP"/}
mkvars="-o '$rel' BIN='$rel' DESTDIR='$T/mk' PREFIX=/opt/vs"
check "make install DESTDIR=... PREFIX=... installs there" \
	bash -c "make -s -C '$VSERLINK_TOP' install $mkvars >'$T/out' 2>&1"
check "  the binary in PREFIX/sbin" cmp -s "$BIN" "$T/mk/opt/vs/sbin/vserlink"
check "  the hook in /etc/libvirt/hooks" cmp -s "$BIN" "$T/mk/etc/libvirt/hooks/qemu"
check "  the manual in PREFIX/share/man" [ -f "$T/mk/opt/vs/share/man/man8/vserlink.8" ]
check "make uninstall with the same paths removes it all" \
	bash -c "make -s -C '$VSERLINK_TOP' uninstall $mkvars >'$T/out' 2>&1"
check "  leaving no file" [ -z "$(find "$T/mk" -type f)" ]
done_testing
