#!/bin/sh
# Installs or uninstalls vserlink; the Makefile's install and uninstall call it.
#
#   install.sh install BINARY     install.sh uninstall
#
# Paths come from the environment, each under $DESTDIR: SBINDIR, SYSCONFDIR,
# HOOKDIR (libvirt's hooks directory), MANDIR, TMPFILESDIR, PIPEDIR.
#
# It never replaces what is not vserlink's. libvirt runs one QEMU hook,
# HOOKDIR/qemu, and (since 6.5) every executable in HOOKDIR/qemu.d/: when
# HOOKDIR/qemu is another program's, vserlink goes into qemu.d/ beside it.
# A hook file is vserlink's when it is an ELF binary that carries the
# string below (every version does; see hook/main.c), or a symbolic link to
# the installed binary. A foreign hook is never run to ask what it is.
# The user's pairs.ini is never replaced; uninstall removes the config files
# only when they are unmodified copies of the example.
set -eu
umask 022

IDENT='@(#)vserlink libvirt QEMU hook'
: "${DESTDIR:=}" "${SBINDIR:=/usr/local/sbin}" "${SYSCONFDIR:=/etc}"
: "${HOOKDIR:=$SYSCONFDIR/libvirt/hooks}" "${MANDIR:=/usr/local/share/man}"
: "${TMPFILESDIR:=/usr/local/lib/tmpfiles.d}" "${PIPEDIR:=/run/vserlink-pipes}"

here=$(cd "$(dirname "$0")" && pwd)
bin=$DESTDIR$SBINDIR/vserlink
hook=$DESTDIR$HOOKDIR/qemu
hookd=$DESTDIR$HOOKDIR/qemu.d/vserlink
confdir=$DESTDIR$SYSCONFDIR/vserlink
example=$here/pairs.ini.example
tmpfiles=$DESTDIR$TMPFILESDIR/vserlink.conf

say() { printf '%s\n' "$*"; }
die() { printf 'vserlink install: %s\n' "$*" >&2; exit 1; }

# is_ours FILE: FILE is a vserlink binary, or a symlink to the installed one.
is_ours() {
	if [ -L "$1" ]; then
		target=$(readlink "$1")
		[ "$target" = "$SBINDIR/vserlink" ] || [ "$target" = "$bin" ]
		return
	fi
	[ -f "$1" ] || return 1
	[ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" = 7f454c46 ] || return 1
	grep -qaF "$IDENT" "$1"
}

# put SRC DEST MODE [TMPDIR]: installs a copy through a temporary name in
# TMPDIR (default: DEST's directory) and a rename, so that libvirt never runs
# a half-written hook (nor fails with "text busy"). For qemu.d/ the temporary
# name is outside it: libvirt would run it as a hook of its own.
put() {
	tmp=${4:-$(dirname "$2")}/.$(basename "$2").new.$$
	rm -f "$tmp"
	cp "$1" "$tmp"
	chmod "$3" "$tmp"
	mv -f "$tmp" "$2"
}

# mkdirs DIR...: creates missing directories 0755; the hook refuses
# directories others may write, so existing ones are left as they are.
mkdirs() {
	for d; do
		[ -d "$d" ] || mkdir -p -m 0755 "$d"
	done
}

install_hook() {
	new=$1
	mkdirs "$DESTDIR$HOOKDIR"
	if [ -e "$hookd" ] || [ -L "$hookd" ]; then
		is_ours "$hookd" || die "$hookd exists and is not vserlink; move it away first"
		put "$new" "$hookd" 0755 "$DESTDIR$HOOKDIR"
		say "updated the hook $hookd"
		if [ -e "$hook" ] && is_ours "$hook" && [ ! -L "$hook" ]; then
			say "note: $hook is vserlink too; remove one of them, or every event runs it twice"
		fi
		return
	fi
	if [ ! -e "$hook" ] && [ ! -L "$hook" ]; then
		put "$new" "$hook" 0755
		say "installed the hook $hook"
		restart=1
	elif [ -L "$hook" ] && is_ours "$hook"; then
		say "the hook $hook is a symbolic link to $(readlink "$hook"); left as it is"
	elif is_ours "$hook"; then
		put "$new" "$hook" 0755
		say "updated the hook $hook"
	else
		mkdirs "$DESTDIR$HOOKDIR/qemu.d"
		put "$new" "$hookd" 0755 "$DESTDIR$HOOKDIR"
		say "$hook is another program's hook and was left as it is;"
		say "installed vserlink's hook as $hookd (libvirt 6.5 and later run every hook in qemu.d)"
		restart=1
	fi
}

install_config() {
	mkdirs "$confdir"
	if [ ! -e "$confdir/pairs.ini" ] && [ ! -L "$confdir/pairs.ini" ]; then
		put "$example" "$confdir/pairs.ini" 0644
		say "installed an example $confdir/pairs.ini (it links nothing until edited)"
	elif cmp -s "$example" "$confdir/pairs.ini"; then
		say "$confdir/pairs.ini is the unmodified example; left as it is"
	else
		put "$example" "$confdir/pairs.ini.example" 0644
		say "$confdir/pairs.ini exists and was left as it is; the example is $confdir/pairs.ini.example"
	fi
}

do_install() {
	[ $# -eq 1 ] && [ -f "$1" ] || die "usage: install.sh install BINARY"
	# SYSCONFDIR is compiled in: a binary built for another one would read
	# a pairs.ini this installation does not put there.
	"$1" --help | grep -qF "$SYSCONFDIR/vserlink/pairs.ini" ||
		die "$1 was built for another SYSCONFDIR than $SYSCONFDIR; run make clean, then make install with the SYSCONFDIR you want"
	restart=0
	newpipes=0
	[ -d "$DESTDIR$PIPEDIR" ] || newpipes=1
	mkdirs "$DESTDIR$SBINDIR" "$DESTDIR$MANDIR/man8" "$DESTDIR$MANDIR/man5" \
		"$DESTDIR$TMPFILESDIR" "$DESTDIR$PIPEDIR"
	put "$1" "$bin" 0755
	say "installed $bin"
	install_hook "$1"
	install_config
	put "$here/vserlink.8" "$DESTDIR$MANDIR/man8/vserlink.8" 0644
	put "$here/vserlink-pairs.ini.5" "$DESTDIR$MANDIR/man5/vserlink-pairs.ini.5" 0644
	say "installed the manual pages vserlink(8) and vserlink-pairs.ini(5) in $DESTDIR$MANDIR"
	# The pipes' directory is on /run: recreated at each boot, and made now.
	printf 'd %s 0755 root root -\n' "$PIPEDIR" >"$tmpfiles.new.$$"
	chmod 0644 "$tmpfiles.new.$$"
	mv -f "$tmpfiles.new.$$" "$tmpfiles"
	if [ "$newpipes" = 1 ]; then
		say "created $DESTDIR$PIPEDIR for the pipes (and $tmpfiles, which recreates it at boot)"
	else
		say "the pipes' directory $DESTDIR$PIPEDIR is recreated at boot by $tmpfiles"
	fi
	if [ -n "$(find "$DESTDIR$PIPEDIR" -maxdepth 0 \( -perm -0002 -o ! -user 0 \) ! -perm -1000)" ]; then
		say "warning: $DESTDIR$PIPEDIR is not root's or is writable by others; the hook refuses such a directory"
	fi
	if [ "$restart" = 1 ]; then
		say "libvirt looks for hooks when it starts: restart it, or send it SIGHUP:"
		say "    systemctl restart libvirtd    (or virtqemud, with libvirt's modular daemons)"
	fi
}

# remove_if_ours FILE WHAT
remove_if_ours() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		if is_ours "$1"; then
			rm -f "$1"
			say "removed $2 $1"
		else
			say "$1 is not vserlink's; left as it is"
		fi
	fi
}

# remove_if_example FILE: the example unmodified, or else the user's.
remove_if_example() {
	[ -e "$1" ] && [ ! -L "$1" ] || return 0
	if cmp -s "$example" "$1"; then
		rm -f "$1"
		say "removed $1"
	else
		say "$1 was modified; left as it is"
	fi
}

do_uninstall() {
	remove_if_ours "$hook" "the hook"
	remove_if_ours "$hookd" "the hook"
	rmdir "$DESTDIR$HOOKDIR/qemu.d" 2>/dev/null || true
	if [ -e "$bin" ]; then
		rm -f "$bin"
		say "removed $bin"
	fi
	remove_if_example "$confdir/pairs.ini"
	remove_if_example "$confdir/pairs.ini.example"
	rmdir "$confdir" 2>/dev/null || true
	for f in "$DESTDIR$MANDIR/man8/vserlink.8" "$DESTDIR$MANDIR/man5/vserlink-pairs.ini.5" "$tmpfiles"; do
		if [ -e "$f" ]; then
			rm -f "$f"
			say "removed $f"
		fi
	done
	# Empty unless a guest is linked right now; then it is still in use.
	if rmdir "$DESTDIR$PIPEDIR" 2>/dev/null; then
		say "removed $DESTDIR$PIPEDIR"
	elif [ -d "$DESTDIR$PIPEDIR" ]; then
		say "$DESTDIR$PIPEDIR is not empty (a linked guest runs?); left as it is"
	fi
}

case ${1:-} in
install) shift; do_install "$@" ;;
uninstall) shift; do_uninstall ;;
*) die "usage: install.sh install BINARY | uninstall" ;;
esac
