#!/bin/bash
# The Debian package on a real libvirt daemon and real QEMU guests (TCG), as an admin uses it.
#
#   tests/package/run.sh
#
# As root: builds the package with make deb and checks it with lintian, builds a second one with a
# higher version from a copy of the tree, and, on a host whose /etc/libvirt/hooks/qemu is another
# program's hook, installs the first with apt-get while a libvirt daemon of its own runs, links two
# guests through the packaged hook, upgrades to the second while they run, removes and purges, and
# checks what each step leaves. The daemon starts with no QEMU hook at all, so that the guests are
# linked only if the package's reload made it look for hooks again; a daemon hook of the test's
# notes each reload. The end-to-end test's machinery (tests/e2e) runs the daemon and the guests.
# Whatever was in /etc before is put back at the end, and the package is purged if a step failed
# before. Prints TAP and "N passed, N failed"; exits 1 on any failure.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
e2e=$top/tests/e2e
. "$e2e/lib.sh"
. "$e2e/tap.sh"
. "$e2e/pair.sh"
. "$e2e/checks.sh"
. "$e2e/links.sh"
at_exit tap_died
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, libvirt's system daemon, /etc/libvirt/hooks)"
e2e_lock

hooks=/etc/libvirt/hooks
foreign=$hooks/qemu
conf=/etc/vserlink/pairs.ini
t_start=$SECONDS
"$top/install/deps.sh"

version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
arch=$(dpkg --print-architecture)
# The upgrade: the same tree, a higher version.
version2=$version+pkgtest

work=$(mktemp -d /tmp/vserlink-package.XXXXXX)
# QEMU may run as libvirt-qemu, and apt's sandbox user reads the packages: both must reach in here.
chmod 0755 "$work"
at_exit finish_work_dir
finish_work_dir() {
	if [ "$tap_fail" = 0 ] && [ "$tap_done" = 1 ]; then rm -rf "$work"; else say "kept $work for inspection"; fi
}
state=$work/state

# build_deb DIR LOG: make deb in DIR, its output in LOG (the end of it on stderr if it fails).
build_deb() {
	make -C "$1" deb >"$2" 2>&1 && return 0
	tail -n 30 "$2" >&2
	return 1
}

# lintian_clean CHANGES: lintian reports no error and no warning (its default level) on the
# package and its source.
lintian_clean() {
	local out status=0
	out=$(lintian --fail-on error,warning "$1" 2>/dev/null) || status=$?
	[ -z "$out" ] || printf '%s\n' "$out" >&2
	[ "$status" = 0 ] && ! grep -q '^[EW]: ' <<<"$out"
}

# holds DEB LINE...: dpkg-deb -c of DEB has, for each LINE "TYPE PATH", an entry of that type
# (the first letter of tar's mode: - d l) at that path.
holds() {
	local deb=$1 list line bad=0
	list=$(dpkg-deb -c "$deb" | awk '{ t = substr($1, 1, 1); p = $6; for (i = 7; i <= NF; i++) p = p " " $i; print t, p }')
	shift
	for line; do
		grep -qxF -- "$line" <<<"$list" || { say "no \"$line\" in $deb"; bad=1; }
	done
	return "$bad"
}

# owns_no DEB PATH: DEB has nothing at PATH.
owns_no() {
	! dpkg-deb -c "$1" | awk '{ print $6 }' | grep -qxF "./${2#/}"
}

# apt_get ARGS...: apt-get as an admin runs it, its output in the work directory (on stderr if it
# fails). Waits for the dpkg lock rather than failing when something else holds it.
apt_get() {
	local log=$work/apt.log
	(cd "$work" && DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "$@") >"$log" 2>&1 && return 0
	cat "$log" >&2
	return 1
}

installed() { dpkg-query -W -f='${Status}' vserlink 2>/dev/null | grep -q 'install ok installed'; }
known_to_dpkg() { dpkg-query -W -f='${Status}' vserlink 2>/dev/null | grep -qv 'not-installed'; }
purge_if_there() { ! known_to_dpkg || apt_get purge vserlink; }

# same_hook: the other program's hook is the one put there, byte for byte.
same_hook() {
	[ -f "$foreign" ] && [ "$(sha256sum <"$foreign")" = "$foreign_sum" ] ||
		{ say "$foreign changed:"; ls -l "$foreign" >&2; return 1; }
}

# reloads N: the daemon hook saw N reloads (within 10 s: libvirt runs it in a thread of its own).
reloads() { wait_until 10 reloads_now "$1" || { say "reloads seen: $(grep -c '^- reload begin$' "$daemon_log")"; return 1; }; }
reloads_now() { [ "$(grep -c '^- reload begin$' "$daemon_log")" = "$1" ]; }

# qemu_pids: the PIDs of both guests' QEMU, one a line (libvirt's PID files end without a newline).
qemu_pids() {
	local g pid
	for g in "$ga" "$gb"; do
		pid=$(cat "/run/libvirt/qemu/$g.pid") || return 1
		echo "$pid"
	done
}
# same_guests PIDS: both guests run, in the QEMU processes they had before.
same_guests() {
	local now
	now=$(qemu_pids) || return 1
	[ "$now" = "$1" ] || { say "QEMU PIDs were ${1//$'\n'/ }, are ${now//$'\n'/ }"; return 1; }
	# shellcheck disable=SC2086 # one PID per word
	kill -0 $now
}

links_nothing() {
	local out
	out=$(vserlink check 2>&1) || { say "$out"; return 1; }
	grep -qF "$conf: 0 links, no errors" <<<"$out" || { say "$out"; return 1; }
}

hook_is_the_package() {
	[ "$(readlink "$hooks/qemu.d/vserlink")" = /usr/sbin/vserlink ] && [ -x /usr/sbin/vserlink ] &&
		dpkg -S "$hooks/qemu.d/vserlink" >/dev/null
}

version_is() { [ "$(/usr/sbin/vserlink --version)" = "vserlink $1" ]; }

# --- The packages ---
deb1=$top/vserlink_${version}_$arch.deb
rm -f "$deb1"
check "make deb builds vserlink_${version}_$arch.deb" build_deb "$top" "$work/deb1.log"
passed && [ -f "$deb1" ] || { say "no package: nothing else can run"; tap_end; exit 1; }
check "lintian finds no error or warning in the package or its source" \
	lintian_clean "$top/build/deb/vserlink_${version}_$arch.changes"
check "the package holds the hook in qemu.d/ (a link to /usr/sbin/vserlink), both manual pages and the tmpfiles.d entry" \
	holds "$deb1" "l ./etc/libvirt/hooks/qemu.d/vserlink -> /usr/sbin/vserlink" "- ./usr/sbin/vserlink" \
	"- ./usr/share/man/man8/vserlink.8.gz" "- ./usr/share/man/man5/vserlink-pairs.ini.5.gz" \
	"- ./usr/lib/tmpfiles.d/vserlink.conf" "- ./etc/vserlink/pairs.ini"
check "the package has nothing at /etc/libvirt/hooks/qemu" owns_no "$deb1" "$foreign"
check "its one conffile is /etc/vserlink/pairs.ini" \
	test "$(dpkg-deb --ctrl-tarfile "$deb1" | tar -xO ./conffiles)" = "$conf"

mkdir -p "$work/up"
# The tree as make deb copies it (its DEB_EXCLUDE), without the builds in it.
tar -C "$top" -c --exclude-vcs --exclude=./build --exclude='./*.deb' . | tar -x -C "$work/up"
sed -i "s/^VERSION *:= .*/VERSION    := $version2/" "$work/up/Makefile"
{
	printf 'vserlink (%s) unstable; urgency=medium\n\n  * The upgrade of the package test.\n\n' "$version2"
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$top/debian/changelog" -S Maintainer)" "$(date -R)"
	cat "$top/debian/changelog"
} >"$work/up/debian/changelog.new"
mv "$work/up/debian/changelog.new" "$work/up/debian/changelog"
deb2=$work/up/vserlink_${version2}_$arch.deb
check "a copy of the tree at version $version2 builds vserlink_${version2}_$arch.deb" \
	build_deb "$work/up" "$work/deb2.log"
passed && [ -f "$deb2" ] || { say "no upgrade package: nothing else can run"; tap_end; exit 1; }

# --- The host: another program's hooks, no vserlink ---
check "no vserlink package is installed, and nothing is at /usr/sbin/vserlink" \
	eval '! known_to_dpkg && absent /usr/sbin/vserlink'
passed || { say "this host has vserlink already: the test would not prove a fresh install"; tap_end; exit 1; }
guests_initramfs "$work/initrd.gz"
[ -d /etc/vserlink ] && etc_vserlink_before=1 || etc_vserlink_before=0
hostconf_save "$foreign"
hostconf_save "$hooks/daemon"
hostconf_save "$hooks/qemu.d/vserlink"
hostconf_save "$conf"
rm -f "$foreign" "$hooks/daemon" "$hooks/qemu.d/vserlink"
qemu_d_before=$(ls -A "$hooks/qemu.d")
[ -d /run/vserlink-pipes ] || at_exit hostconf_rmdir /run/vserlink-pipes
# Runs before the files above are put back.
at_exit purge_if_there

daemon_log=$work/daemon-hook.log
foreign_hook "$hooks/daemon" "$daemon_log"
pair_setup "$work/guests"
daemon_qemu_conf root
at_exit daemon_stop
at_exit stop_guests a b
check "libvirtd starts with a daemon hook and no QEMU hook" daemon_start "$mode_dir"
passed || { say "nothing else can run without a daemon"; tap_end; exit 1; }
stop_guests a b
# Another program's QEMU hook, put in place while the daemon runs.
foreign_hook "$foreign" "$work/foreign.log"
foreign_sum=$(sha256sum <"$foreign")

# --- Install ---
check "apt-get install ./vserlink_${version}_$arch.deb exits 0 while libvirtd runs" apt_get install "$deb1"
check "... puts the hook in qemu.d/, where dpkg knows it as the package's" hook_is_the_package
check "... and /usr/sbin/vserlink, version $version" version_is "$version"
check "... leaves the other program's hook at $foreign untouched" same_hook
check "... installs $conf, which links nothing (vserlink check)" links_nothing
check "... and /run/vserlink-pipes is there (the tmpfiles.d entry)" test -d /run/vserlink-pipes
check "... and reloads the running libvirtd (its daemon hook saw one reload)" reloads 1

# The admin links the guests.
pairs_ini >"$work/pairs.ini"
install -m 0644 "$work/pairs.ini" "$conf"
check "A and B start, each with four virtio channels and a serial port linked" start_guests a b
passed || { say "the rest needs both guests"; tap_end; exit 1; }
check "libvirt ran the other program's QEMU hook" grep -qx "$ga prepare begin" "$work/foreign.log"
check "the packaged hook made every link's FIFOs, A's P.out is B's Q.in and A's P.in is B's Q.out" wiring_ok
round=0
check "bytes cross all five links in both directions" exchange $((round += 1))
check "no byte arrived on a port that its sender is not linked to" routing_ok

# --- Upgrade while the guests run ---
pids=$(qemu_pids)
check "apt-get install ./vserlink_${version2}_$arch.deb upgrades while A and B run" apt_get install "$deb2"
check "... to /usr/sbin/vserlink version $version2" version_is "$version2"
check "... keeps the admin's pairs.ini" cmp -s "$work/pairs.ini" "$conf"
check "... leaves the other program's hook untouched" same_hook
check "... reloads libvirtd again (a second reload)" reloads 2
check "... and A and B go on running in the same QEMU processes" same_guests "$pids"
check "after the upgrade and the reload, bytes cross all five links in both directions" exchange $((round += 1))
check "B powers itself off, and the upgraded hook removes its FIFO names" eval 'power_off b && b_gone_a_kept'
check "B starts again through the upgraded hook, and bytes cross all five links both ways" \
	eval 'start_guests b && exchange $((round += 1))'
check "no byte arrived on a port that its sender is not linked to" routing_ok

# --- Remove and purge while the guests run ---
pids=$(qemu_pids)
check "apt-get remove vserlink exits 0 while A and B run" apt_get remove vserlink
check "... takes the hook away from qemu.d/" absent "$hooks/qemu.d/vserlink"
check "... and /usr/sbin/vserlink" absent /usr/sbin/vserlink
check "... keeps the admin's pairs.ini" cmp -s "$work/pairs.ini" "$conf"
check "... leaves the other program's hook untouched" same_hook
check "... leaves A and B running in the same QEMU processes, their FIFOs wired" \
	eval 'same_guests "$pids" && wiring_ok'
check "... and bytes still cross all five links in both directions" exchange $((round += 1))
check "apt-get purge vserlink exits 0" apt_get purge vserlink
check "... removes pairs.ini" absent "$conf"
[ "$etc_vserlink_before" = 1 ] || check "... and /etc/vserlink" absent /etc/vserlink
check "... and dpkg knows no vserlink any more" eval '! known_to_dpkg'
check "... leaves the running guests' FIFOs wired" wiring_ok
stop_guests a b
daemon_stop

# --- What is left ---
check "the other program's hook at $foreign is left, untouched" same_hook
check "qemu.d/ holds what it held before the test" test "$(ls -A "$hooks/qemu.d" 2>/dev/null)" = "$qemu_d_before"
check "no file named vserlink is left under $hooks" test -z "$(find "$hooks" -name '*vserlink*')"
say "package test took $((SECONDS - t_start)) s"
tap_end
