#!/bin/bash
# Installs, from Debian 12's apt repositories, what vserlink needs:
#   --build    the compiler and the libraries it links
#   --run      libvirt's daemon with its QEMU driver, QEMU, and what the end-to-end test and the demo
#              use to build a guest's initramfs
#   --kernel   a guest kernel in the cache directory (VSERLINK_CACHE, default /var/cache/vserlink-e2e),
#              shared by the end-to-end test and the demo
# With no option: all three. Run as root. Quick when everything is already there: nothing is
# downloaded and apt's lists are not refreshed unless something is missing.
set -eu

# The compiler and libraries the hook links (statically: lzma and zlib too; ICU's headers), the
# manual-page linter, clang for the fuzzers, valgrind, xmllint for the benchmark's shell hook, and
# Debian's tools that make deb uses and its test checks the package with; setfacl for the ACL tests.
build_pkgs="gcc make pkg-config libxml2-dev libinih-dev libicu-dev liblzma-dev zlib1g-dev mandoc clang
libclang-rt-14-dev valgrind libxml2-utils dpkg-dev debhelper lintian acl"
# Debian 12 splits libvirt: libvirt-daemon is the daemon, libvirt-daemon-driver-qemu its QEMU driver.
# libvirt-daemon-system is left out on purpose: it pulls in systemd, which these machines don't run.
run_pkgs="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 busybox-static cpio
gzip procps"
cache=${VSERLINK_CACHE:-/var/cache/vserlink-e2e}
# Modules the guest needs for virtio-serial; the cloud kernel builds them as modules, not in.
guest_modules="virtio_pci virtio_console"

say() { printf 'deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

updated=0
apt_update_once() {
	[ "$updated" = 1 ] && return 0
	say "refreshing apt's package lists"
	apt-get update -q >/dev/null
	updated=1
}

# Prints the packages of "$@" that are not installed.
missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
	done
}

install_pkgs() {
	local missing
	missing=$(missing_pkgs "$@")
	[ -n "$missing" ] || return 0
	say "installing $missing"
	apt_update_once
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	DEBIAN_FRONTEND=noninteractive apt-get install -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends \
		$missing >/dev/null
}

# The QEMU driver refuses to load without its user, even when qemu.conf says user = "root".
# libvirt-daemon-system would create it, but we don't install that package (systemd), so do what its
# maintainer script does.
ensure_qemu_user() {
	getent group kvm >/dev/null || groupadd --system kvm
	getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
	if ! getent passwd libvirt-qemu >/dev/null; then
		say "creating the system user libvirt-qemu"
		useradd --system --gid kvm --groups libvirt-qemu --home-dir /var/lib/libvirt --no-create-home \
			--shell /usr/sbin/nologin --comment "Libvirt Qemu" libvirt-qemu
	fi
}

# Prints the name of the kernel .ko files that $1 (a module name) depends on, read from its modinfo.
ko_depends() {
	tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | tr ',' ' '
}

# Appends module $1 and, before it, everything it depends on to the file $3 (load order), looking the
# files up in the map file $2 ("name path" lines). Each module once.
add_in_load_order() {
	local name=$1 map=$2 order=$3 path dep
	grep -qx "$name" "$order" && return 0
	path=$(awk -v n="$name" '$1 == n { print $2; exit }' "$map")
	[ -n "$path" ] || die "kernel module $name not found in the kernel package"
	for dep in $(ko_depends "$path"); do
		add_in_load_order "$dep" "$map" "$order"
	done
	printf '%s\n' "$name" >>"$order"
}

# A guest kernel without installing it: `apt-get install` of a kernel drags in systemd and initramfs
# tools, so download the real, versioned package that linux-image-cloud-amd64 points to and unpack it.
# The cache keeps vmlinuz, the modules the guest needs, and modules/order (their load order).
fetch_kernel() {
	[ -s "$cache/vmlinuz" ] && [ -s "$cache/modules/order" ] && return 0
	local pkg work kdir vmlinuz m
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		apt_update_once
		pkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || die "apt knows no package behind linux-image-cloud-amd64"
	say "fetching guest kernel $pkg into $cache"
	mkdir -p "$cache"
	work=$(mktemp -d "$cache/.fetch.XXXXXX")
	# apt's sandbox user must be able to write where it downloads.
	chmod 0755 "$work"
	(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
		apt_update_once
		(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1)
	} || { rm -rf "$work"; die "apt-get download $pkg failed"; }
	dpkg-deb -x "$work"/*.deb "$work/x"
	kdir=$(find "$work/x/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	vmlinuz=$(find "$work/x/boot" -name 'vmlinuz-*' | head -n 1)
	if [ -z "$kdir" ] || [ -z "$vmlinuz" ]; then
		rm -rf "$work"
		die "$pkg holds no vmlinuz or modules"
	fi
	find "$kdir" -name '*.ko' | awk '{ n = $0; sub(".*/", "", n); sub("\\.ko$", "", n); print n, $0 }' >"$work/map"
	mkdir -p "$work/modules"
	: >"$work/modules/order"
	for m in $guest_modules; do
		add_in_load_order "$m" "$work/map" "$work/modules/order"
	done
	while read -r m; do
		cp "$(awk -v n="$m" '$1 == n { print $2; exit }' "$work/map")" "$work/modules/$m.ko"
	done <"$work/modules/order"
	# Replace the cache's content only once the new one is complete.
	rm -rf "$cache/modules" "$cache/vmlinuz"
	mv "$work/modules" "$cache/modules"
	mv "$vmlinuz" "$cache/vmlinuz"
	printf '%s\n' "$pkg" >"$cache/kernel-package"
	rm -rf "$work"
	# QEMU may run as libvirt-qemu: it must reach the kernel (libvirt relabels the file, not the path).
	chmod 0755 "$cache" "$cache/modules"
}

[ "$(id -u)" = 0 ] || die "run as root (apt-get, useradd)"

do_build=0 do_run=0 do_kernel=0
[ $# -gt 0 ] || set -- --build --run --kernel
for arg; do
	case $arg in
	--build) do_build=1 ;;
	--run) do_run=1 ;;
	--kernel) do_kernel=1 ;;
	*) die "usage: $0 [--build] [--run] [--kernel]" ;;
	esac
done

# shellcheck disable=SC2086
[ "$do_build" = 0 ] || install_pkgs $build_pkgs
if [ "$do_run" = 1 ]; then
	# shellcheck disable=SC2086
	install_pkgs $run_pkgs
	ensure_qemu_user
fi
[ "$do_kernel" = 0 ] || fetch_kernel
