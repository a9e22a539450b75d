#!/bin/bash
# The command line: --help and --version on every subcommand, one error
# format for every mistake, and the hook's own invocation left as it was
# (under any other name the program is the hook, which never writes stdout).
. "$(dirname "$0")/../lib.sh"
setup
pairs </dev/null
VERSION=$("$VSERLINK_BIN" --version)

run() { timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" "$@" >"$T/out" 2>"$T/err"; }
out_starts() { [[ "$(head -n 1 "$T/out")" == "$1"* ]] || { echo "# stdout began: $(head -n 1 "$T/out")"; return 1; }; }
out_is() { [ "$(cat "$T/out")" = "$1" ] || { echo "# stdout was: $(cat "$T/out")"; return 1; }; }
err_is() { [ "$(cat "$T/err")" = "$1" ] || { echo "# stderr was:"; sed 's/^/#   /' "$T/err"; return 1; }; }

check "vserlink --version prints the version" [ "$VERSION" = "vserlink 0.1.0" ]
check "vserlink --help exits 0" run --help
check "  and prints the usage on stdout" out_starts "usage: vserlink hook DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml"
for cmd in check plan status xml; do
	check "  which lists $cmd" grep -q "^       vserlink $cmd " "$T/out"
done
check "  and names the manual pages" grep -qF "See vserlink(8) and vserlink-pairs.ini(5)." "$T/out"
check "vserlink -h is --help" run -h
check "vserlink without a command fails" ! run
check "  with the usage on stderr" grep -q "^usage: vserlink hook" "$T/err"
check "an unknown command fails" ! run frobnicate
check "  saying so in the one format" err_is 'vserlink: unknown command "frobnicate"; see vserlink --help'

for cmd in check plan status xml hook; do
	check "vserlink $cmd --help exits 0" run $cmd --help
	check "  and prints its usage on stdout" out_starts "usage: vserlink $cmd "
	check "  and nothing on stderr" err_is ""
	check "vserlink $cmd --version prints the version" run $cmd --version
	check "  exactly" out_is "$VERSION"
done
for cmd in check plan status xml; do
	check "vserlink $cmd -h is --help" run $cmd -h
	check "  the same text" out_starts "usage: vserlink $cmd "
	check "vserlink $cmd with an unknown option fails" ! run $cmd -Q
	check "  saying so" err_is "vserlink: $cmd: unknown option \"-Q\"; see vserlink $cmd --help"
	check "vserlink $cmd with an unknown long option fails" ! run $cmd --frob
	check "  saying so" err_is "vserlink: $cmd: unknown option \"--frob\"; see vserlink $cmd --help"
	check "vserlink $cmd -c without a file fails" ! run $cmd -c
	check "  saying so" err_is "vserlink: $cmd: option -c needs an argument; see vserlink $cmd --help"
done
check "vserlink xml --dir without a directory fails" ! run xml --dir
check "  saying so" err_is "vserlink: xml: option --dir needs an argument; see vserlink xml --help"
check "vserlink xml --dir=DIR is -d DIR" ! run xml --dir="$T" nobody
check "  (which then says the guest has no link)" err_is "vserlink: guest nobody: $T/pairs.ini has no link for it"

# The hook: under another name, or "vserlink hook" with an event.
ln -s "$VSERLINK_BIN" "$T/qemu"
domain check pipe:org.linux-kvm.port.1:$T/p/c1 >"$T/c.xml"
check "installed as qemu it is the hook, for a guest named like a subcommand" \
	bash -c "'$T/qemu' check prepare begin - <'$T/c.xml' >'$T/out' 2>'$T/err'"
check "  and writes nothing to stdout" [ ! -s "$T/out" ]
check "installed as qemu, --version is no option: the hook wants an event" \
	! bash -c "'$T/qemu' --version </dev/null >'$T/out' 2>'$T/err'"
check "  and still writes nothing to stdout" [ ! -s "$T/out" ]
check "  but says how it is called" err_is "vserlink: usage: qemu DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml"
# libvirt runs every program in hooks/qemu.d/ by its full path, and
# install.sh puts the hook there as "vserlink".
mkdir "$T/qemu.d" "$T/bin"
ln -s "$VSERLINK_BIN" "$T/qemu.d/vserlink"
ln -s "$VSERLINK_BIN" "$T/bin/vserlink"
pairs <<INI
[port1]
check = org.linux-kvm.port.1
peer = org.linux-kvm.port.1
INI
check "as qemu.d/vserlink it is the hook, for a guest named like a subcommand" \
	bash -c "'$T/qemu.d/vserlink' check prepare begin - <'$T/c.xml' >'$T/out' 2>'$T/err'"
check "  and writes nothing to stdout" [ ! -s "$T/out" ]
check "  and wires the guest's port" [ -p "$T/p/c1.in" ]
bash -c "'$T/qemu.d/vserlink' check release end - <'$T/c.xml'"
check "  and its release removes it" absent "$T/p/c1.in"
check "vserlink anywhere else takes a subcommand" \
	bash -c "'$T/bin/vserlink' --version >'$T/out' 2>'$T/err'"
check "  and prints the version" grep -q "^vserlink " "$T/out"
check "vserlink hook for a guest named --help is the hook" \
	bash -c "'$VSERLINK_BIN' hook --help start begin - </dev/null >'$T/out' 2>'$T/err'"
check "  and writes nothing to stdout" [ ! -s "$T/out" ]
done_testing
