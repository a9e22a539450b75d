#!/bin/sh
# The benchmark's point of comparison: the job vserlink does, written as admins write a libvirt
# QEMU hook by hand, with sh, awk, xmllint, mkfifo and ln. It reads the same pairs.ini
# ($VSERLINK_CONFIG, else /etc/vserlink/pairs.ini) and takes the same argv and XML on stdin:
#
#   shell-hook.sh DOMAIN OPERATION SUBOPERATION EXTRA  < domain.xml
#
# prepare begin: for each link with an end on DOMAIN, find that port's pipe path P in the XML and
#   make P.in and P.out; if the peer's end is up (its FIFOs recorded in the state dir exist), hard
#   link to them crosswise (our P.in is the peer's Q.out and the other way round), else mkfifo.
# release end: remove P.in and P.out of every end recorded for DOMAIN whose path the XML still names.
# Anything else: exit 0 at once. Ports: virtio channel target names and serialN.
#
# It is written to be fast for a shell script (one awk pass over pairs.ini, one xmllint over the XML,
# builtins where they do), so the speed-up the benchmark reports is not flattered by a slow rival.
# It checks far less than vserlink does: it is a benchmark's yardstick, not a tool.

set -u
dom=$1 op=$2 sub=$3

case "$op/$sub" in
prepare/begin|release/end) ;;
*) exit 0 ;;
esac

conf=${VSERLINK_CONFIG:-/etc/vserlink/pairs.ini}
[ -r "$conf" ] || exit 0

die() {
	echo "shell-hook: guest $dom: $*" >&2
	exit 1
}

# join FROM TO: make TO another name of the FIFO FROM, unless it is one already (ln -f refuses).
join() {
	# shellcheck disable=SC3013 # -ef: dash, bash and busybox sh have it
	[ "$1" -ef "$2" ] || ln -f "$1" "$2"
}

# Pipe devices of the domain on stdin, one "PORT PATH" line each (the source comes before the
# target in libvirt's XML, so xmllint prints each path before its port).
ports() {
	xmllint --nonet --xpath "/domain/devices/channel[@type='pipe']/source/@path
		| /domain/devices/channel[@type='pipe']/target/@name
		| /domain/devices/serial[@type='pipe']/source/@path
		| /domain/devices/serial[@type='pipe']/target/@port" - 2>/dev/null |
	awk -F'"' '$1 ~ /path=$/ { path = $2; next }
		$1 ~ /port=$/ { print "serial" $2, path; next }
		$1 ~ /name=$/ { print $2, path }'
}

# One pass over pairs.ini: the state dir, then "LINK PORT PEER PEERPORT" for each link of $dom.
plan=$(awk -v dom="$dom" '
	function flush() {
		if (sect != "" && sect != "vserlink" && n == 2 && (k[1] == dom || k[2] == dom)) {
			if (k[1] == dom) print sect, v[1], k[2], v[2]
			else print sect, v[2], k[1], v[1]
		}
		n = 0
	}
	{ sub(/[;#].*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
	/^$/ { next }
	/^\[.*\]$/ { flush(); sect = substr($0, 2, length($0) - 2); next }
	{
		i = index($0, "=")
		key = substr($0, 1, i - 1); val = substr($0, i + 1)
		gsub(/[ \t]+$/, "", key); gsub(/^[ \t]+/, "", val)
		if (sect == "vserlink" && key == "state_dir") state = val
		else { n++; k[n] = key; v[n] = val }
	}
	END { flush(); print "state_dir", state }
' "$conf") || die "$conf: cannot parse"

state=${plan##*state_dir }
[ -n "$state" ] || state=/run/vserlink
plan=${plan%state_dir *}

if [ "$op" = release ]; then
	[ -d "$state/$dom" ] || exit 0
else
	[ -n "$plan" ] || exit 0
fi

mkdir -p "$state" || die "$state: cannot create"
exec 9>"$state/lock" || die "$state/lock: cannot open"
flock 9 || die "$state/lock: cannot lock"

if [ "$op" = release ]; then
	# Recorded ends are "LINK PORT PATH"; remove those whose port still has that path in the XML.
	set -- "$state/$dom"/*
	[ -e "$1" ] || set --
	paths=$(ports | awk 'NR == FNR { xml[$1] = $2; next } xml[$2] == $3 { print $3 }' - "$@")
	for p in $paths; do
		rm -f "$p.in" "$p.out" || die "$p: cannot remove"
	done
	rm -rf "${state:?}/$dom"
	exit 0
fi

mkdir -p "$state/$dom" || die "$state/$dom: cannot create"

# "LINK PORT PATH PEER PEERPORT" for each link; PATH is "-" when the XML has no such pipe.
joined=$(ports | awk 'NR == FNR { xml[$1] = $2; next }
	NF == 4 { print $1, $2, ($2 in xml) ? xml[$2] : "-", $3, $4 }' - \
	/dev/fd/3 3<<EOF
$plan
EOF
)

while read -r link port path peer _; do
	[ "$path" != - ] || die "link $link ($port): no pipe device for this port in the domain XML"
	q=
	if [ -r "$state/$peer/$link" ]; then
		read -r _ _ q < "$state/$peer/$link"
	fi
	if [ -n "$q" ] && [ -p "$q.in" ] && [ -p "$q.out" ]; then
		if ! join "$q.out" "$path.in" || ! join "$q.in" "$path.out"; then
			die "link $link ($port): $path: cannot link to $peer's FIFOs"
		fi
	else
		set --
		[ -p "$path.in" ] || set -- "$path.in"
		[ -p "$path.out" ] || set -- "$@" "$path.out"
		[ $# -eq 0 ] || mkfifo -m 600 "$@" || die "link $link ($port): $path: cannot make FIFOs"
	fi
	echo "$link $port $path" > "$state/$dom/$link"
done <<EOF
$joined
EOF
exit 0
