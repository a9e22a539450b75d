#!/bin/sh
# run.sh BINARY [OUTFILE [BENCH-OPTION...]]
#
# Benchmark the vserlink binary BINARY against the floor and the shell hook: build the floor
# (static), the input generator and the driver, generate the inputs into a temporary directory,
# run the driver (see bench.c for its options, e.g. -t 1 -m 3 for a quick look), print the table
# and write it to OUTFILE too, then clean up. Needs a C compiler with a static libc, and the shell
# hook's tools: xmllint (libxml2-utils), awk, flock, mkfifo, ln.
#
# Run it as root, as libvirt runs its hook (vserlink trusts only a root-owned pairs.ini).
# The inputs, FIFOs and state go to a temporary directory under $BENCH_TMPDIR, by default
# /dev/shm (else $TMPDIR): a tmpfs, so that the figures are the hooks' cost and not the disk's
# (on some disks creating an inode costs a millisecond, which would swamp every figure). The
# programs go under $TMPDIR, as /dev/shm may be mounted noexec.

set -eu

usage() {
	echo "usage: run.sh BINARY [OUTFILE [BENCH-OPTION...]]" >&2
	exit 1
}

[ $# -ge 1 ] || usage
bin=$1
out=${2:-}
shift
[ $# -eq 0 ] || shift

here=$(cd "$(dirname "$0")" && pwd)
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
[ -x "$bin" ] || { echo "run.sh: $bin: not an executable" >&2; exit 1; }
for tool in xmllint awk flock mkfifo ln; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool: not found" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vserlink-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "${BENCH_TMPDIR:-}" ]; then
	BENCH_TMPDIR=${TMPDIR:-/tmp}
	[ -d /dev/shm ] && [ -w /dev/shm ] && BENCH_TMPDIR=/dev/shm
fi
in=$(mktemp -d "$BENCH_TMPDIR/vserlink-bench.XXXXXX")
trap 'rm -rf "$tmp" "$in"' EXIT
trap 'exit 1' HUP INT TERM

compile() {
	# shellcheck disable=SC2086 # $CC may be a command with options
	${CC:-cc} -Wall -Wextra -Werror -O2 "$@"
}
compile -static -o "$tmp/floor" "$here/floor.c"
compile -o "$tmp/gen" "$here/gen.c"
compile -o "$tmp/bench" "$here/bench.c" "$here/report.c" "$here/spawn.c"
compile -o "$tmp/busy" "$here/busy.c" "$here/spawn.c"
cp "$here/shell-hook.sh" "$tmp/shell-hook"
chmod 755 "$tmp/shell-hook"
for tree in floor vserlink shell; do
	"$tmp/gen" "$in/$tree"
done

label=$(git -C "$(dirname "$bin")" describe --always --dirty 2>/dev/null || true)
set -- ${out:+-o "$out"} ${label:+-l "commit $label"} "$@"
"$tmp/bench" "$@" "$in" "$tmp/floor" "$bin" "$tmp/shell-hook"

# A guest's start and stop on a host where 1,000 linked guests run, against an empty host.
mkdir "$in/busy"
{
	echo
	echo "| workload | empty host median | busy host median | ratio |"
	echo "|:--|--:|--:|--:|"
	"$tmp/busy" "$in/busy" "$bin"
} | if [ -n "$out" ]; then tee -a "$out"; else cat; fi
