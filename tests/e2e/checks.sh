# shellcheck shell=bash disable=SC2154 # variables set by the scripts that source this one
# The proofs the end-to-end test makes, each a command that succeeds or fails and says why on stderr:
# the FIFOs on disk, bytes sent by one guest's agent arriving at the other's, who QEMU runs as, and
# what virsh says when the hook refuses a start. Sourced by run.sh, after pair.sh; also uses
#   state    the hook's state_dir

inode() { stat -c %i "$1"; }
# absent PATH: nothing at PATH, not even a dangling symlink.
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# wiring_ok: each link's FIFOs exist, and A's P.out is B's Q.in and A's P.in is B's Q.out (the same
# inodes), with the two directions distinct.
wiring_ok() {
	local link pa pb a b bad=0 f
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		a=$(port_path a "$pa") b=$(port_path b "$pb")
		for f in "$a.in" "$a.out" "$b.in" "$b.out"; do
			[ -p "$f" ] || { say "$link: $f is not a FIFO"; bad=1; continue 2; }
		done
		[ "$(inode "$a.out")" = "$(inode "$b.in")" ] || { say "$link: $a.out and $b.in are different files"; bad=1; }
		[ "$(inode "$a.in")" = "$(inode "$b.out")" ] || { say "$link: $a.in and $b.out are different files"; bad=1; }
		[ "$(inode "$a.in")" != "$(inode "$a.out")" ] || { say "$link: $a.in and $a.out are the same file"; bad=1; }
	done
	return "$bad"
}

# ends_present a|b: the guest's ends of every link are FIFOs. ends_absent a|b: they are gone.
ends_present() { ends_are "$1" present; }
ends_absent() { ends_are "$1" absent; }
ends_are() {
	local link pa pb port f bad=0
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$1" = a ]; then port=$pa; else port=$pb; fi
		for f in "$(port_path "$1" "$port")".{in,out}; do
			if [ "$2" = present ] && [ ! -p "$f" ]; then
				say "$link: $f is missing or not a FIFO"
				bad=1
			elif [ "$2" = absent ] && ! absent "$f"; then
				say "$link: $f is still there"
				bad=1
			fi
		done
	done
	return "$bad"
}

# nothing_left: no file of any kind is left in the ports directory, and no FIFO or symlink in the
# state_dir (where the hook may keep a lock file and bookkeeping).
nothing_left() {
	local left
	left=$(find "$ports" -mindepth 1 ! -type d; find "$state" -mindepth 1 \( -type p -o -type l \) 2>/dev/null)
	[ -z "$left" ] && return 0
	say "left behind:"
	# shellcheck disable=SC2086 # one path per word
	ls -li $left >&2
	return 1
}

# peer_of a|b PORT: prints "b|a PORT" of the other end of the port's link.
peer_of() {
	local link pa pb
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$1" = a ] && [ "$2" = "$pa" ]; then echo "b $pb"; return; fi
		if [ "$1" = b ] && [ "$2" = "$pb" ]; then echo "a $pa"; return; fi
	done
}

# exchange ROUND: each agent writes a token naming the round, itself and the port to each of its linked
# ports; succeeds when every token has arrived exactly once at the other end of its link within 30 s
# (a working link takes well under a second, even under TCG on a busy machine).
exchange() {
	local round=$1 g link pa pb port i=0
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		for g in a b; do
			if [ "$g" = a ]; then port=$pa; else port=$pb; fi
			i=$((i + 1))
			agent_say "$(ctl_of "$g")" "send $round.$i $port tok/$round/$g/$port"
		done
	done
	wait_until 30 all_arrived "$round" && return 0
	all_arrived "$round" verbose
	return 1
}

# all_arrived ROUND [verbose]: every token of ROUND is in its receiver's log exactly once.
all_arrived() {
	local round=$1 link pa pb from g port to_g to_p n missing=0
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		for from in "a $pa" "b $pb"; do
			read -r g port <<<"$from"
			read -r to_g to_p <<<"$(peer_of "$g" "$port")"
			n=$(grep -cxF "recv $to_p tok/$round/$g/$port" "$(log_of "$to_g")" || true)
			if [ "$n" != 1 ]; then
				missing=1
				[ "${2:-}" != verbose ] || say "$link: guest $g's token from $port arrived $n times at guest $to_g's $to_p"
			fi
		done
	done
	return "$missing"
}

# routing_ok: every line any guest ever received is a token sent from the other end of that port's
# link; nothing else (a misrouted token, an echo, garbage, an end of file) ever arrived.
routing_ok() {
	local g kind port text bad=0 from sport
	for g in a b; do
		while read -r kind port text; do
			case $kind in
			recv) ;;
			ready | ack) continue ;;
			*)
				say "guest $g: unexpected message: $kind $port $text"
				bad=1
				continue
				;;
			esac
			IFS=/ read -r _ _ from sport <<<"$text"
			if [ "${text#tok/}" = "$text" ] || [ "$(peer_of "$g" "$port")" != "$from $sport" ]; then
				say "guest $g received on $port: $text"
				bad=1
			fi
		done <"$(log_of "$g")"
	done
	return "$bad"
}

# b_gone_a_kept: B's release removed B's names of every link, and only those; A's QEMU holds the
# same FIFOs under A's names, which must stay.
b_gone_a_kept() {
	ends_absent b && ends_present a
}

# qemu_runs_as USER: both guests' QEMU processes run as USER.
qemu_runs_as() {
	local g u
	for g in "$ga" "$gb"; do
		u=$(guest_qemu_user "$g") || { say "no QEMU process for $g"; return 1; }
		[ "$u" = "$1" ] || { say "QEMU of $g runs as $u"; return 1; }
	done
}

# refused TEXT... : the last start failed and virsh's error text holds each TEXT.
refused() {
	local t
	for t; do
		grep -qF -- "$t" "$mode_dir/virsh.err" || { say "virsh said:"; cat "$mode_dir/virsh.err" >&2; return 1; }
	done
}
# start_fails a|b [TYPE:PORT:PATH...]: starting the guest (with the overrides, see xml_of) fails and
# leaves no guest; virsh's error text is kept for refused.
start_fails() {
	xml_of "$@" >"$mode_dir/bad.xml"
	if guest_create "$mode_dir/bad.xml" 2>"$mode_dir/virsh.err"; then
		say "the guest started"
		stop_guests "$1"
		return 1
	fi
	guest_gone "$(name_of "$1")" || { say "the guest exists after a failed start"; return 1; }
}

# fifos_owned_by USER: every linked FIFO belongs to USER, as libvirt's DAC driver makes it at start
# when QEMU runs as USER (the hook creates them root's).
fifos_owned_by() {
	local f bad=0
	for f in "$ports"/*; do
		[ "$(stat -c %U "$f")" = "$1" ] || { say "$(ls -ln "$f")"; bad=1; }
	done
	return "$bad"
}

# xml_for_this_host: this daemon's "virsh capabilities" (kept in the scenario's directory) lists no
# SELinux, so "vserlink xml", asking the same daemon, writes no <seclabel> and warns of nothing.
xml_for_this_host() {
	virsh capabilities >"$mode_dir/capabilities.xml" || return 1
	grep -q '<model>selinux</model>' "$mode_dir/capabilities.xml" && { say "this libvirt runs SELinux"; return 1; }
	env -u LIBVIRT_DEFAULT_URI "$binary" xml -d "$ports" "$ga" >"$mode_dir/xml.out" 2>"$mode_dir/xml.err" || return 1
	[ ! -s "$mode_dir/xml.err" ] || { cat "$mode_dir/xml.err" >&2; return 1; }
	grep -q "<channel type='pipe'>" "$mode_dir/xml.out" && ! grep -q seclabel "$mode_dir/xml.out"
}
