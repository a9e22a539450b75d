# shellcheck shell=bash
# Host settings that the end-to-end test and the demo change for their run: files under /etc (the
# hook, pairs.ini, qemu.conf), each saved once before its first change and put back exactly at exit
# (or removed if it wasn't there), and the access mode of /dev/kvm. Sourced by lib.sh.

hostconf_backup=
declare -A hostconf_saved=()

# hostconf_save PATH: remember PATH as it is now, to be put back at exit.
hostconf_save() {
	local path=$1 dir
	[ -z "${hostconf_saved[$path]:-}" ] || return 0
	hostconf_saved[$path]=1
	if [ -z "$hostconf_backup" ]; then
		# Next to /etc's files on the same disk, and out of /tmp, where a reboot would lose them.
		hostconf_backup=$(mktemp -d /var/tmp/vserlink-e2e-backup.XXXXXX)
		at_exit rm -rf "$hostconf_backup"
	fi
	dir=$(dirname "$path")
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir"
		at_exit hostconf_rmdir "$dir"
	fi
	if [ -e "$path" ] || [ -L "$path" ]; then
		local copy
		copy=$hostconf_backup/$(printf '%s' "$path" | tr / _)
		cp -a "$path" "$copy"
		say "saved $path (copy in $copy until the end of the run)"
		at_exit hostconf_put_back "$copy" "$path"
	else
		at_exit rm -f "$path"
	fi
}

# hostconf_rmdir DIR: removes DIR made for the run, unless something already did.
hostconf_rmdir() { [ ! -d "$1" ] || rmdir "$1"; }

hostconf_put_back() {
	rm -f "$2"
	cp -a "$1" "$2"
}

# hostconf_install_hook BINARY: installs BINARY as libvirt's QEMU hook. The daemon finds a new hook
# only when it starts or gets SIGHUP.
hostconf_install_hook() {
	hostconf_save /etc/libvirt/hooks/qemu
	rm -f /etc/libvirt/hooks/qemu
	install -m 0755 "$1" /etc/libvirt/hooks/qemu
}

# hostconf_write PATH: writes stdin to PATH, mode 0644 root (the hook trusts pairs.ini only when
# root-owned and not writable by others).
hostconf_write() {
	hostconf_save "$1"
	rm -f "$1"
	install -m 0644 /dev/stdin "$1"
}

# hostconf_kvm_for_qemu_user: where /dev/kvm exists but only root may open it (no udev here to apply
# Debian's rule, root:kvm 0660), gives it that rule's owner and mode until exit. Otherwise libvirt 9.0,
# with QEMU as libvirt-qemu, finds its cached QEMU capabilities invalid at every guest start ("KVM was
# enabled when probing, but it is not available now": the probe runs with CAP_DAC_OVERRIDE, the
# check without) and probes QEMU again, about a minute per start.
hostconf_kvm_for_qemu_user() {
	[ -c /dev/kvm ] || return 0
	local was
	was=$(stat -c '%u:%g %a' /dev/kvm)
	[ "$was" != "0:$(getent group kvm | cut -d: -f3) 660" ] || return 0
	at_exit hostconf_put_back_mode /dev/kvm "$was"
	chown root:kvm /dev/kvm
	chmod 0660 /dev/kvm
}

hostconf_put_back_mode() {
	chown "${2% *}" "$1"
	chmod "${2#* }" "$1"
}
